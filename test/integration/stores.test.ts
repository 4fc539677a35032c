// Several stores (R2 buckets) through the Worker: discovery, the stores attribute, X-Image-Meta-Store, imports to
// chosen stores with Glance's partial-failure rules, copy-image, delete from a store, download order, quotas.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, type Who } from "../helpers/api";
import {
  deliver,
  digest,
  FAKE_HOST,
  isolatedWorker,
  OCTET,
  serveFakeSource,
  VECTOR,
  VECTOR_MD5,
} from "../helpers/import";

const STORES = JSON.stringify([
  { id: "fast", binding: "IMAGES", description: "Standard bucket", default: true },
  { id: "slow", binding: "STORE_SLOW", weight: 10 },
  { id: "eu", binding: "STORE_EU", description: "EU jurisdiction" },
  { id: "web", binding: "STORE_RO", "read-only": true },
]);
const BUCKETS: Record<string, R2Bucket> = {
  fast: env.IMAGES,
  slow: env.STORE_SLOW,
  eu: env.STORE_EU,
  web: env.STORE_RO,
};

type Doc = Record<string, unknown> & { id: string; status: string };

/** A multi-store Worker whose queue messages the test delivers itself. */
function site(overrides: Record<string, string> = {}) {
  const w = isolatedWorker({ STORES, ...overrides });
  const json = async (res: Response) => (await res.json()) as Doc;
  const show = async (id: string, as: Who = "admin") => json(await w.fetch("GET", `/v2/images/${id}`, undefined, as));
  const create = async (fields: Record<string, unknown> = {}, as: Who = "demo") =>
    json(await w.fetch("POST", "/v2/images", { disk_format: "raw", container_format: "bare", ...fields }, as));
  const upload = (id: string, headers: Record<string, string> = {}, as: Who = "demo") =>
    w.raw("PUT", `/v2/images/${id}/file`, { body: VECTOR, headers: { ...OCTET, ...headers } }, as);
  const stageAndImport = async (id: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    expect((await w.raw("PUT", `/v2/images/${id}/stage`, { body: VECTOR, headers: OCTET })).status).toBe(204);
    return w.raw("POST", `/v2/images/${id}/import`, {
      body: JSON.stringify({ method: { name: "glance-direct" }, ...body }),
      headers: { "Content-Type": "application/json", ...headers },
    });
  };
  /** Runs every queued task (in order), as the queue would. */
  const drain = async () => {
    while (w.sent.length > 0) await deliver(w.sent.shift()!.taskId, w.env);
  };
  return { ...w, show, create, upload, stageAndImport, drain };
}

const has = async (store: string, id: string) => (await BUCKETS[store]!.head(`images/${id}`)) !== null;
const where = async (id: string) => {
  const out: string[] = [];
  for (const s of Object.keys(BUCKETS)) if (await has(s, id)) out.push(s);
  return out;
};

afterEach(() => vi.unstubAllGlobals());

describe("one store (no STORES): today's behaviour", () => {
  it("404s stores discovery and DELETE /v2/stores, shows no stores attribute, refuses prefer", async () => {
    const res = await call("GET", "/v2/info/stores");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Multi backend is not supported at this site.");
    expect((await call("GET", "/v2/info/stores/detail", { as: "admin" })).status).toBe(404);
    const created = await call("POST", "/v2/images", { json: { disk_format: "raw", container_format: "bare" } });
    expect(created.headers.get("OpenStack-image-store-ids")).toBeNull();
    const img = (await created.json()) as Doc;
    const up = await call("PUT", `/v2/images/${img.id}/file`, {
      body: VECTOR,
      headers: { ...OCTET, "X-Image-Meta-Store": "nope" },
    });
    expect(up.status).toBe(204); // ignored with one store, as in Glance
    const shown = (await (await call("GET", `/v2/images/${img.id}`)).json()) as Doc;
    expect(shown.status).toBe("active");
    expect("stores" in shown).toBe(false);
    expect((await call("DELETE", `/v2/stores/default/${img.id}`)).status).toBe(404);
    expect((await call("GET", `/v2/images/${img.id}/file?prefer=default`)).status).toBe(400);
  });
});

