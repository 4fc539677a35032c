// POST /v2/images, GET and DELETE /v2/images/{id}: golden 03/04/38/39/40/41/42 shapes and every create error path.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BASE, call, createImage, getImage, PROJECTS } from "../helpers/api";
import { GOLDEN, GOLDEN_IMAGE_ID } from "../unit/fixtures/golden-bodies";

const HTML = { Accept: "*/*" };
const JSON_ACCEPT = { Accept: "application/json" };
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Golden 03's response body (Glance 25, created with a name and three tags). */
const GOLDEN_03 = {
  name: "Ubuntu 14.04",
  disk_format: null,
  container_format: null,
  visibility: "shared",
  size: null,
  virtual_size: null,
  status: "queued",
  checksum: null,
  protected: false,
  min_ram: 0,
  min_disk: 0,
  owner: "30cc542094fe5026981f431bb898f2c3",
  os_hidden: false,
  os_hash_algo: null,
  os_hash_value: null,
  id: "2408342b-cb10-48c0-acc0-3b7aac6fd3df",
  created_at: "2026-11-28T16:56:20Z",
  updated_at: "2026-11-28T16:56:20Z",
  tags: ["trusty", "ubuntu", "14.04"],
  self: "/v2/images/2408342b-cb10-48c0-acc0-3b7aac6fd3df",
  file: "/v2/images/2408342b-cb10-48c0-acc0-3b7aac6fd3df/file",
  schema: "/v2/schemas/image",
};
const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
const types = (doc: Record<string, unknown>) => Object.fromEntries(Object.entries(doc).map(([k, v]) => [k, typeOf(v)]));

async function post(body: unknown, as: "demo" | "admin" | "alt" | "demoReader" = "demo") {
  const res = await call("POST", "/v2/images", { as, json: body, headers: JSON_ACCEPT });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { message?: string } };
}
const messageOf = (m: unknown) => String(m).replace(/<br \/><br \/>\n\n\n$/, "");

