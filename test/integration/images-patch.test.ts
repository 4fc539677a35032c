// PATCH /v2/images/{id}: golden 05/08/10/11/12, both dialects, application/json as v2.1, atomicity, policy.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage, getImage, PROJECTS, patchImage } from "../helpers/api";
import { GOLDEN } from "../unit/fixtures/golden-bodies";

const V21 = "application/openstack-images-v2.1-json-patch";
const V20 = "application/openstack-images-v2.0-json-patch";
const HTML = { Accept: "*/*" };
const JSON_ACCEPT = { Accept: "application/json" };

function patch(
  id: string,
  ops: unknown,
  opts: { type?: string | null; accept?: Record<string, string>; as?: "demo" | "alt" | "admin" | "demoReader" } = {},
) {
  const headers: Record<string, string> = { ...(opts.accept ?? JSON_ACCEPT) };
  if (opts.type !== null) headers["Content-Type"] = opts.type ?? V21;
  return call("PATCH", `/v2/images/${id}`, {
    as: opts.as ?? "demo",
    body: typeof ops === "string" ? ops : JSON.stringify(ops),
    headers,
  });
}
const rawMessage = async (res: Response) => ((await res.json()) as { message: string }).message;
const message = async (res: Response) =>
  ((await res.json()) as { message: string }).message.replace(/<br \/><br \/>\n\n\n$/, "");

/** Golden 10's response body. */
const GOLDEN_10 = {
  os_distro: "ubuntu",
  name: "Ubuntu 14.04 LTS",
  disk_format: "raw",
  container_format: "bare",
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
  tags: ["trusty", "ubuntu", "lts", "14.04"],
  self: "/v2/images/2408342b-cb10-48c0-acc0-3b7aac6fd3df",
  file: "/v2/images/2408342b-cb10-48c0-acc0-3b7aac6fd3df/file",
  schema: "/v2/schemas/image",
};

describe("the golden sequence", () => {
  it("golden 10: the walkthrough PATCH", async () => {
    const img = await createImage({ name: "Ubuntu 14.04", tags: ["ubuntu", "14.04", "trusty"] });
    const res = await patchImage(img.id, [
      { op: "replace", path: "/name", value: "Ubuntu 14.04 LTS" },
      { op: "add", path: "/os_distro", value: "ubuntu" },
      { op: "replace", path: "/disk_format", value: "raw" },
      { op: "replace", path: "/container_format", value: "bare" },
      { op: "replace", path: "/tags", value: ["ubuntu", "14.04", "trusty", "lts"] },
    ]);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(Object.keys(GOLDEN_10).sort());
    // Extra properties come first, like Glance's serializer.
    expect(Object.keys(doc)[0]).toBe("os_distro");
    for (const [k, v] of Object.entries(GOLDEN_10))
      if (!["id", "owner", "created_at", "updated_at", "self", "file", "tags"].includes(k))
        expect(doc[k], k).toEqual(v);
    expect(doc.tags).toEqual([...GOLDEN_10.tags].sort());
    expect(doc.owner).toBe(PROJECTS.demo);
    expect(await getImage(img.id)).toEqual(doc);
  });

  it("golden 11: remove of a missing property -> 409 with the detail under WebOb's explanation", async () => {
    const img = await createImage();
    const res = await patch(img.id, [{ op: "remove", path: "/no_such_property" }], { accept: HTML });
    expect(res.status).toBe(409);
    const body = await res.text();
    expect(body).toBe(GOLDEN.g11);
    expect(new TextEncoder().encode(body).byteLength).toBe(219);
  });

  it("golden 12: replace /status -> 403 read-only", async () => {
    const img = await createImage();
    const res = await patch(img.id, [{ op: "replace", path: "/status", value: "active" }], { accept: HTML });
    expect(res.status).toBe(403);
    expect(await res.text()).toBe(GOLDEN.g12);
  });

  it("golden 08: /tags/- -> 400 invalid pointer", async () => {
    const img = await createImage();
    const res = await patch(img.id, [{ op: "add", path: "/tags/-", value: "lts" }], { accept: HTML });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(GOLDEN.g08);
  });

  it("golden 05 shape: an unsupported media type -> 415 + Accept-Patch, checked before the image is looked up", async () => {
    const img = await createImage();
    for (const id of [img.id, "00000000-0000-0000-0000-000000000000"]) {
      const res = await patch(id, [{ op: "replace", path: "/name", value: "x" }], {
        type: "application/json-patch+json",
        accept: HTML,
      });
      expect(res.status).toBe(415);
      expect(res.headers.get("accept-patch")).toBe(
        "application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch",
      );
      expect(await res.text()).toBe(GOLDEN.g05.replace("application/json", "application/json-patch+json"));
    }
    for (const type of ["text/plain", "application/merge-patch+json"]) {
      const res = await patch(img.id, [], { type });
      expect(res.status, type).toBe(415);
      expect(res.headers.get("accept-patch")).toContain("v2.1-json-patch");
    }
    const none = await patch(img.id, [], { type: null });
    expect(none.status).toBe(415);
    expect((await getImage(img.id)).name).toBeNull();
  });
});