describe("discovery with several stores", () => {
  it("lists the stores in configuration order (golden 45), details for admins, copy-image, more versions", async () => {
    const w = site();
    const res = await w.fetch("GET", "/v2/info/stores");
    expect(await res.json()).toEqual({
      stores: [
        { id: "fast", description: "Standard bucket", default: "true" },
        { id: "slow" },
        { id: "eu", description: "EU jurisdiction" },
        { id: "web", "read-only": "true" },
      ],
    });
    expect((await w.fetch("GET", "/v2/info/stores/detail")).status).toBe(403);
    const detail = (await (await w.fetch("GET", "/v2/info/stores/detail", undefined, "admin")).json()) as {
      stores: Record<string, unknown>[];
    };
    expect(detail.stores[1]).toEqual({ id: "slow", type: "r2", properties: { binding: "STORE_SLOW" }, weight: 10 });
    const methods = (await (await w.fetch("GET", "/v2/info/import")).json()) as Record<string, { value: string[] }>;
    expect(methods["import-methods"]!.value).toEqual(["glance-direct", "web-download", "copy-image"]);
    const created = await w.fetch("POST", "/v2/images", { name: "x" });
    expect(created.headers.get("OpenStack-image-store-ids")).toBe("fast,slow,eu,web");
    expect(created.headers.get("OpenStack-image-import-methods")).toBe("glance-direct,web-download,copy-image");
    const versions = (await (await w.fetch("GET", "/versions")).json()) as {
      versions: { id: string; status: string }[];
    };
    expect(versions.versions.map((v) => v.id).slice(0, 8)).toEqual([
      "v2.15",
      "v2.13",
      "v2.12",
      "v2.11",
      "v2.10",
      "v2.9",
      "v2.8",
      "v2.7",
    ]);
    expect((await w.fetch("GET", "/v2.10/info/stores")).status).toBe(200);
  });

  it("a bad STORES is a 503 naming nothing secret", async () => {
    for (const bad of [
      "[",
      "[]",
      '[{"id":"a","binding":"NOPE"}]',
      '[{"id":"a","binding":"IMAGES","read-only":true}]',
    ]) {
      const w = isolatedWorker({ STORES: bad });
      expect((await w.fetch("GET", "/v2/images")).status).toBe(503);
    }
  });
});

describe("uploads with X-Image-Meta-Store", () => {
  it("writes to the named store (default without the header); unknown 400, read-only 410, image stays queued", async () => {
    const w = site();
    const a = await w.create();
    expect((await w.upload(a.id)).status).toBe(204);
    expect((await w.show(a.id)).stores).toBe("fast");
    const b = await w.create();
    expect((await w.upload(b.id, { "X-Image-Meta-Store": "eu" })).status).toBe(204);
    expect(await w.show(b.id)).toMatchObject({ status: "active", stores: "eu", checksum: VECTOR_MD5 });
    expect(await where(b.id)).toEqual(["eu"]);
    const c = await w.create();
    const unknown = await w.upload(c.id, { "X-Image-Meta-Store": "mars" });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("Unknown scheme 'mars' found in URI");
    const ro = await w.upload(c.id, { "X-Image-Meta-Store": "web" });
    expect(ro.status).toBe(410);
    expect(await ro.text()).toContain("Adding images to store is disabled.");
    expect((await w.show(c.id)).status).toBe("queued");
    expect("stores" in (await w.show(c.id))).toBe(false);
  });
});

