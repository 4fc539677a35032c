// Catalog behaviour beyond the recorded scenarios: tag names without case, atomic writes, races, keyset paging.
import { beforeAll, describe, expect, it } from "vitest";
import { BASE, call } from "../helpers/api";

const NS = "/v2/metadefs/namespaces";
const JSON_ACCEPT = { Accept: "application/json" };
const admin = (method: string, path: string, json?: unknown) =>
  call(method, path, { as: "admin", json, headers: JSON_ACCEPT });
// biome-ignore lint/suspicious/noExplicitAny: documents of many shapes, read field by field
type Json = Record<string, any>;
const body = async (res: Response) => (await res.json()) as Json;
const message = async (res: Response) => (await body(res)).message as string;

describe("tag names compare without case (Glance: 'metadata tag names are case insensitive')", () => {
  beforeAll(async () => {
    expect((await admin("POST", NS, { namespace: "case-ns", visibility: "public" })).status).toBe(201);
  });

  it("a tag differing only in case is a duplicate, and lookups ignore case", async () => {
    expect((await admin("POST", `${NS}/case-ns/tags/Foo`)).status).toBe(201);
    const dup = await admin("POST", `${NS}/case-ns/tags/foo`);
    expect(dup.status).toBe(409);
    expect(await message(dup)).toContain("A metadata tag with name=foo already exists in namespace=case-ns.");
    expect((await body(await admin("GET", `${NS}/case-ns/tags/FOO`))).name).toBe("Foo");
    expect(await admin("POST", `${NS}/case-ns/tags`, { tags: [{ name: "FOO" }] }).then((r) => r.status)).toBe(201);
    const bulk = await call("POST", `${NS}/case-ns/tags`, {
      as: "admin",
      json: { tags: [{ name: "bar" }, { name: "foo" }] },
      headers: { ...JSON_ACCEPT, "X-Openstack-Append": "true" },
    });
    expect(bulk.status).toBe(409);
    expect(await message(bulk)).toContain("name=foo already exists");
    const inRequest = await admin("POST", `${NS}/case-ns/tags`, { tags: [{ name: "x" }, { name: "X" }] });
    expect(await message(inRequest)).toContain("name=X already exists");
    expect((await body(await admin("GET", `${NS}/case-ns/tags`))).tags).toEqual([{ name: "FOO" }]);
  });

  it("renaming a tag to another case of its own name is allowed", async () => {
    expect((await body(await admin("PUT", `${NS}/case-ns/tags/foo`, { name: "fOO" }))).name).toBe("fOO");
  });
});

describe("a failed request changes nothing", () => {
  it("a namespace create that fails on its contents leaves no namespace and no new resource type", async () => {
    const res = await admin("POST", NS, {
      namespace: "atomic-ns",
      resource_type_associations: [{ name: "Brand::New::Type" }],
      properties: { p: { title: "P", type: "string" } },
      tags: [{ name: "same" }, { name: "Same" }],
    });
    expect(res.status).toBe(409);
    expect((await admin("GET", `${NS}/atomic-ns`)).status).toBe(404);
    const types = (await body(await admin("GET", "/v2/metadefs/resource_types"))).resource_types.map(
      (r: { name: string }) => r.name,
    );
    expect(types).not.toContain("Brand::New::Type");
  });

  it("a bulk tag replace that fails keeps the old tags", async () => {
    await admin("POST", NS, { namespace: "atomic-tags", tags: [{ name: "keep" }] });
    expect((await admin("POST", `${NS}/atomic-tags/tags`, { tags: [{ name: "a" }, { name: "a" }] })).status).toBe(409);
    expect((await body(await admin("GET", `${NS}/atomic-tags/tags`))).tags).toEqual([{ name: "keep" }]);
  });
});

