// The loader's SQL literals and statement limits, and the exporter's files (scripts/metadefs).
import { describe, expect, it } from "vitest";
import { catalogSql, lit, MAX_STATEMENT } from "../../scripts/metadefs/catalog-sql.mjs";
import { exportFiles } from "../../scripts/metadefs/export-files.mjs";

describe("catalog SQL", () => {
  it("quotes literals for a file that cannot bind parameters", () => {
    expect(lit("it's")).toBe("'it''s'");
    expect(lit(null)).toBe("NULL");
    expect(lit(true)).toBe("1");
    expect(() => lit("a\u0000b")).toThrow("NUL");
  });

  it("refuses a statement D1 would refuse, naming the file", () => {
    const huge = {
      namespace: "Huge",
      properties: { p: { title: "P", type: "string", description: "x".repeat(MAX_STATEMENT) } },
    };
    const out = catalogSql([{ name: "huge.json", doc: huge }], "skip", 1);
    expect(out.statements).toEqual([]);
    expect(out.errors[0]).toMatchObject({ file: "huge.json" });
    expect(out.errors[0]?.error).toContain("over D1's limit");
  });

  it("--overwrite deletes the namespace before loading it again", () => {
    const out = catalogSql([{ name: "a.json", doc: { namespace: "A" } }], "overwrite", 1);
    expect(out.statements[0]).toBe("DELETE FROM metadef_namespaces WHERE namespace = 'A';");
  });
});

describe("exportFiles", () => {
  const tables = {
    namespaces: [
      { id: 1, namespace: "OS::A", display_name: "Alpha: one", description: null, visibility: "public", protected: 1 },
      { id: 2, namespace: "OS::B", display_name: "Alpha one", description: "d", visibility: null, protected: null },
      { id: 3, namespace: "OS::C", display_name: null, description: null, visibility: "private", protected: 0 },
    ],
    associations: [{ namespace_id: 1, name: "OS::Glance::Image", prefix: "a_", properties_target: null }],
    properties: [{ namespace_id: 1, name: "p", json_schema: '{"title": "P", "type": "string"}' }],
    objects: [{ namespace_id: 1, name: "o", description: null, json_schema: "null" }],
    tags: [{ namespace_id: 3, name: "t" }],
  };

  it("writes Glance's file format, named after the display name (letters and digits only)", () => {
    const files = exportFiles(tables);
    expect(files.map((f: { file: string }) => f.file)).toEqual(["Alphaone.json", "Alphaone-2.json", "OSC.json"]);
    expect(files[0].doc).toEqual({
      namespace: "OS::A",
      display_name: "Alpha: one",
      description: null,
      visibility: "public",
      protected: true,
      resource_type_associations: [{ name: "OS::Glance::Image", prefix: "a_", properties_target: null }],
      properties: { p: { title: "P", type: "string" } },
      objects: [{ name: "o", description: null, properties: null }],
      tags: [],
    });
    expect(files[1].doc.protected).toBeNull();
    expect(files[2].doc.tags).toEqual([{ name: "t" }]);
  });

  it("what it writes loads again", () => {
    const out = catalogSql(
      exportFiles(tables).map((f: { file: string; doc: unknown }) => ({ name: f.file, doc: f.doc })),
      "skip",
      1,
    );
    expect(out.errors).toEqual([]);
    expect(out.namespaces).toEqual(["OS::A", "OS::B", "OS::C"]);
  });
});