describe("import to chosen stores", () => {
  it("all_stores: every writable store, listed in configuration order; progress properties end empty", async () => {
    const w = site();
    const img = await w.create();
    expect((await w.stageAndImport(img.id, { all_stores: true })).status).toBe(202);
    const during = await w.show(img.id);
    expect(during).toMatchObject({
      status: "importing",
      os_glance_importing_to_stores: "fast,slow,eu",
      os_glance_failed_import: "",
    });
    await w.drain();
    const done = await w.show(img.id);
    expect(done).toMatchObject({
      status: "active",
      stores: "fast,slow,eu",
      os_glance_importing_to_stores: "",
      os_glance_failed_import: "",
    });
    expect(done.os_glance_import_task).toBeUndefined();
    expect(await where(img.id)).toEqual(["fast", "slow", "eu"]);
    const body = new Uint8Array(await (await w.raw("GET", `/v2/images/${img.id}/file?prefer=eu`)).arrayBuffer());
    expect(await digest("MD5", body)).toBe(VECTOR_MD5);
  });

  it("stores: only those (the staged copy in the default store goes); the task records them as its backend", async () => {
    const w = site();
    const img = await w.create();
    expect((await w.stageAndImport(img.id, { stores: ["eu", "slow"] })).status).toBe(202);
    await w.drain();
    expect(await w.show(img.id)).toMatchObject({ status: "active", stores: "slow,eu" });
    expect(await where(img.id)).toEqual(["slow", "eu"]);
    const tasks = (await (await w.fetch("GET", `/v2/images/${img.id}/tasks`)).json()) as { tasks: Doc[] };
    expect(tasks.tasks[0]!.input).toMatchObject({ backend: ["eu", "slow"] });
  });

  it("X-Image-Meta-Store names the one target; 409 unknown store, 400 for two ways of naming stores", async () => {
    const w = site();
    const img = await w.create();
    const unknown = await w.stageAndImport(img.id, { stores: ["mars"] });
    expect(unknown.status).toBe(409);
    expect(await unknown.text()).toContain("Unknown scheme 'mars' found in URI");
    const both = await w.raw("POST", `/v2/images/${img.id}/import`, {
      body: JSON.stringify({ method: { name: "glance-direct" }, all_stores: true, stores: ["eu"] }),
      headers: { "Content-Type": "application/json" },
    });
    expect(both.status).toBe(400);
    const twice = await w.raw("POST", `/v2/images/${img.id}/import`, {
      body: JSON.stringify({ method: { name: "glance-direct" }, stores: ["eu"] }),
      headers: { "Content-Type": "application/json", "X-Image-Meta-Store": "slow" },
    });
    expect(twice.status).toBe(400);
    const ok = await w.raw("POST", `/v2/images/${img.id}/import`, {
      body: JSON.stringify({ method: { name: "glance-direct" } }),
      headers: { "Content-Type": "application/json", "X-Image-Meta-Store": "slow" },
    });
    expect(ok.status).toBe(202);
    await w.drain();
    expect(await w.show(img.id)).toMatchObject({ status: "active", stores: "slow" });
  });

  it("all_stores_must_succeed (default): a read-only target fails the import, nothing is kept", async () => {
    const w = site();
    const img = await w.create();
    expect((await w.stageAndImport(img.id, { stores: ["fast", "web"] })).status).toBe(202);
    await w.drain();
    const shown = await w.show(img.id);
    expect(shown).toMatchObject({
      status: "queued",
      os_glance_failed_import: "web",
      os_glance_importing_to_stores: "",
    });
    expect(await where(img.id)).toEqual([]);
  });

  it("all_stores_must_succeed false: active with the stores that worked, the failed one recorded", async () => {
    const w = site();
    const img = await w.create();
    expect((await w.stageAndImport(img.id, { stores: ["web", "eu"], all_stores_must_succeed: false })).status).toBe(
      202,
    );
    await w.drain();
    expect(await w.show(img.id)).toMatchObject({
      status: "active",
      stores: "eu",
      os_glance_failed_import: "web",
      os_glance_importing_to_stores: "",
    });
    expect(await where(img.id)).toEqual(["eu"]);
  });

  it("web-download into a named store; a source that cannot be reached records that store as failed", async () => {
    serveFakeSource((req) =>
      new URL(req.url).pathname === "/ok" ? new Response(VECTOR) : new Response("no", { status: 404 }),
    );
    const w = site();
    const img = await w.create();
    const imp = (uri: string, id: string) =>
      w.fetch("POST", `/v2/images/${id}/import`, { method: { name: "web-download", uri }, stores: ["slow"] });
    expect((await imp(`http://${FAKE_HOST}/ok`, img.id)).status).toBe(202);
    await w.drain();
    expect(await w.show(img.id)).toMatchObject({ status: "active", stores: "slow", checksum: VECTOR_MD5 });
    expect(await where(img.id)).toEqual(["slow"]);
    const bad = await w.create();
    expect((await imp(`http://${FAKE_HOST}/missing`, bad.id)).status).toBe(202);
    await w.drain();
    expect(await w.show(bad.id)).toMatchObject({ status: "queued", os_glance_failed_import: "slow" });
  });
});