describe("races", () => {
  it("of parallel creates of one namespace exactly one wins, the others get Glance's 409", async () => {
    const all = await Promise.all(
      Array.from({ length: 6 }, (_, i) => admin("POST", NS, { namespace: "race-ns", description: `#${i}` })),
    );
    expect(all.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of all.filter((x) => x.status === 409))
      expect(await message(r)).toContain("The metadata definition namespace=race-ns already exists.");
  });

  it("parallel appends of the same tags store each tag once", async () => {
    const append = () =>
      call("POST", `${NS}/race-ns/tags`, {
        as: "admin",
        json: { tags: [{ name: "x" }, { name: "y" }] },
        headers: { "X-Openstack-Append": "yes" },
      });
    const all = await Promise.all([append(), append(), append()]);
    expect(all.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const names = (await body(await admin("GET", `${NS}/race-ns/tags`))).tags
      .map((t: { name: string }) => t.name)
      .sort();
    expect(names).toEqual(["x", "y"]);
  });
});

describe("keyset paging of GET /v2/metadefs/namespaces", () => {
  const names = Array.from({ length: 23 }, (_, i) => `page-${String(i).padStart(2, "0")}`);
  beforeAll(async () => {
    for (const [i, name] of names.entries()) {
      // Repeated display names and missing ones, so ties and NULLs are crossed by page boundaries.
      const display = i % 3 === 0 ? undefined : `D${i % 4}`;
      const res = await admin("POST", NS, {
        namespace: name,
        display_name: display,
        protected: i % 2 === 0,
        visibility: "public",
      });
      expect(res.status).toBe(201);
      if (i % 5 === 0)
        await admin("PUT", `${NS}/${name}`, {
          namespace: name,
          display_name: display,
          protected: i % 2 === 0,
          visibility: "public",
        });
    }
  });

  const walk = async (query: string) => {
    const seen: string[] = [];
    let next: string | undefined = `${NS}?${query}`;
    let pages = 0;
    while (next) {
      const page = await body(await call("GET", next, { as: "demo", headers: JSON_ACCEPT }));
      expect(page.first).toBe(`${NS}?${query}`);
      seen.push(...page.namespaces.map((n: { namespace: string }) => n.namespace));
      next = page.next;
      if (++pages > 50) throw new Error("paging does not end");
    }
    return seen.filter((n) => n.startsWith("page-"));
  };

  for (const key of ["created_at", "namespace", "display_name", "protected", "updated_at"]) {
    for (const dir of ["asc", "desc"]) {
      it(`sort_key=${key}&sort_dir=${dir}: pages of 4 hold every namespace once, in the order of one big page`, async () => {
        const all = (
          await body(await call("GET", `${NS}?sort_key=${key}&sort_dir=${dir}&limit=1000`, { as: "demo" }))
        ).namespaces
          .map((n: { namespace: string }) => n.namespace)
          .filter((n: string) => n.startsWith("page-"));
        expect(all).toHaveLength(23);
        expect(await walk(`sort_key=${key}&sort_dir=${dir}&limit=4`)).toEqual(all);
        if (key === "namespace") expect(all).toEqual(dir === "asc" ? names : [...names].reverse());
      });
    }
  }

  it("the default order is newest first, and next appears on every full page", async () => {
    const seen = await walk("limit=5");
    expect(seen).toEqual([...names].reverse());
  });
});

describe("contents", () => {
  it("a namespace with 400 properties and 50 objects is created in one request and shown whole", async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`p${i}`, { title: `P${i}`, type: "integer" }]),
    );
    const objects = Array.from({ length: 50 }, (_, i) => ({
      name: `o${i}`,
      properties: { x: { title: "X", type: "string" } },
    }));
    expect((await admin("POST", NS, { namespace: "big-ns", properties, objects })).status).toBe(201);
    const shown = await body(await admin("GET", `${NS}/big-ns`));
    expect(Object.keys(shown.properties)).toHaveLength(400);
    expect(shown.objects).toHaveLength(50);
  });

  it("a rename keeps the contents; a delete takes them along", async () => {
    await admin("POST", NS, {
      namespace: "move-ns",
      resource_type_associations: [{ name: "OS::Glance::Image" }],
      properties: { p: { title: "P", type: "string" } },
      objects: [{ name: "o" }],
      tags: [{ name: "t" }],
    });
    expect((await admin("PUT", `${NS}/move-ns`, { namespace: "moved-ns" })).status).toBe(200);
    const moved = await body(await admin("GET", `${NS}/moved-ns`));
    expect([
      moved.properties.p.title,
      moved.objects[0].name,
      moved.tags[0].name,
      moved.resource_type_associations[0].name,
    ]).toEqual(["P", "o", "t", "OS::Glance::Image"]);
    expect((await admin("DELETE", `${NS}/moved-ns`)).status).toBe(204);
    expect((await admin("POST", NS, { namespace: "moved-ns" })).status).toBe(201);
    const fresh = await body(await admin("GET", `${NS}/moved-ns`));
    for (const key of ["properties", "objects", "tags", "resource_type_associations"])
      expect(fresh).not.toHaveProperty(key);
  });

  it("PUT replaces every field: what is left out falls back (owner to the caller's project), as in Glance", async () => {
    await admin("POST", NS, {
      namespace: "put-ns",
      display_name: "D",
      description: "d",
      owner: "demo-project",
      visibility: "public",
    });
    const updated = await body(await admin("PUT", `${NS}/put-ns`, { namespace: "put-ns" }));
    expect(updated).toMatchObject({
      namespace: "put-ns",
      visibility: "private",
      protected: false,
      owner: "admin-project",
    });
    expect(updated).not.toHaveProperty("display_name");
    expect(updated).not.toHaveProperty("description");
  });

  it("Location is absolute; HEAD and unknown methods get 405 with Glance's Allow", async () => {
    const res = await admin("POST", NS, { namespace: "loc ns" });
    expect(res.headers.get("location")).toBe(`${BASE}/v2/metadefs/namespaces/loc ns`);
    expect((await body(await admin("GET", `${NS}/loc%20ns`))).namespace).toBe("loc ns");
    const head = await call("HEAD", `${NS}/loc%20ns/tags/x`, { as: "admin" });
    expect(head.status).toBe(405);
    expect(head.headers.get("allow")).toBe("GET, POST, PUT, DELETE");
  });

  it("a body over MAX_JSON_BODY is 413 before anything is parsed", async () => {
    const description = "x".repeat(70 * 1024);
    expect((await admin("POST", NS, { namespace: "huge", description })).status).toBe(413);
  });
});
