// glance-download in Keystone mode: the fake Keystone's catalog names a second region's Glance, served by a stub.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetKeystoneCaches } from "../../src/identity/keystone";
import worker from "../../src/index";
import { FakeKeystone, KEYSTONE_URL } from "../helpers/fake-keystone";
import { bytes, digest, FAKE_HOST, storedKeys, VECTOR, VECTOR_MD5, VECTOR_SHA512 } from "../helpers/import";
import { GOLDEN } from "../unit/fixtures/golden-bodies";

const REMOTE = "http://glance-two.test:9292";
/** The catalog may name a loopback or private address: it is the operator's, not the caller's. */
const REMOTE_PRIVATE = "http://10.1.2.3:9292";
const TOKEN = "user-token-gd";
const OTHER_TOKEN = "other-token-gd";
const GOLDEN_ID = "2408342b-cb10-48c0-acc0-3b7aac6fd3df";

type Doc = Record<string, unknown>;
interface RemoteGlance {
  images: Map<string, { doc: Doc; data: Uint8Array | (() => Response) }>;
  requests: { url: string; token: string | null }[];
}

let keystone: FakeKeystone;
let remote: RemoteGlance;
let sent: { taskId: string; credential?: string }[];
let ksEnv: Cloudflare.Env;

/** A remote Glance on `origin`: image documents and data of `remote.images`, for the caller's token only. */
function serveRemote(req: Request): Response | null {
  const url = new URL(req.url);
  if (url.origin !== REMOTE && url.origin !== REMOTE_PRIVATE && url.hostname !== FAKE_HOST) return null;
  remote.requests.push({ url: req.url, token: req.headers.get("x-auth-token") });
  if (url.hostname === FAKE_HOST) return new Response(VECTOR);
  if (req.headers.get("x-auth-token") !== TOKEN) return new Response("{}", { status: 401 });
  const m = /^\/v2\/images\/([^/]+)(\/file)?$/.exec(url.pathname);
  const hit = m ? remote.images.get(m[1]!) : undefined;
  if (!hit) return new Response("{}", { status: 404 });
  if (!m![2]) return Response.json(hit.doc);
  return typeof hit.data === "function" ? hit.data() : new Response(hit.data);
}

beforeEach(() => {
  resetKeystoneCaches();
  keystone = new FakeKeystone();
  keystone.users.set(TOKEN, { userId: "ua", projectId: "proj-gd", roles: ["member", "reader"] });
  keystone.users.set(OTHER_TOKEN, { userId: "ub", projectId: "proj-other", roles: ["member", "reader"] });
  keystone.catalog = [
    {
      type: "image",
      endpoints: [
        { region_id: "RegionOne", interface: "public", url: "http://glance.test" },
        { region_id: "RegionTwo", interface: "public", url: `${REMOTE}/` },
        { region_id: "RegionTwo", interface: "internal", url: REMOTE_PRIVATE },
        { region_id: "RegionDown", interface: "public", url: "http://down.test" },
      ],
    },
    { type: "identity", endpoints: [{ region_id: "RegionTwo", interface: "public", url: KEYSTONE_URL }] },
  ];
  remote = { images: new Map(), requests: [] };
  keystone.install((req) =>
    new URL(req.url).hostname === "down.test"
      ? Promise.reject(new TypeError("connect ECONNREFUSED"))
      : serveRemote(req),
  );
  sent = [];
  const queue = { send: async (m: { taskId: string }) => void sent.push(m) } as unknown as Queue<unknown>;
  ksEnv = {
    ...env,
    AUTH_MODE: "keystone",
    KEYSTONE_URL,
    KEYSTONE_SERVICE_USER: "glance",
    KEYSTONE_SERVICE_PASSWORD: "service-secret",
    KEYSTONE_SERVICE_PROJECT: "service",
    IMPORT_QUEUE: queue,
  } as Cloudflare.Env;
});
afterEach(() => vi.unstubAllGlobals());