describe("dialects", () => {
  it("application/json is read as v2.1 (the seed walkthrough)", async () => {
    const img = await createImage();
    const res = await patch(img.id, [{ op: "add", path: "/login-user", value: "root" }], { type: "application/json" });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Record<string, unknown>)["login-user"]).toBe("root");
    expect((await getImage(img.id))["login-user"]).toBe("root");
    // ...with v2.1 semantics: add overwrites.
    expect(
      (
        await patch(img.id, [{ op: "add", path: "/login-user", value: "admin" }], {
          type: "application/json; charset=UTF-8",
        })
      ).status,
    ).toBe(200);
    expect((await getImage(img.id))["login-user"]).toBe("admin");
  });

  it("v2.0: replace works, add of an existing base or extra property -> 409, add of a new one works", async () => {
    const img = await createImage({ os_distro: "ubuntu" });
    expect((await patch(img.id, [{ replace: "/name", value: "x" }], { type: V20 })).status).toBe(200);
    expect((await getImage(img.id)).name).toBe("x");
    const base = await patch(img.id, [{ add: "/name", value: "y" }], { type: V20 });
    expect(base.status).toBe(409);
    expect(await rawMessage(base)).toBe(
      "There was a conflict when trying to complete your request.<br /><br />\nProperty name already present.\n\n",
    );
    const extra = await patch(img.id, [{ add: "/os_distro", value: "debian" }], { type: V20, accept: HTML });
    expect(extra.status).toBe(409);
    expect(await extra.text()).toContain("Property os_distro already present.");
    expect((await patch(img.id, [{ add: "/hw_cpu_cores", value: "5" }], { type: V20 })).status).toBe(200);
    expect((await patch(img.id, [{ remove: "/hw_cpu_cores" }], { type: V20 })).status).toBe(200);
    const after = await getImage(img.id);
    expect(after.os_distro).toBe("ubuntu");
    expect(after).not.toHaveProperty("hw_cpu_cores");
    // v2.1-style objects are not understood under v2.0.
    expect((await patch(img.id, [{ op: "add", path: "/k", value: "v" }], { type: V20 })).status).toBe(400);
  });

  it("v2.1: add overwrites base and extra properties (what openstacksdk sends)", async () => {
    const img = await createImage({ name: "a", os_distro: "ubuntu" });
    const res = await patch(img.id, [
      { op: "add", path: "/name", value: "b" },
      { op: "add", path: "/os_distro", value: "debian" },
      { op: "add", path: "/tags", value: ["x", "y"] },
      { op: "add", path: "/visibility", value: "private" },
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: "b", os_distro: "debian", tags: ["x", "y"], visibility: "private" });
  });
});

