// The field table drives requests, responses and D1 rows: it must name every column and keep Glance's lists.
import { getTableColumns } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { FIELD_ENTRIES, IMAGE_KEYS } from "../../../src/domain/image-fields";
import { READ_ONLY, SETTABLE_BASE } from "../../../src/domain/properties";
import { images } from "../../../src/storage/d1/schema";

describe("image field table", () => {
  it("every domain key is a column of the images table", () => {
    const columns = Object.keys(getTableColumns(images));
    for (const key of IMAGE_KEYS) expect(columns, key).toContain(key);
  });

  it("keeps Glance's settable and read-only attribute sets", () => {
    expect([...SETTABLE_BASE].sort()).toEqual(
      [
        "container_format",
        "disk_format",
        "min_disk",
        "min_ram",
        "name",
        "os_hidden",
        "owner",
        "protected",
        "tags",
        "visibility",
      ].sort(),
    );
    expect([...READ_ONLY].sort()).toEqual(
      [
        "checksum",
        "created_at",
        "direct_url",
        "file",
        "id",
        "os_hash_algo",
        "os_hash_value",
        "schema",
        "self",
        "size",
        "status",
        "stores",
        "updated_at",
        "virtual_size",
      ].sort(),
    );
  });

  it("a client may send exactly the fields that have a type rule", () => {
    for (const [name, field] of FIELD_ENTRIES)
      expect(field.validate !== undefined, name).toBe(field.access !== "read_only");
  });

  it("only the formats are locked once data exists", () => {
    expect(FIELD_ENTRIES.filter(([, f]) => "lockedWithData" in f).map(([n]) => n)).toEqual([
      "disk_format",
      "container_format",
    ]);
  });
});