function request(method: string, path: string, json?: unknown, token = TOKEN, useEnv = ksEnv) {
  const headers = new Headers({ "X-Auth-Token": token, Accept: "application/json" });
  if (json !== undefined) headers.set("Content-Type", "application/json");
  const body = json === undefined ? null : JSON.stringify(json);
  return worker.fetch!(
    new Request(`http://glance.test${path}`, { method, headers, body }) as Parameters<typeof worker.fetch>[0],
    useEnv,
    createExecutionContext(),
  );
}
const json = async (res: Response) => (await res.json()) as Doc;
const show = async (id: string) => json(await request("GET", `/v2/images/${id}`));
async function newImage(fields: Doc = { disk_format: "iso", container_format: "ovf" }): Promise<string> {
  const res = await request("POST", "/v2/images", fields);
  expect(res.status).toBe(201);
  return (await json(res)).id as string;
}
const glanceDownload = (id: string, region = "RegionTwo", extra: Doc = {}) => ({
  method: { name: "glance-download", glance_image_id: id, glance_region: region, ...extra },
});
async function startImport(id: string, body: unknown): Promise<Response> {
  return request("POST", `/v2/images/${id}/import`, body);
}
/** Runs the queue consumer on the message POST /import sent (the sealed credential with it). */
async function deliver(message = sent.at(-1)!, useEnv = ksEnv) {
  const batch = createMessageBatch("glance-imports", [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: message },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, useEnv);
  return getQueueResult(batch, ctx);
}
async function lastTask(id: string): Promise<Doc> {
  const { tasks } = (await json(await request("GET", `/v2/images/${id}/tasks`))) as { tasks: Doc[] };
  return tasks.at(-1)!;
}
/** A remote image document as this service (or Glance) shows an active image with `data`. */
async function remoteDoc(data: Uint8Array, fields: Doc = {}): Promise<Doc> {
  return {
    id: crypto.randomUUID(),
    status: "active",
    disk_format: "raw",
    container_format: "bare",
    size: data.byteLength,
    checksum: await digest("MD5", data),
    os_hash_algo: "sha512",
    os_hash_value: await digest("SHA-512", data),
    ...fields,
  };
}
function addRemote(doc: Doc, data: Uint8Array | (() => Response)): string {
  remote.images.set(doc.id as string, { doc, data });
  return doc.id as string;
}

describe("glance-download: discovery", () => {
  it("is offered in Keystone mode, after glance-direct and web-download as Glance lists them", async () => {
    const res = await request("GET", "/v2/info/import");
    expect((await json(res))["import-methods"]).toMatchObject({
      value: ["glance-direct", "web-download", "glance-download"],
    });
    const created = await request("POST", "/v2/images", { name: "x" });
    expect(created.headers.get("openstack-image-import-methods")).toBe("glance-direct,web-download,glance-download");
  });

  it("IMPORT_GLANCE_DOWNLOAD=false stops offering it: POST /import says unknown method", async () => {
    const off = { ...ksEnv, IMPORT_GLANCE_DOWNLOAD: "false" } as Cloudflare.Env;
    const info = await json(await request("GET", "/v2/info/import", undefined, TOKEN, off));
    expect(info["import-methods"]).toMatchObject({ value: ["glance-direct", "web-download"] });
    const id = await newImage();
    const res = await request("POST", `/v2/images/${id}/import`, glanceDownload(GOLDEN_ID), TOKEN, off);
    expect(res.status).toBe(400);
    expect(((await json(res)) as { message: string }).message).toContain(
      "Unknown import method name 'glance-download'.",
    );
  });

  it("is not offered with static tokens (no catalog to find the remote Glance in)", async () => {
    const { exports } = await import("cloudflare:workers");
    const res = await exports.default.fetch(
      new Request("http://glance.test/v2/info/import", { headers: { "X-Auth-Token": "demo-token" } }),
    );
    expect(((await res.json()) as Doc)["import-methods"]).toMatchObject({ value: ["glance-direct", "web-download"] });
  });
});