describe("semantics and errors", () => {
  it("[] -> 200, image unchanged (updated_at too)", async () => {
    const img = await createImage({ name: "same" });
    const res = await patch(img.id, []);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(img);
  });

  it("replace of a missing extra property -> 409; remove of a base one -> 403", async () => {
    const img = await createImage();
    const missing = await patch(img.id, [{ op: "replace", path: "/nope", value: "x" }]);
    expect(missing.status).toBe(409);
    expect(await rawMessage(missing)).toBe(
      "There was a conflict when trying to complete your request.<br /><br />\nProperty nope does not exist.\n\n",
    );
    for (const key of ["name", "protected", "tags"]) {
      const res = await patch(img.id, [{ op: "remove", path: `/${key}` }]);
      expect(res.status).toBe(403);
      expect(await message(res)).toBe(`Property ${key} may not be removed.`);
    }
    for (const key of ["constructor", "toString", "__proto__"]) {
      expect((await patch(img.id, [{ op: "remove", path: `/${key}` }])).status, key).toBe(409);
      expect((await patch(img.id, [{ op: "replace", path: `/${key}`, value: "x" }])).status, key).toBe(409);
    }
  });

  it("read-only and reserved paths -> 403 for every op", async () => {
    const img = await createImage();
    for (const key of [
      "id",
      "status",
      "checksum",
      "size",
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
      "location",
      "locations",
      "deleted",
      "deleted_at",
      "os_glance_import_task",
      "os_glance",
    ])
      for (const op of ["add", "replace", "remove"]) {
        const res = await patch(img.id, [{ op, path: `/${key}`, value: "x" }]);
        expect(res.status, `${op} /${key}`).toBe(403);
      }
    expect(await getImage(img.id)).toEqual(img);
  });

  it("schema violations -> 400", async () => {
    const img = await createImage();
    const cases: [string, unknown][] = [
      ["/name", "n".repeat(256)],
      ["/min_ram", "512"],
      ["/min_ram", -1],
      ["/min_disk", 2147483648],
      ["/visibility", "foo"],
      ["/protected", "true"],
      ["/tags", ["t".repeat(256)]],
      ["/tags", "a"],
      ["/hw_cpu_cores", 5],
      [`/${"k".repeat(256)}`, "v"],
    ];
    for (const [path, value] of cases) {
      // v2.1 add sets base attributes and creates extra ones, so one op covers both kinds.
      const res = await patch(img.id, [{ op: "add", path, value }]);
      expect(res.status, `${path}=${JSON.stringify(value).slice(0, 30)}`).toBe(400);
    }
  });

  it("bad bodies and ops -> 400 with Glance's texts", async () => {
    const img = await createImage();
    const cases: [string, string][] = [
      ['{"op": "add"}', "Request body must be a JSON array of operation objects."],
      ['["x"]', "Operations must be JSON objects."],
      [
        '[{"op": "move", "from": "/a", "path": "/b"}]',
        "Invalid operation: `move`. It must be one of the following: add, remove, replace.",
      ],
      [
        '[{"path": "/name", "value": "x"}]',
        "Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.",
      ],
      ['[{"op": "add", "value": "x"}]', "Unable to find 'path' in JSON Schema change"],
      ['[{"op": "add", "path": "/name"}]', 'Operation "add" requires a member named "value".'],
      ['[{"op": "add", "path": "name", "value": "x"}]', 'Pointer `name` does not start with "/".'],
      [
        '[{"op": "add", "path": "/a~2", "value": "x"}]',
        'Pointer `/a~2` contains "~" not part of a recognized escape sequence.',
      ],
      ["[", "Malformed JSON in request body."],
      ["5", "Unexpected body type. Expected list/dict."],
      ["", "Body expected in request."],
    ];
    for (const [body, text] of cases) {
      const res = await patch(img.id, body);
      expect(res.status, body).toBe(400);
      expect(await message(res), body).toBe(text);
    }
  });

  it("JSON pointer escapes name properties containing / and ~", async () => {
    const img = await createImage();
    const res = await patch(img.id, [
      { op: "add", path: "/a~1b", value: "slash" },
      { op: "add", path: "/c~0d", value: "tilde" },
    ]);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ "a/b": "slash", "c~d": "tilde" });
  });

  it("a multi-op PATCH whose last op fails leaves the image unchanged", async () => {
    const img = await createImage({ name: "orig", tags: ["a"], keep: "1" });
    const res = await patch(img.id, [
      { op: "replace", path: "/name", value: "changed" },
      { op: "add", path: "/new", value: "v" },
      { op: "replace", path: "/tags", value: ["z"] },
      { op: "remove", path: "/keep" },
      { op: "remove", path: "/missing" },
    ]);
    expect(res.status).toBe(409);
    expect(await getImage(img.id)).toEqual(img);
    const quota = await patch(img.id, [
      { op: "replace", path: "/tags", value: Array.from({ length: 129 }, (_, i) => `t${i}`) },
    ]);
    expect(quota.status).toBe(413);
    expect(await getImage(img.id)).toEqual(img);
  });

  it("property quota: adding the 129th -> 413", async () => {
    const img = await createImage(Object.fromEntries(Array.from({ length: 128 }, (_, i) => [`p${i}`, "v"])));
    const res = await patch(img.id, [{ op: "add", path: "/p128", value: "v" }]);
    expect(res.status).toBe(413);
    expect(await message(res)).toBe(
      "The limit has been exceeded on the number of allowed image properties. Attempted: 129, Maximum: 128",
    );
  });

  it("updated_at moves on a real change, created_at never", async () => {
    const img = await createImage();
    await env.DB.prepare(
      "UPDATE images SET created_at = created_at - 5000, updated_at = updated_at - 5000 WHERE id = ?",
    )
      .bind(img.id)
      .run();
    const before = await getImage(img.id);
    const after = (await (await patch(img.id, [{ op: "replace", path: "/name", value: "n" }])).json()) as Record<
      string,
      unknown
    >;
    expect(after.created_at).toBe(before.created_at);
    expect(after.updated_at).not.toBe(before.updated_at);
  });
});