describe("copy-image", () => {
  const activeIn = async (w: ReturnType<typeof site>, store = "fast", as: Who = "demo") => {
    const img = await w.create({}, as);
    expect((await w.upload(img.id, { "X-Image-Meta-Store": store }, as)).status).toBe(204);
    return img;
  };
  const copy = (
    w: ReturnType<typeof site>,
    id: string,
    body: Record<string, unknown>,
    as: "admin" | "demo" = "admin",
  ) => w.fetch("POST", `/v2/images/${id}/import`, { method: { name: "copy-image" }, ...body }, as);

  it("copies to further stores while the image stays active; hashes match; redelivery changes nothing", async () => {
    const w = site();
    const img = await activeIn(w);
    expect((await copy(w, img.id, { all_stores: true, all_stores_must_succeed: false })).status).toBe(202);
    const during = await w.show(img.id);
    expect(during).toMatchObject({ status: "active", stores: "fast", os_glance_importing_to_stores: "slow,eu" });
    const taskId = w.sent[0]!.taskId;
    await w.drain();
    const done = await w.show(img.id);
    expect(done).toMatchObject({
      status: "active",
      stores: "fast,slow,eu",
      os_glance_importing_to_stores: "",
      os_glance_failed_import: "",
    });
    expect(done.os_glance_import_task).toBeUndefined();
    for (const s of ["slow", "eu"]) {
      const obj = await BUCKETS[s]!.get(`images/${img.id}`);
      expect(await digest("MD5", new Uint8Array(await obj!.arrayBuffer()))).toBe(VECTOR_MD5);
    }
    expect(await deliver(taskId, w.env)).toMatchObject({ explicitAcks: [expect.any(String)] });
    expect((await w.show(img.id)).stores).toBe("fast,slow,eu");
    // Everywhere already: nothing to do (Glance answers 202 without a task).
    expect((await copy(w, img.id, { all_stores: true })).status).toBe(202);
    expect(w.sent).toHaveLength(0);
  });

  it("admin only (403), active only (409), 400 when a named store already has it", async () => {
    const w = site();
    const img = await activeIn(w);
    expect((await copy(w, img.id, { stores: ["slow"] }, "demo")).status).toBe(403);
    const present = await copy(w, img.id, { stores: ["fast"] });
    expect(present.status).toBe(400);
    expect(await present.text()).toContain("Image is already present at store 'fast'");
    const queued = await w.create();
    expect((await copy(w, queued.id, { stores: ["slow"] })).status).toBe(409);
  });

  it("a source whose bytes no longer match the hashes: that store fails, nothing is left in it", async () => {
    const w = site();
    const img = await activeIn(w);
    await env.IMAGES.put(`images/${img.id}`, new Uint8Array(1024)); // same size, other bytes
    expect((await copy(w, img.id, { stores: ["slow", "eu"], all_stores_must_succeed: false })).status).toBe(202);
    await w.drain();
    expect(await w.show(img.id)).toMatchObject({
      status: "active",
      stores: "fast",
      os_glance_failed_import: "slow,eu",
    });
    expect(await has("slow", img.id)).toBe(false);
    expect(await has("eu", img.id)).toBe(false);
  });

  it("must succeed: a failing store removes the copies this task made; the image stays where it was", async () => {
    const w = site();
    const img = await activeIn(w);
    expect((await copy(w, img.id, { stores: ["slow", "web"] })).status).toBe(202);
    await w.drain();
    expect(await w.show(img.id)).toMatchObject({ status: "active", stores: "fast", os_glance_failed_import: "web" });
    expect(await where(img.id)).toEqual(["fast"]);
  });

  it("copies count against the storage quota; one that does not fit fails its store", async () => {
    // The alt project holds nothing else in this file.
    const w = site({ USER_STORAGE_QUOTA: "2500B" });
    const img = await activeIn(w, "fast", "alt");
    expect((await copy(w, img.id, { stores: ["slow"] })).status).toBe(202);
    await w.drain();
    expect((await w.show(img.id)).stores).toBe("fast,slow");
    const usage = (await (await w.fetch("GET", "/v2/info/usage", undefined, "alt")).json()) as Record<
      string,
      Record<string, Doc>
    >;
    expect(usage.usage!.image_count_total).toMatchObject({ usage: 1 });
    // 2048 bytes used by two copies: another 1024 do not fit.
    const third = await w.create({}, "alt");
    expect((await w.upload(third.id, {}, "alt")).status).toBe(413);
    expect((await copy(w, img.id, { stores: ["eu"], all_stores_must_succeed: false })).status).toBe(202);
    await w.drain();
    expect(await w.show(img.id)).toMatchObject({ stores: "fast,slow", os_glance_failed_import: "eu" });
    expect(await has("eu", img.id)).toBe(false);
  });
});