describe("create: the golden 03 shape", () => {
  it("201, absolute Location, same keys, value types and defaults as Glance", async () => {
    const res = await call("POST", "/v2/images", {
      json: { name: "Ubuntu 14.04", tags: ["ubuntu", "14.04", "trusty"] },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as Record<string, unknown> & { id: string };
    expect(res.headers.get("location")).toBe(`${BASE}/v2/images/${doc.id}`);
    expect(Object.keys(doc).sort()).toEqual(Object.keys(GOLDEN_03).sort());
    expect(types(doc)).toEqual(types(GOLDEN_03));
    const volatile = ["id", "owner", "created_at", "updated_at", "self", "file", "tags"];
    for (const [k, v] of Object.entries(GOLDEN_03)) if (!volatile.includes(k)) expect(doc[k], k).toEqual(v);
    expect(doc.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(doc.owner).toBe(PROJECTS.demo);
    expect(doc.created_at).toMatch(TIME);
    expect(doc.updated_at).toBe(doc.created_at);
    expect(doc.self).toBe(`/v2/images/${doc.id}`);
    expect(doc.file).toBe(`/v2/images/${doc.id}/file`);
    expect(doc.tags).toEqual(["14.04", "trusty", "ubuntu"]);
  });

  it("{} creates a nameless queued shared image; tags are a sorted set", async () => {
    const { status, body } = await post({});
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: null,
      status: "queued",
      visibility: "shared",
      tags: [],
      protected: false,
      os_hidden: false,
    });
    const t = await post({ tags: ["b", "a", "b", "a"] });
    expect(t.body.tags).toEqual(["a", "b"]);
  });

  it("stores every settable field and string extra properties (dots, colons)", async () => {
    const id = "4b7c1b0e-AAAA-4bbb-8ccc-0123456789ab";
    const { status, body } = await post({
      id,
      name: "full",
      visibility: "private",
      protected: true,
      os_hidden: true,
      min_ram: 512,
      min_disk: 2147483647,
      container_format: "bare",
      disk_format: "qcow2",
      "owner_specified.openstack.md5": "",
      "trait:STORAGE_DISK_SSD": "required",
      kernel_id: "2408342b-cb10-48c0-acc0-3b7aac6fd3df",
      ramdisk_id: null,
      "<script>": "<script>alert(1)</script>",
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      id,
      visibility: "private",
      protected: true,
      os_hidden: true,
      min_ram: 512,
      min_disk: 2147483647,
      container_format: "bare",
      disk_format: "qcow2",
      "owner_specified.openstack.md5": "",
      "trait:STORAGE_DISK_SSD": "required",
      "<script>": "<script>alert(1)</script>",
    });
    const shown = await getImage(id);
    expect(shown).toEqual(body);
  });

  it("community by a member is fine; public needs admin", async () => {
    expect((await post({ visibility: "community" })).status).toBe(201);
    const pub = await post({ visibility: "public" });
    expect(pub.status).toBe(403);
    expect(messageOf(pub.body.message)).toBe("You are not authorized to complete publicize_image action.");
    expect((await post({ visibility: "public" }, "admin")).status).toBe(201);
  });

  it("owner: caller's project by default, admin may set any (or none), others 403", async () => {
    expect((await post({}, "alt")).body.owner).toBe(PROJECTS.alt);
    expect((await post({ owner: PROJECTS.demo })).status).toBe(201);
    const other = await post({ owner: PROJECTS.alt });
    expect(other.status).toBe(403);
    expect(messageOf(other.body.message)).toBe("You are not permitted to create images owned by 'alt-project'.");
    expect((await post({ owner: null })).status).toBe(403);
    const adm = await post({ owner: PROJECTS.alt }, "admin");
    expect([adm.status, adm.body.owner]).toEqual([201, PROJECTS.alt]);
    const none = await post({ owner: null }, "admin");
    expect([none.status, none.body.owner]).toEqual([201, null]);
  });

  it("a reader cannot create", async () => {
    const r = await post({ name: "x" }, "demoReader");
    expect(r.status).toBe(403);
    expect(messageOf(r.body.message)).toBe("You are not authorized to complete add_image action.");
  });

  it("__proto__ is an ordinary extra property, end to end", async () => {
    const res = await call("POST", "/v2/images", {
      body: '{"__proto__": "x", "constructor": "y"}',
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(201);
    const text = await res.text();
    expect(text).toContain('"__proto__":"x"');
    const id = (JSON.parse(text) as { id: string }).id;
    const shown = await (await call("GET", `/v2/images/${id}`)).text();
    expect(shown).toContain('"__proto__":"x"');
    expect(shown).toContain('"constructor":"y"');
  });
});

describe("create: refused attributes", () => {
  it.each([
    "status",
    "size",
    "checksum",
    "virtual_size",
    "created_at",
    "updated_at",
    "os_hash_algo",
    "os_hash_value",
    "self",
    "file",
    "schema",
    "direct_url",
    "stores",
  ])("%s -> 403 read-only", async (key) => {
    const r = await post({ name: "x", [key]: key === "size" || key === "virtual_size" ? 1 : "v" });
    expect(r.status).toBe(403);
    expect(messageOf(r.body.message)).toBe(`Attribute '${key}' is read-only.`);
  });

  it.each(["location", "locations", "deleted", "deleted_at", "os_glance", "os_glance_x", "os_glance_import_task"])(
    "%s -> 403 reserved",
    async (key) => {
      const r = await post({ [key]: "v" });
      expect(r.status).toBe(403);
      expect(messageOf(r.body.message)).toBe(`Attribute '${key}' is reserved.`);
    },
  );

  it("HTML rendering of a read-only 403 escapes quotes like golden 12", async () => {
    const res = await call("POST", "/v2/images", { json: { status: "active" }, headers: HTML });
    expect(await res.text()).toBe(GOLDEN.g12);
  });
});

describe("create: validation", () => {
  it.each<[string, Record<string, unknown>]>([
    ["visibility enum", { visibility: "foo" }],
    ["disk_format enum", { disk_format: "exe" }],
    ["container_format enum", { container_format: "raw" }],
    ["non-UUID id", { id: "not-a-uuid" }],
    ["tags not an array", { tags: "a" }],
    ["tag 256", { tags: ["x".repeat(256)] }],
    ["name 256", { name: "n".repeat(256) }],
    ["owner 256 (admin)", { owner: "o".repeat(256) }],
    ["custom key 256", { ["k".repeat(256)]: "v" }],
    ["non-string extra number", { hw_cpu_cores: 5 }],
    ["non-string extra bool", { hw: true }],
    ["non-string extra null", { hw: null }],
    ["non-string extra object", { hw: { a: "b" } }],
    ["min_ram -1", { min_ram: -1 }],
    ["min_ram 2147483648", { min_ram: 2147483648 }],
    ['min_ram "5"', { min_ram: "5" }],
    ["min_disk 1.5", { min_disk: 1.5 }],
    ['protected "true"', { protected: "true" }],
    ['os_hidden "true"', { os_hidden: "true" }],
    ["kernel_id not a UUID", { kernel_id: "abc" }],
  ])("%s -> 400", async (_, body) => {
    const r = await post(body, "admin");
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("400 Bad Request");
  });

  it("exact messages for the common ones", async () => {
    expect(messageOf((await post({ min_ram: -1 })).body.message)).toBe(
      "Invalid value '-1' for parameter 'min_ram': Cannot be a negative value",
    );
    expect(messageOf((await post({ min_disk: 2147483648 })).body.message)).toBe(
      "'min_disk' value out of range, must not exceed 2147483647.",
    );
    expect(messageOf((await post({ ["k".repeat(256)]: "v" })).body.message)).toBe(
      "Custom property should not be greater than 255 characters.",
    );
    expect(messageOf((await post({ visibility: "foo" })).body.message)).toBe(
      "Provided object does not match schema 'image': 'foo' is not one of ['community', 'public', 'private', 'shared']",
    );
    expect(messageOf((await post({ protected: "true" })).body.message)).toBe(
      "Provided object does not match schema 'image': 'true' is not of type 'boolean'",
    );
  });

  it("name of 255 and custom key of 255 are accepted", async () => {
    expect((await post({ name: "n".repeat(255) })).status).toBe(201);
    expect((await post({ ["k".repeat(255)]: "v" })).status).toBe(201);
  });

  it("129 tags / 129 properties -> 413; 128 and duplicate tags are fine", async () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    const props = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, "v"]));
    expect((await post({ tags: tags(128) })).status).toBe(201);
    expect((await post({ tags: [...tags(128), "t0", "t1"] })).status).toBe(201);
    const t = await post({ tags: tags(129) });
    expect(t.status).toBe(413);
    expect(messageOf(t.body.message)).toBe(
      "The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128",
    );
    expect((await post(props(128))).status).toBe(201);
    const p = await post(props(129));
    expect(p.status).toBe(413);
    expect(messageOf(p.body.message)).toBe(
      "The limit has been exceeded on the number of allowed image properties. Attempted: 129, Maximum: 128",
    );
  });

  it("duplicate id -> 409, also when the image was deleted (ids are never reused)", async () => {
    const img = await createImage();
    const dup = await post({ id: img.id });
    expect(dup.status).toBe(409);
    expect(messageOf(dup.body.message)).toBe(`Image ID ${img.id} already exists!`);
    expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
    expect((await post({ id: img.id })).status).toBe(409);
  });

  it("bad bodies: malformed (golden 40), scalar, array, empty", async () => {
    const golden40 = await call("POST", "/v2/images", {
      body: '{"name": ',
      headers: { "Content-Type": "application/json", ...HTML },
    });
    expect(golden40.status).toBe(400);
    expect(await golden40.text()).toBe(GOLDEN.g40);
    for (const [body, msg] of [
      ["true", "Unexpected body type. Expected list/dict."],
      ['"x"', "Unexpected body type. Expected list/dict."],
      ["123", "Unexpected body type. Expected list/dict."],
      ["null", "Unexpected body type. Expected list/dict."],
      ["[]", "Provided object does not match schema 'image': [] is not of type 'object'"],
      ["", "Body expected in request."],
    ] as const) {
      const res = await call("POST", "/v2/images", {
        body,
        headers: { "Content-Type": "application/json", ...JSON_ACCEPT },
      });
      expect(res.status, body).toBe(400);
      expect(messageOf(((await res.json()) as { message: string }).message)).toBe(msg);
    }
    expect((await call("POST", "/v2/images", { headers: JSON_ACCEPT })).status).toBe(400);
  });

  it("accepts a shell line continuation between tokens (the seed walkthrough)", async () => {
    const res = await call("POST", "/v2/images", {
      body: '{"name": "seed", \\\n "disk_format": "raw"}',
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(201);
  });

  it("a 70 KiB body -> 413", async () => {
    const res = await call("POST", "/v2/images", {
      json: { description: "d".repeat(70 * 1024) },
      headers: JSON_ACCEPT,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { code: string }).code).toBe("413 Request Entity Too Large");
  });
});

describe("show", () => {
  it("200 with the same document create returned", async () => {
    const res = await call("POST", "/v2/images", { json: { name: "s", os_distro: "ubuntu" } });
    const created = (await res.json()) as Record<string, unknown> & { id: string };
    const shown = await call("GET", `/v2/images/${created.id}`);
    expect(shown.status).toBe(200);
    expect(await shown.json()).toEqual(created);
  });

  it("golden 42: unknown UUID with Accept: application/json", async () => {
    const res = await call("GET", "/v2/images/00000000-0000-0000-0000-000000000000", { headers: JSON_ACCEPT });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(GOLDEN.g42);
  });

  it("golden 41: a non-UUID id is a plain 404", async () => {
    const res = await call("GET", "/v2/images/not-a-uuid", { headers: HTML });
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(await res.text()).toBe(GOLDEN.g41);
  });

  it("plain text when Accept is absent", async () => {
    const res = await call("GET", "/v2/images/1f2d");
    expect(res.headers.get("content-type")).toBe("text/plain; charset=UTF-8");
    expect(await res.text()).toBe("404 Not Found\n\nNo image found with ID 1f2d\n\n   ");
  });

  it("other projects: private/shared hidden (404), public and community visible", async () => {
    const priv = await createImage({ visibility: "private" });
    const shared = await createImage();
    const com = await createImage({ visibility: "community" });
    const pub = await createImage({ visibility: "public", owner: PROJECTS.demo }, "admin");
    expect((await call("GET", `/v2/images/${priv.id}`, { as: "alt" })).status).toBe(404);
    expect((await call("GET", `/v2/images/${shared.id}`, { as: "alt" })).status).toBe(404);
    expect((await call("GET", `/v2/images/${com.id}`, { as: "alt" })).status).toBe(200);
    expect((await call("GET", `/v2/images/${pub.id}`, { as: "alt" })).status).toBe(200);
    expect((await call("GET", `/v2/images/${priv.id}`, { as: "demoReader" })).status).toBe(200);
    expect((await call("GET", `/v2/images/${priv.id}`, { as: "admin" })).status).toBe(200);
  });
});

describe("delete", () => {
  it("204, then golden 38 on GET and golden 39 on DELETE again", async () => {
    const img = await createImage({ name: "gone" });
    const del = await call("DELETE", `/v2/images/${img.id}`);
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    const show = await call("GET", `/v2/images/${img.id}`, { headers: HTML });
    expect(show.status).toBe(404);
    expect(await show.text()).toBe(GOLDEN.g38.replace(GOLDEN_IMAGE_ID, img.id));
    const again = await call("DELETE", `/v2/images/${img.id}`, { headers: HTML });
    expect(again.status).toBe(404);
    expect(await again.text()).toBe(GOLDEN.g39.replace(GOLDEN_IMAGE_ID, img.id));
    // Every other route on a deleted image is a 404 too.
    const patch = await call("PATCH", `/v2/images/${img.id}`, {
      body: "[]",
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
    });
    expect(patch.status).toBe(404);
    expect((await call("PUT", `/v2/images/${img.id}/tags/x`)).status).toBe(404);
    expect((await call("POST", `/v2/images/${img.id}/actions/deactivate`)).status).toBe(404);
    const row = await env.DB.prepare("SELECT status, deleted FROM images WHERE id = ?").bind(img.id).first();
    expect(row).toEqual({ status: "deleted", deleted: 1 });
  });

  it("protected -> 403, unprotect, then 204", async () => {
    const img = await createImage({ protected: true });
    const res = await call("DELETE", `/v2/images/${img.id}`, { headers: JSON_ACCEPT });
    expect(res.status).toBe(403);
    expect(messageOf(((await res.json()) as { message: string }).message)).toBe(
      `Image ${img.id} is protected and cannot be deleted.`,
    );
    expect((await getImage(img.id)).status).toBe("queued");
    const un = await call("PATCH", `/v2/images/${img.id}`, {
      body: JSON.stringify([{ op: "replace", path: "/protected", value: false }]),
      headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
    });
    expect(un.status).toBe(200);
    expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
  });

  it("another project: 404 for a hidden image, 403 for a visible one; readers 403; admin may", async () => {
    const priv = await createImage({ visibility: "private" });
    const com = await createImage({ visibility: "community" });
    const hidden = await call("DELETE", `/v2/images/${priv.id}`, { as: "alt", headers: JSON_ACCEPT });
    expect(hidden.status).toBe(404);
    expect(messageOf(((await hidden.json()) as { message: string }).message)).toBe(
      `Failed to find image ${priv.id} to delete`,
    );
    expect((await call("DELETE", `/v2/images/${com.id}`, { as: "alt" })).status).toBe(403);
    expect((await call("DELETE", `/v2/images/${priv.id}`, { as: "demoReader" })).status).toBe(403);
    expect((await getImage(priv.id)).status).toBe("queued");
    expect((await getImage(com.id)).status).toBe("queued");
    expect((await call("DELETE", `/v2/images/${com.id}`, { as: "admin" })).status).toBe(204);
  });

  it("an active or deactivated image can be deleted", async () => {
    for (const status of ["active", "deactivated"]) {
      const img = await createImage();
      await env.DB.prepare("UPDATE images SET status = ? WHERE id = ?").bind(status, img.id).run();
      expect((await call("DELETE", `/v2/images/${img.id}`)).status, status).toBe(204);
    }
  });
});