describe("status-dependent rules", () => {
  it("formats are locked after queued (403), other fields stay editable on active/deactivated images", async () => {
    for (const status of ["active", "deactivated"]) {
      const img = await createImage({ disk_format: "raw", container_format: "bare" });
      await env.DB.prepare("UPDATE images SET status = ? WHERE id = ?").bind(status, img.id).run();
      const res = await patch(img.id, [{ op: "replace", path: "/disk_format", value: "qcow2" }]);
      expect(res.status, status).toBe(403);
      expect(await message(res)).toBe("Attribute disk_format can be only replaced for a queued image.");
      const ok = await patch(img.id, [{ op: "replace", path: "/name", value: "renamed" }]);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ name: "renamed", status, disk_format: "raw" });
    }
  });
});

describe("policy", () => {
  it("other project's private image -> 404; a public one -> 403; reader -> 403; admin ok", async () => {
    const priv = await createImage({ visibility: "private" });
    const pub = await createImage({ visibility: "public", owner: PROJECTS.demo }, "admin");
    const op = [{ op: "replace", path: "/name", value: "hijack" }];
    const hidden = await patch(priv.id, op, { as: "alt" });
    expect(hidden.status).toBe(404);
    expect(await message(hidden)).toBe(`No image found with ID ${priv.id}`);
    expect((await patch(pub.id, op, { as: "alt" })).status).toBe(403);
    expect((await patch(priv.id, op, { as: "demoReader" })).status).toBe(403);
    expect((await getImage(priv.id)).name).toBeNull();
    expect((await getImage(pub.id)).name).toBeNull();
    expect((await patch(priv.id, op, { as: "admin" })).status).toBe(200);
  });

  it("owner and visibility=public need admin", async () => {
    const img = await createImage();
    for (const op of ["add", "replace"]) {
      const res = await patch(img.id, [{ op, path: "/owner", value: PROJECTS.alt }]);
      expect(res.status).toBe(403);
      expect(await message(res)).toBe("Owner can't be updated by non admin.");
    }
    const pub = await patch(img.id, [{ op: "replace", path: "/visibility", value: "public" }]);
    expect(pub.status).toBe(403);
    expect((await patch(img.id, [{ op: "replace", path: "/visibility", value: "community" }])).status).toBe(200);
    const adm = await patch(
      img.id,
      [
        { op: "replace", path: "/visibility", value: "public" },
        { op: "replace", path: "/owner", value: PROJECTS.alt },
      ],
      { as: "admin" },
    );
    expect(adm.status).toBe(200);
    expect(await adm.json()).toMatchObject({ visibility: "public", owner: PROJECTS.alt });
    // The old owner now only sees a public image it cannot change.
    expect((await patch(img.id, [{ op: "replace", path: "/name", value: "x" }])).status).toBe(403);
  });
});