describe("glance-download: POST /import checks (400/409 at once, no task)", () => {
  it.each([
    [{ glance_image_id: "foo", glance_region: "RegionTwo" }, "Remote image id does not look like a UUID: foo"],
    [{ glance_image_id: 42, glance_region: "RegionTwo" }, "Remote image id does not look like a UUID: 42"],
    [{ glance_image_id: GOLDEN_ID }, "'glance_region' needs to be set for glance-download import method"],
    [{ glance_region: "RegionTwo" }, "'glance_image_id' needs to be set for glance-download import method"],
  ])("%j -> 400", async (fields, message) => {
    const id = await newImage();
    const res = await startImport(id, { method: { name: "glance-download", ...fields } });
    expect(res.status).toBe(400);
    expect(((await json(res)) as { message: string }).message).toContain(message);
    expect(await show(id)).toMatchObject({ status: "queued" });
    expect(sent).toEqual([]);
    const { tasks } = (await json(await request("GET", `/v2/images/${id}/tasks`))) as { tasks: Doc[] };
    expect(tasks).toEqual([]);
  });

  it("judges the image's state first (409), and the caller's rights after the fields (403/404)", async () => {
    const id = await newImage({ disk_format: "raw", container_format: "bare" });
    remote.images.clear();
    const body = glanceDownload("foo");
    const noFormats = await newImage({});
    expect((await startImport(noFormats, body)).status).toBe(409);
    const other = await request("POST", `/v2/images/${id}/import`, glanceDownload(GOLDEN_ID), OTHER_TOKEN);
    expect(other.status).toBe(404);
    const pub = await request("POST", "/v2/images", {
      disk_format: "raw",
      container_format: "bare",
      visibility: "community",
    });
    const pubId = (await json(pub)).id as string;
    const bad = await request("POST", `/v2/images/${pubId}/import`, body, OTHER_TOKEN);
    expect(bad.status).toBe(400);
    const forbidden = await request("POST", `/v2/images/${pubId}/import`, glanceDownload(GOLDEN_ID), OTHER_TOKEN);
    expect(forbidden.status).toBe(403);
  });

  it("accepts Python's UUID spellings and asks the remote Glance with the canonical form", async () => {
    const data = bytes(2048, 5);
    const remoteId = addRemote(await remoteDoc(data), data);
    const id = await newImage();
    const spelled = `{${remoteId.replaceAll("-", "").toUpperCase()}}`;
    expect((await startImport(id, glanceDownload(spelled))).status).toBe(202);
    await deliver();
    expect(await show(id)).toMatchObject({ status: "active", size: 2048 });
    expect(remote.requests.map((r) => r.url)).toEqual([
      `${REMOTE}/v2/images/${remoteId}`,
      `${REMOTE}/v2/images/${remoteId}/file`,
    ]);
  });
});

