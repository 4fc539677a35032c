// toGlanceImage: Glance's key order (extras first), hidden bookkeeping properties, second-precision UTC times.
import { describe, expect, it } from "vitest";
import { isoTime, toGlanceImage } from "../../../src/http/responses/image";
import { IMAGE_ID, image } from "../fixtures/domain";

describe("toGlanceImage", () => {
  it("puts extra properties first, then Glance's base keys in its order", () => {
    const doc = toGlanceImage(image({ properties: { os_distro: "ubuntu", "a:b": "c" } }));
    expect(Object.keys(doc)).toEqual([
      "os_distro",
      "a:b",
      "name",
      "disk_format",
      "container_format",
      "visibility",
      "size",
      "virtual_size",
      "status",
      "checksum",
      "protected",
      "min_ram",
      "min_disk",
      "owner",
      "os_hidden",
      "os_hash_algo",
      "os_hash_value",
      "id",
      "created_at",
      "updated_at",
      "tags",
      "self",
      "file",
      "schema",
    ]);
    expect(doc.self).toBe(`/v2/images/${IMAGE_ID}`);
    expect(doc.file).toBe(`/v2/images/${IMAGE_ID}/file`);
    expect(doc.schema).toBe("/v2/schemas/image");
  });

  it("hides os_glance_stage_host / os_glance_hash_op_host but shows other os_glance_* keys", () => {
    const doc = toGlanceImage(
      image({
        properties: {
          os_glance_stage_host: "h",
          os_glance_hash_op_host: "h",
          os_glance_failed_import: "",
          os_glance_import_task: "t",
        },
      }),
    );
    expect(doc).not.toHaveProperty("os_glance_stage_host");
    expect(doc).not.toHaveProperty("os_glance_hash_op_host");
    expect(doc).toMatchObject({ os_glance_failed_import: "", os_glance_import_task: "t" });
  });

  it("a base key can never be shadowed by an extra property of the same name", () => {
    const doc = toGlanceImage(image({ properties: { status: "active", id: "x" } }));
    expect(doc.status).toBe("queued");
    expect(doc.id).toBe(IMAGE_ID);
  });

  it("__proto__ survives as an own property", () => {
    const doc = toGlanceImage(image({ properties: JSON.parse('{"__proto__": "x"}') as Record<string, string> }));
    expect(JSON.stringify(doc)).toContain('"__proto__":"x"');
  });

  it("returns a copy of tags", () => {
    const img = image({ tags: ["a"] });
    (toGlanceImage(img).tags as string[]).push("b");
    expect(img.tags).toEqual(["a"]);
  });
});

describe("isoTime", () => {
  it("is UTC with whole seconds, truncated, and a Z", () => {
    expect(isoTime(Date.UTC(2026, 10, 28, 16, 56, 20, 999))).toBe("2026-11-28T16:56:20Z");
    expect(isoTime(0)).toBe("1970-01-01T00:00:00Z");
  });
});
