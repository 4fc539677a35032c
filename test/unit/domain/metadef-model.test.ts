// Glance's metadef models: attribute order, WSME's conversions, and the 4-byte rule, as unit-level rules.
import { describe, expect, it } from "vitest";
import {
  fourByteViolation,
  ModelError,
  pyFloatRepr,
  pyIntText,
  pyTitle,
  toNamespaceModel,
  toObjectModel,
  toPropertyType,
  toPropertyTypes,
  undecodableDefault,
} from "../../../src/domain/metadefs/model";

describe("toPropertyType", () => {
  it("orders attributes as Glance's model declares them, whatever the input order", () => {
    const doc = toPropertyType(
      { maxLength: 5, enum: ["a"], title: "T", type: "string", name: "n", description: "d" },
      "strict",
    );
    expect(Object.keys(doc)).toEqual(["name", "type", "title", "description", "enum", "maxLength"]);
  });

  it("converts like WSME: default becomes text, integers truncate, booleans parse", () => {
    const doc = toPropertyType(
      { title: "T", type: "integer", default: 5, minimum: 1.9, maximum: "64", readonly: "yes" },
      "strict",
    );
    expect(doc).toEqual({ type: "integer", title: "T", default: "5", readonly: true, minimum: 1, maximum: 64 });
    expect(toPropertyType({ title: "T", type: "boolean", default: true }, "strict").default).toBe("True");
    expect(toPropertyType({ title: "T", type: "number", default: 0.5 }, "strict").default).toBe("0.5");
    expect(toPropertyType({ title: "T", type: "array", default: ["a"] }, "strict").default).toBeNull();
    expect(toPropertyType({ title: "T", type: "string", readonly: 0 }, "strict").readonly).toBe(false);
  });

  it("refuses what Glance's model refuses (Glance answers these with 500)", () => {
    const reason = (v: unknown) => {
      try {
        toPropertyType(v, "strict");
        return null;
      } catch (e) {
        return e instanceof ModelError ? e.reason : String(e);
      }
    };
    expect(reason({ title: "T", type: "integer", enum: [1, 2] })).toBe("1 is not of type 'string'");
    expect(reason({ title: "T", type: "array", items: { enum: ["a"] } })).toBe("'type' is a required property");
    expect(reason({ title: "T", type: "array", items: { type: "string", extra: 1 } })).toBe(
      "Additional properties are not allowed ('extra' was unexpected)",
    );
    expect(reason({ title: "T", type: "string", required: ["a"] })).toBe(
      "Additional properties are not allowed ('required' was unexpected)",
    );
    expect(reason({ type: "string" })).toBe("'title' is a required property");
    expect(reason({ title: "T", type: "string", readonly: "maybe" })).toBe("'maybe' is not of type 'boolean'");
    expect(reason({ title: "T", type: "string", minimum: "1.5" })).toBe("'1.5' is not of type 'integer'");
    expect(reason([1])).toBe("[1] is not of type 'object'");
  });

  it("reads stored definitions leniently: bad attributes are dropped, reads never fail", () => {
    expect(toPropertyType({ title: "T", type: "string", bogus: 1, enum: [1] }, "lenient")).toEqual({
      type: "string",
      title: "T",
    });
    expect(toPropertyType(null, "lenient")).toEqual({});
    expect(toPropertyTypes(null, "lenient")).toEqual({});
    expect(toPropertyTypes({ a: "x" }, "lenient")).toEqual({ a: {} });
  });

  it("flags defaults Glance cannot store (it keeps them as ASCII bytes)", () => {
    expect(undecodableDefault({ default: "défaut" })).toBe(true);
    expect(undecodableDefault({ default: "plain" })).toBe(false);
  });
});

describe("objects and namespaces", () => {
  it("an object's attributes in Glance's order, nested properties converted", () => {
    const o = toObjectModel(
      { properties: { p: { type: "integer", title: "P", default: 1 } }, description: "d", name: "o" },
      "strict",
    );
    expect(Object.keys(o)).toEqual(["name", "description", "properties"]);
    expect(o.properties).toEqual({ p: { type: "integer", title: "P", default: "1" } });
  });

  it("nested contents need their names", () => {
    expect(() => toNamespaceModel({ namespace: "n", resource_type_associations: [{ prefix: "p" }] }, "strict")).toThrow(
      "'name' is a required property",
    );
    expect(() => toNamespaceModel({ namespace: "n", tags: [{}] }, "strict")).toThrow("'name' is a required property");
  });
});

describe("Python helpers", () => {
  it("pyFloatRepr is Python's repr of a float", () => {
    expect(pyFloatRepr(0.5)).toBe("0.5");
    expect(pyFloatRepr(1e-5)).toBe("1e-05");
    expect(pyFloatRepr(1.5e16)).toBe("1.5e+16");
    expect(pyFloatRepr(2)).toBe("2.0");
  });

  it("pyIntText parses what Python's int() parses", () => {
    expect(pyIntText(" 42 ")).toBe(42);
    expect(pyIntText("-1_000")).toBe(-1000);
    expect(pyIntText("1.5")).toBeNull();
    expect(pyIntText("ten")).toBeNull();
  });

  it("pyTitle is str.title()", () => {
    expect(pyTitle("display_name")).toBe("Display_Name");
    expect(pyTitle("json_schema")).toBe("Json_Schema");
  });

  it("fourByteViolation walks values in order, into nested dicts, and checks keys of plain values", () => {
    expect(fourByteViolation({ namespace: "ok", display_name: "\u{1F600}" })).toBe(
      "Display_Name can't contain 4 byte unicode characters.",
    );
    expect(fourByteViolation({ name: "p", json_schema: { title: "\u{1F600}" } })).toBe(
      "Title can't contain 4 byte unicode characters.",
    );
    expect(fourByteViolation({ "\u{1F600}": "v" })).toBe("Property names can't contain 4 byte unicode.");
    expect(fourByteViolation({ enum: ["\u{1F600}"], name: "é" })).toBeNull();
  });
});
