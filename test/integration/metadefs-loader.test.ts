// The SQL `npm run metadefs:load` runs, executed against D1, then read back through the API as Glance shows it.
import { describe, expect, it } from "vitest";
import { call } from "../helpers/api";
import { EXAMPLE_FILES, loadCatalog } from "../helpers/metadef-catalog";

// biome-ignore lint/suspicious/noExplicitAny: documents of many shapes, read field by field
type Json = Record<string, any>;
const NS = "/v2/metadefs/namespaces";
const show = async (name: string, as: "admin" | "demo" = "admin") => {
  const res = await call("GET", `${NS}/${name}`, { as, headers: { Accept: "application/json" } });
  return { status: res.status, body: (await res.json()) as Json };
};

describe("loading Glance metadef files", () => {
  it("maps a file as glance-manage does: owner admin, no updated_at, protected resource types, object required ignored", async () => {
    const out = await loadCatalog();
    expect(out.errors).toEqual([]);
    expect(out.namespaces).toEqual(["Example::Compute", "Example::Private"]);
    const { status, body } = await show("Example::Compute");
    expect(status).toBe(200);
    expect(body.owner).toBe("admin");
    expect(body.protected).toBe(true);
    expect(body).not.toHaveProperty("updated_at");
    expect(body.resource_type_associations.map((a: { name: string }) => a.name)).toEqual([
      "OS::Glance::Image",
      "OS::Nova::Flavor",
    ]);
    expect(body.resource_type_associations[1]).toMatchObject({ prefix: "ex:", properties_target: "image" });
    // Stored as given, shown through Glance's model: the integer default reads as the string "2".
    expect(body.properties.cores).toEqual({
      type: "integer",
      title: "Cores",
      description: "How many",
      default: "2",
      minimum: 1,
    });
    expect(body.objects.map((o: { name: string }) => o.name)).toEqual(["Bare", "Limits"]);
    expect(body.objects[1].required).toEqual([]);
    expect(body.objects[0].properties).toEqual({});
    expect(body.tags.map((t: { name: string }) => t.name).sort()).toEqual(["compute", "example"]);
    const types = (await (await call("GET", "/v2/metadefs/resource_types")).json()) as {
      resource_types: { name: string }[];
    };
    expect(types.resource_types.map((r) => r.name)).toEqual([
      "OS::Glance::Image",
      "OS::Nova::Flavor",
      "OS::Cinder::Volume",
    ]);
  });

  it("a file without visibility is private to its owner 'admin': hidden from projects", async () => {
    expect((await show("Example::Private")).body.visibility).toBe("private");
    expect((await show("Example::Private", "demo")).status).toBe(404);
    const list = (await (await call("GET", NS, { as: "demo" })).json()) as { namespaces: { namespace: string }[] };
    expect(list.namespaces.map((n) => n.namespace)).toEqual(["Example::Compute"]);
  });

  it("loading again changes nothing (existing namespaces are skipped with their contents)", async () => {
    const before = await show("Example::Compute");
    await call("DELETE", `${NS}/Example::Private/properties`, { as: "admin" });
    const out = await loadCatalog();
    expect(out.errors).toEqual([]);
    expect((await show("Example::Compute")).body).toEqual(before.body);
    expect((await show("Example::Private")).body).not.toHaveProperty("properties");
  });

  it("--merge adds what is missing and keeps what is there", async () => {
    await call("DELETE", `${NS}/Example::Compute/tags/example`, { as: "admin" });
    await loadCatalog(EXAMPLE_FILES, "merge");
    const { body } = await show("Example::Compute");
    expect(body.tags.map((t: { name: string }) => t.name).sort()).toEqual(["compute", "example"]);
    expect(body).not.toHaveProperty("updated_at");
    expect(Object.keys((await show("Example::Private")).body.properties)).toEqual(["flag"]);
  });

  it("--merge --prefer-new updates namespace fields and contents from the files", async () => {
    const changed = structuredClone(EXAMPLE_FILES);
    Object.assign(changed[0]!.doc as Record<string, unknown>, { display_name: "Renamed by file" });
    ((changed[0]!.doc as Json).properties.cores as Json).title = "Cores (new)";
    await loadCatalog(changed, "prefer_new");
    const { body } = await show("Example::Compute");
    expect(body.display_name).toBe("Renamed by file");
    expect(body.properties.cores.title).toBe("Cores (new)");
    expect(body).toHaveProperty("updated_at");
  });

  it("--merge --overwrite replaces a namespace and drops what the file does not have", async () => {
    await call("POST", `${NS}/Example::Compute/tags/extra`, { as: "admin" });
    await loadCatalog(EXAMPLE_FILES, "overwrite");
    const { body } = await show("Example::Compute");
    expect(body.display_name).toBe("Example compute settings");
    expect(body.tags.map((t: { name: string }) => t.name).sort()).toEqual(["compute", "example"]);
    expect(body).not.toHaveProperty("updated_at");
  });

  it("reports bad files and loads the rest; a namespace repeated in a later file is skipped", async () => {
    const out = await loadCatalog([
      { name: "no-namespace.json", doc: { display_name: "x" } },
      { name: "bad-props.json", doc: { namespace: "Bad::Props", properties: [] } },
      { name: "a.json", doc: { namespace: "Example::Fresh", visibility: "public", tags: [{ name: "one" }] } },
      { name: "b.json", doc: { namespace: "Example::Fresh", tags: [{ name: "two" }] } },
    ]);
    expect(out.errors.map((e: { file: string }) => e.file)).toEqual(["no-namespace.json", "bad-props.json", "b.json"]);
    expect((await show("Example::Fresh")).body.tags).toEqual([{ name: "one" }]);
    expect((await show("Bad::Props")).status).toBe(404);
  });

  it("SQL literals survive quotes, semicolons and non-ASCII text", async () => {
    const description = 'It\'s; "quoted" -- not a comment /* nor this */ — ünïcode';
    await loadCatalog([{ name: "q.json", doc: { namespace: "Example::Quotes", visibility: "public", description } }]);
    expect((await show("Example::Quotes")).body.description).toBe(description);
  });
});