describe("glance-download: the import", () => {
  it("a real Glance 25 image document (golden 14) and its data: formats, allowed properties, hashes", async () => {
    addRemote(JSON.parse(GOLDEN.g14) as Doc, VECTOR);
    const id = await newImage();
    const patch = await request("PATCH", `/v2/images/${id}`, [
      { op: "add", path: "/os_distro", value: "windows" },
      { op: "add", path: "/hw_cpu_cores", value: "1" },
    ]);
    expect(patch.status).toBe(200);
    const res = await startImport(id, glanceDownload(GOLDEN_ID));
    expect(res.status).toBe(202);
    expect(await show(id)).toMatchObject({ status: "importing" });
    await deliver();
    const image = await show(id);
    expect(image).toMatchObject({
      status: "active",
      disk_format: "raw",
      container_format: "bare",
      size: 1024,
      virtual_size: 1024,
      checksum: VECTOR_MD5,
      os_hash_algo: "sha512",
      os_hash_value: VECTOR_SHA512,
      os_distro: "ubuntu",
      hw_cpu_cores: "1",
      os_glance_importing_to_stores: "",
      os_glance_failed_import: "",
    });
    // Name, tags, visibility, owner and the rest are this image's own, as in Glance.
    expect(image.name).toBeNull();
    expect(image.tags).toEqual([]);
    expect(image.owner).toBe("proj-gd");
    expect(image).not.toHaveProperty("os_glance_import_task");
    const task = await lastTask(id);
    expect(task).toMatchObject({
      status: "success",
      input: {
        import_req: {
          method: {
            name: "glance-download",
            glance_image_id: GOLDEN_ID,
            glance_region: "RegionTwo",
            glance_service_interface: "public",
          },
        },
      },
    });
    // The caller's token went to the remote Glance, for the document and the data.
    expect(remote.requests).toEqual([
      { url: `${REMOTE}/v2/images/${GOLDEN_ID}`, token: TOKEN },
      { url: `${REMOTE}/v2/images/${GOLDEN_ID}/file`, token: TOKEN },
    ]);
    const stored = await env.IMAGES.get(`images/${id}`);
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(VECTOR);
  });

  it("copies only the configured prefixes, never base attributes or os_glance_*, and streams a multipart image", async () => {
    const data = bytes(6 * 1024 * 1024 + 7, 9);
    const doc = await remoteDoc(data, {
      hw_cpu_cores: "5",
      "trait:STORAGE_DISK_SSD": "required",
      os_distro: "rhel",
      os_secure_boot: "required",
      os_type: "linux",
      speed: "88mph",
      os_glance_import_task: "x",
      os_hidden: true,
      name: "remote name",
      min_ram: 512,
      hw_video_ram: 64,
    });
    const remoteId = addRemote(doc, data);
    const id = await newImage();
    expect(
      (await startImport(id, glanceDownload(remoteId, "regiontwo", { glance_service_interface: "public" }))).status,
    ).toBe(202);
    await deliver();
    const image = await show(id);
    expect(image).toMatchObject({
      status: "active",
      size: data.byteLength,
      hw_cpu_cores: "5",
      "trait:STORAGE_DISK_SSD": "required",
      os_distro: "rhel",
      os_secure_boot: "required",
      os_type: "linux",
      name: null,
      min_ram: 0,
      os_hidden: false,
    });
    expect(image).not.toHaveProperty("speed");
    expect(image).not.toHaveProperty("hw_video_ram");
    expect(image).not.toHaveProperty("os_glance_import_task");
  });

  it("GLANCE_DOWNLOAD_PROPERTIES replaces the prefixes", async () => {
    const custom = { ...ksEnv, GLANCE_DOWNLOAD_PROPERTIES: "speed, architecture" } as Cloudflare.Env;
    const data = bytes(512, 2);
    const remoteId = addRemote(
      await remoteDoc(data, { speed: "88mph", architecture: "x86_64", os_distro: "rhel" }),
      data,
    );
    const created = await request(
      "POST",
      "/v2/images",
      { disk_format: "raw", container_format: "bare" },
      TOKEN,
      custom,
    );
    const id = (await json(created)).id as string;
    expect((await request("POST", `/v2/images/${id}/import`, glanceDownload(remoteId), TOKEN, custom)).status).toBe(
      202,
    );
    await deliver(sent.at(-1), custom);
    const image = await show(id);
    expect(image).toMatchObject({ status: "active", speed: "88mph", architecture: "x86_64" });
    expect(image).not.toHaveProperty("os_distro");
  });

  it("the token crosses the queue sealed: the message never carries it in clear", async () => {
    const id = await newImage();
    expect((await startImport(id, glanceDownload(GOLDEN_ID))).status).toBe(202);
    const message = JSON.stringify(sent.at(-1));
    expect(message).not.toContain(TOKEN);
    expect(message).not.toContain("glance-two");
    expect(sent.at(-1)!.credential).toMatch(/^[A-Za-z0-9+/=]+$/);
  });

  it("follows a redirect off the catalog's origin only if the URI filter allows it, and without the token", async () => {
    const data = VECTOR;
    const allowed = addRemote(
      await remoteDoc(data),
      () => new Response(null, { status: 302, headers: { Location: `http://${FAKE_HOST}/blob` } }),
    );
    const id = await newImage();
    expect((await startImport(id, glanceDownload(allowed))).status).toBe(202);
    await deliver();
    expect(await show(id)).toMatchObject({ status: "active", checksum: VECTOR_MD5 });
    expect(remote.requests.at(-1)).toEqual({ url: `http://${FAKE_HOST}/blob`, token: null });

    const refused = addRemote(
      await remoteDoc(data),
      () => new Response(null, { status: 307, headers: { Location: "http://169.254.169.254/latest/meta-data/" } }),
    );
    const id2 = await newImage();
    expect((await startImport(id2, glanceDownload(refused))).status).toBe(202);
    await deliver();
    expect(await show(id2)).toMatchObject({ status: "queued" });
    expect((await lastTask(id2)).message).toBe(
      "Processed URI for glance-download does not pass filtering: http://169.254.169.254/latest/meta-data/",
    );
  });

  it("trusts a catalog endpoint on a private address (the internal interface here)", async () => {
    const data = bytes(100, 1);
    const remoteId = addRemote(await remoteDoc(data), data);
    const id = await newImage();
    const body = glanceDownload(remoteId, "RegionTwo", { glance_service_interface: "internal" });
    expect((await startImport(id, body)).status).toBe(202);
    await deliver();
    expect(await show(id)).toMatchObject({ status: "active", size: 100 });
    expect(remote.requests[0]!.url).toBe(`${REMOTE_PRIVATE}/v2/images/${remoteId}`);
  });
});