describe("copies and the storage quota under parallel runs", () => {
  it("two copies that do not both fit: exactly one is made", async () => {
    // The admin project holds nothing else in this file: 2048 bytes used, room for one more copy.
    const w = site({ USER_STORAGE_QUOTA: "3500B" });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const img = await w.create({}, "admin");
      expect((await w.upload(img.id, {}, "admin")).status).toBe(204);
      ids.push(img.id);
    }
    for (const id of ids) {
      const body = { method: { name: "copy-image" }, stores: ["slow"], all_stores_must_succeed: false };
      expect((await w.fetch("POST", `/v2/images/${id}/import`, body, "admin")).status).toBe(202);
    }
    const tasks = w.sent.splice(0);
    await Promise.all(tasks.map((t) => deliver(t.taskId, w.env)));
    const shown = await Promise.all(ids.map((id) => w.show(id)));
    expect(shown.map((d) => d.stores).sort()).toEqual(["fast", "fast,slow"]);
    expect(shown.map((d) => d.os_glance_failed_import).sort()).toEqual(["", "slow"]);
  });
});

describe("DELETE /v2/stores/{store}/{image} and downloads", () => {
  it("removes one store's copy, never the last; Glance's codes", async () => {
    const w = site();
    const img = await w.create();
    expect((await w.stageAndImport(img.id, { stores: ["fast", "slow"] })).status).toBe(202);
    await w.drain();
    expect((await w.fetch("DELETE", `/v2/stores/mars/${img.id}`)).status).toBe(409);
    expect((await w.fetch("DELETE", `/v2/stores/eu/${img.id}`)).status).toBe(404);
    expect((await w.fetch("DELETE", `/v2/stores/fast/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await w.fetch("DELETE", `/v2/stores/fast/${img.id}`, undefined, "alt")).status).toBe(404);
    expect((await w.fetch("DELETE", `/v2/stores/fast/${img.id}`)).status).toBe(204);
    expect(await w.show(img.id)).toMatchObject({ stores: "slow" });
    expect(await where(img.id)).toEqual(["slow"]);
    const last = await w.fetch("DELETE", `/v2/stores/slow/${img.id}`);
    expect(last.status).toBe(403);
    expect(await last.text()).toContain("Cannot delete image data from the only store containing it.");
    const queued = await w.create();
    expect((await w.fetch("DELETE", `/v2/stores/fast/${queued.id}`)).status).toBe(409);
  });

  it("reads the heaviest store first, falls back when its object is missing, honours prefer", async () => {
    const w = site();
    const img = await w.create();
    expect((await w.stageAndImport(img.id, { stores: ["fast", "slow"] })).status).toBe(202);
    await w.drain();
    // slow has weight 10: a different object there shows which store served.
    await env.STORE_SLOW.put(`images/${img.id}`, new Uint8Array(1024).fill(7));
    const body = async (path: string) => new Uint8Array(await (await w.raw("GET", path)).arrayBuffer());
    expect((await body(`/v2/images/${img.id}/file`))[0]).toBe(7);
    expect((await body(`/v2/images/${img.id}/file?prefer=fast`))[1]).toBe(1);
    expect((await w.raw("GET", `/v2/images/${img.id}/file?prefer=mars`)).status).toBe(400);
    await env.STORE_SLOW.delete(`images/${img.id}`);
    expect(await digest("MD5", await body(`/v2/images/${img.id}/file`))).toBe(VECTOR_MD5);
  });

  it("deleting the image removes its data from every store", async () => {
    const w = site();
    const img = await w.create();
    expect((await w.stageAndImport(img.id, { all_stores: true })).status).toBe(202);
    await w.drain();
    expect((await w.fetch("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
    expect(await where(img.id)).toEqual([]);
  });
});
