// The metadef schema checks: jsonschema's messages and the error best_match reports (messages seen from Glance 25).
import { describe, expect, it } from "vitest";
import { schemaViolation } from "../../../src/domain/metadefs/json-schema";
import {
  NAMESPACE_SCHEMA,
  OBJECT_PROPERTY_SCHEMA,
  PROPERTY_SCHEMA,
  TAG_SCHEMA,
  TAGS_BODY_SCHEMA,
} from "../../../src/domain/metadefs/schemas";

const prop = (extra: Record<string, unknown>) => ({ name: "p", title: "P", type: "string", ...extra });

describe("schemaViolation", () => {
  it("accepts valid documents", () => {
    expect(schemaViolation(NAMESPACE_SCHEMA, { namespace: "x", visibility: "public", protected: true })).toBeNull();
    expect(
      schemaViolation(PROPERTY_SCHEMA, prop({ enum: ["a"], minimum: 1.5, maxLength: 3, items: { type: "string" } })),
    ).toBeNull();
    expect(schemaViolation(TAGS_BODY_SCHEMA, { tags: [{ name: "a" }] })).toBeNull();
    expect(schemaViolation(NAMESPACE_SCHEMA, [1])).toBeNull(); // jsonschema's object keywords ignore non-objects
  });

  it.each([
    [NAMESPACE_SCHEMA, {}, "'namespace' is a required property"],
    [NAMESPACE_SCHEMA, { namespace: "x", visibility: "shared" }, "'shared' is not one of ['public', 'private']"],
    [NAMESPACE_SCHEMA, { namespace: "x", protected: "yes" }, "'yes' is not of type 'boolean'"],
    [NAMESPACE_SCHEMA, { namespace: 5 }, "5 is not of type 'string'"],
    [NAMESPACE_SCHEMA, { namespace: "x", foo: 1 }, "Additional properties are not allowed ('foo' was unexpected)"],
    [
      NAMESPACE_SCHEMA,
      { namespace: "x", foo: 1, bar: 2 },
      "Additional properties are not allowed ('foo', 'bar' were unexpected)",
    ],
    [NAMESPACE_SCHEMA, { namespace: "x", properties: { p: { title: "P" } } }, "'type' is a required property"],
    [
      NAMESPACE_SCHEMA,
      { namespace: "x", objects: [{ name: "o", required: ["a", "a"] }] },
      "['a', 'a'] has non-unique elements",
    ],
    [
      PROPERTY_SCHEMA,
      prop({ type: "text" }),
      "'text' is not one of ['array', 'boolean', 'integer', 'number', 'object', 'string', None]",
    ],
    [PROPERTY_SCHEMA, prop({ type: null }), "None is not of type 'string'"],
    [PROPERTY_SCHEMA, prop({ maxLength: -2 }), "-2 is less than the minimum of 0"],
    [PROPERTY_SCHEMA, prop({ minLength: 1.5 }), "1.5 is not of type 'integer'"],
    [PROPERTY_SCHEMA, prop({ minimum: "3" }), "'3' is not of type 'number'"],
    [PROPERTY_SCHEMA, prop({ operators: "<or>" }), "'<or>' is not of type 'array'"],
    [OBJECT_PROPERTY_SCHEMA, { title: "P", type: "string", required: [] }, "[] is too short"],
    [TAG_SCHEMA, { name: "t".repeat(81) }, `'${"t".repeat(81)}' is too long`],
    [TAGS_BODY_SCHEMA, { tags: [{}] }, "'name' is a required property"],
    [TAGS_BODY_SCHEMA, { tags: "x" }, "'x' is not of type 'array'"],
  ])("%#: %j -> %s", (schema, doc, message) => {
    expect(schemaViolation(schema, doc)).toBe(message);
  });

  it("counts length in code points, as Python does", () => {
    expect(schemaViolation(TAG_SCHEMA, { name: "\u{1F600}".repeat(80) })).toBeNull();
    expect(schemaViolation(TAG_SCHEMA, { name: "é".repeat(81) })).toContain("is too long");
  });

  it("reports the shallowest error first (best_match)", () => {
    const doc = { namespace: "x", visibility: "shared", bogus: 1 };
    expect(schemaViolation(NAMESPACE_SCHEMA, doc)).toBe(
      "Additional properties are not allowed ('bogus' was unexpected)",
    );
  });

  it("at one depth, a value of the wrong type beats a value out of range", () => {
    // `name` too long (type ok) and `title` of the wrong type: the type error wins although it comes later.
    expect(schemaViolation(PROPERTY_SCHEMA, { name: "n".repeat(81), title: 5, type: "string" })).toBe(
      "5 is not of type 'string'",
    );
  });

  it("otherwise the first error in the schema's key order", () => {
    expect(schemaViolation(PROPERTY_SCHEMA, { name: 1, title: 2, type: "string" })).toBe("1 is not of type 'string'");
  });
});