describe("glance-download: failures end the task; the image goes back to queued, untouched", () => {
  async function failsWith(body: unknown, message: string | RegExp): Promise<Doc> {
    const id = await newImage();
    const patch = await request("PATCH", `/v2/images/${id}`, [
      { op: "add", path: "/hw_cpu_cores", value: "1" },
      { op: "add", path: "/os_distro", value: "windows" },
    ]);
    expect(patch.status).toBe(200);
    const res = await startImport(id, body);
    expect(res.status).toBe(202);
    expect(await deliver()).toMatchObject({ explicitAcks: [expect.any(String)] });
    const task = await lastTask(id);
    expect(task.status).toBe("failure");
    if (typeof message === "string") expect(task.message).toBe(message);
    else expect(task.message).toMatch(message);
    const image = await show(id);
    expect(image).toMatchObject({
      status: "queued",
      disk_format: "iso",
      container_format: "ovf",
      hw_cpu_cores: "1",
      os_distro: "windows",
      size: null,
      checksum: null,
      os_glance_failed_import: "default",
      os_glance_importing_to_stores: "",
    });
    expect(image).not.toHaveProperty("os_glance_import_task");
    expect(await storedKeys(id)).toEqual([]);
    return image;
  }

  it("a region the catalog does not have (tempest's bad_endpoint)", async () => {
    await failsWith(
      glanceDownload("36d4b546-64a2-4bb9-bdd0-ba676aa48f2c", "not a region", {
        glance_service_interface: "not an interface",
      }),
      "not an interface glance endpoint not found for region not a region",
    );
  });

  it("an interface the region does not have", async () => {
    await failsWith(
      glanceDownload(GOLDEN_ID, "RegionTwo", { glance_service_interface: "admin" }),
      "admin glance endpoint not found for region RegionTwo",
    );
  });

  it("an image the remote Glance does not have (tempest's bad_missing_image)", async () => {
    await failsWith(
      glanceDownload("36d4b546-64a2-4bb9-bdd0-ba676aa48f2c"),
      `Failed to download ${REMOTE}/v2/images/36d4b546-64a2-4bb9-bdd0-ba676aa48f2c: HTTP 404.`,
    );
  });

  it("a remote image that is not active", async () => {
    const remoteId = addRemote({ id: crypto.randomUUID(), status: "queued", size: null }, new Uint8Array());
    await failsWith(glanceDownload(remoteId), "Source image status should be active instead of queued");
  });

  it("a remote image without a size", async () => {
    const remoteId = addRemote({ ...(await remoteDoc(VECTOR)), size: null }, VECTOR);
    await failsWith(glanceDownload(remoteId), `Size attribute of remote image ${remoteId} could not be determined.`);
  });

  it("an answer that is not an image document", async () => {
    const remoteId = crypto.randomUUID();
    remote.images.set(remoteId, { doc: ["not", "an", "image"] as unknown as Doc, data: VECTOR });
    await failsWith(glanceDownload(remoteId), `The metadata of remote image ${remoteId} is not an image document.`);
  });

  it("data that does not match the remote checksum", async () => {
    const remoteId = addRemote({ ...(await remoteDoc(VECTOR)), checksum: "0".repeat(32) }, VECTOR);
    await failsWith(glanceDownload(remoteId), `The data of remote image ${remoteId} does not match its checksum.`);
  });

  it("data that does not match the remote os_hash_value", async () => {
    const remoteId = addRemote({ ...(await remoteDoc(VECTOR)), os_hash_value: "0".repeat(128) }, VECTOR);
    await failsWith(glanceDownload(remoteId), `The data of remote image ${remoteId} does not match its os_hash_value.`);
  });

  it.each([
    ["shorter", 1023],
    ["longer", 1025],
  ])("data %s than the remote size", async (_what, size) => {
    const remoteId = addRemote({ ...(await remoteDoc(VECTOR)), size }, VECTOR);
    await failsWith(glanceDownload(remoteId), /^Size (mismatch|exceeds): expected \d+ bytes, got \d+ bytes$/);
  });

  it("data that is not what the remote disk_format says (the format inspector)", async () => {
    const remoteId = addRemote(await remoteDoc(VECTOR, { disk_format: "qcow2" }), VECTOR);
    await failsWith(glanceDownload(remoteId), /qcow2/i);
  });

  it("a remote image bigger than this site's size cap", async () => {
    const capped = { ...ksEnv, IMAGE_SIZE_CAP: "1000" } as Cloudflare.Env;
    ksEnv = capped;
    const remoteId = addRemote(await remoteDoc(VECTOR), VECTOR);
    await failsWith(glanceDownload(remoteId), "The incoming image is too large: The provided image is too large.");
  });

  it("a remote Glance that cannot be reached", async () => {
    keystone.catalog[0]!.endpoints.push({ region_id: "RegionDown", interface: "public", url: "http://down.test" });
    vi.unstubAllGlobals();
    keystone.install((req) =>
      new URL(req.url).hostname === "down.test" ? Promise.reject(new TypeError("refused")) : null,
    );
    await failsWith(
      glanceDownload(GOLDEN_ID, "RegionDown"),
      `Failed to download http://down.test/v2/images/${GOLDEN_ID}: the source could not be reached.`,
    );
  });

  it("a message whose credential cannot be opened (another secret, or none)", async () => {
    const id = await newImage();
    expect((await startImport(id, glanceDownload(GOLDEN_ID))).status).toBe(202);
    const rekeyed = { ...ksEnv, KEYSTONE_SERVICE_PASSWORD: "another-secret" } as Cloudflare.Env;
    await deliver(sent.at(-1), rekeyed);
    expect(await lastTask(id)).toMatchObject({
      status: "failure",
      message: "The credentials of this glance-download import could not be read.",
    });
    expect(await show(id)).toMatchObject({ status: "queued" });
    expect(remote.requests).toEqual([]);
  });
});
