// validateValue and friends: the exact 400 texts (jsonschema-style), types, enums, lengths and integer bounds.
import { describe, expect, it } from "vitest";
import {
  assertNotReadOnlyOrReserved,
  assertWithinLimits,
  BASE_KEYS,
  countedProperties,
  DEFAULT_LIMITS,
  isReadOnly,
  isReserved,
  pyRepr,
  validateValue,
} from "../../../src/domain/properties";
import { failure } from "../fixtures/domain";

const PREFIX = "Provided object does not match schema 'image': ";
const ok = (key: string, v: unknown) =>
  expect(() => validateValue(key, v), `${key}=${JSON.stringify(v)}`).not.toThrow();
const bad = (key: string, v: unknown, text: string) =>
  expect(failure(() => validateValue(key, v))).toEqual(["bad_request", text]);

describe("pyRepr", () => {
  it("renders like Python's repr", () => {
    expect(pyRepr(null)).toBe("None");
    expect(pyRepr(true)).toBe("True");
    expect(pyRepr(false)).toBe("False");
    expect(pyRepr("it's")).toBe("'it\\'s'");
    expect(pyRepr("a\\b")).toBe("'a\\\\b'");
    expect(pyRepr([1, "a", null])).toBe("[1, 'a', None]");
    expect(pyRepr({ a: 1 })).toBe("{'a': 1}");
  });
});

describe("validateValue: strings", () => {
  it("name: null or string up to 255 code points", () => {
    ok("name", null);
    ok("name", "");
    ok("name", "x".repeat(255));
    ok("name", "é".repeat(255));
    ok("name", "😀".repeat(255));
    bad("name", "x".repeat(256), `${PREFIX}'${"x".repeat(256)}' is too long`);
    bad("name", 5, `${PREFIX}5 is not of type 'null', 'string'`);
    bad("name", ["a"], `${PREFIX}['a'] is not of type 'null', 'string'`);
  });

  it("owner: null or string up to 255", () => {
    ok("owner", null);
    ok("owner", "p".repeat(255));
    bad("owner", "p".repeat(256), `${PREFIX}'${"p".repeat(256)}' is too long`);
    bad("owner", 1, `${PREFIX}1 is not of type 'null', 'string'`);
  });

  it("id: a UUID string (either case)", () => {
    ok("id", "2408342b-cb10-48c0-acc0-3b7aac6fd3df");
    ok("id", "2408342B-CB10-48C0-ACC0-3B7AAC6FD3DF");
    expect(failure(() => validateValue("id", "not-a-uuid"))[0]).toBe("bad_request");
    expect(failure(() => validateValue("id", "2408342b-cb10-48c0-acc0-3b7aac6fd3dfX"))[0]).toBe("bad_request");
    bad("id", 5, `${PREFIX}5 is not of type 'string'`);
  });
});

describe("validateValue: enums and booleans", () => {
  it("visibility", () => {
    for (const v of ["public", "private", "shared", "community"]) ok("visibility", v);
    bad("visibility", "foo", `${PREFIX}'foo' is not one of ['community', 'public', 'private', 'shared']`);
    bad("visibility", null, `${PREFIX}None is not of type 'string'`);
  });

  it("disk_format and container_format: null or one of the configured formats", () => {
    for (const v of [null, "ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"])
      ok("disk_format", v);
    for (const v of [null, "ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"])
      ok("container_format", v);
    bad(
      "disk_format",
      "exe",
      `${PREFIX}'exe' is not one of [None, 'ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop']`,
    );
    bad(
      "container_format",
      "raw",
      `${PREFIX}'raw' is not one of [None, 'ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed']`,
    );
    bad("disk_format", 1, `${PREFIX}1 is not of type 'null', 'string'`);
  });

  it("protected and os_hidden are JSON booleans only", () => {
    for (const key of ["protected", "os_hidden"]) {
      ok(key, true);
      ok(key, false);
      bad(key, "true", `${PREFIX}'true' is not of type 'boolean'`);
      bad(key, 1, `${PREFIX}1 is not of type 'boolean'`);
      bad(key, null, `${PREFIX}None is not of type 'boolean'`);
    }
  });
});

describe("validateValue: min_ram / min_disk bounds", () => {
  for (const key of ["min_ram", "min_disk"]) {
    it(key, () => {
      ok(key, 0);
      ok(key, 2147483647);
      bad(key, -1, `Invalid value '-1' for parameter '${key}': Cannot be a negative value`);
      bad(key, 2147483648, `'${key}' value out of range, must not exceed 2147483647.`);
      bad(key, "5", `${PREFIX}'5' is not of type 'integer'`);
      bad(key, 1.5, `${PREFIX}1.5 is not of type 'integer'`);
      bad(key, null, `${PREFIX}None is not of type 'integer'`);
      bad(key, true, `${PREFIX}True is not of type 'integer'`);
    });
  }
});

describe("validateValue: tags", () => {
  it("an array of strings of at most 255", () => {
    ok("tags", []);
    ok("tags", ["a", "x".repeat(255)]);
    bad("tags", "a", `${PREFIX}'a' is not of type 'array'`);
    bad("tags", null, `${PREFIX}None is not of type 'array'`);
    bad("tags", [1], `${PREFIX}1 is not of type 'string'`);
    bad("tags", ["x".repeat(256)], `${PREFIX}'${"x".repeat(256)}' is too long`);
  });
});

describe("validateValue: extra properties", () => {
  it("values are strings of any length; keys at most 255", () => {
    ok("hw_disk_bus", "scsi");
    ok("owner_specified.openstack.md5", "");
    ok("trait:STORAGE_DISK_SSD", "required");
    ok("description", "d".repeat(100_000));
    ok("k".repeat(255), "v");
    bad("k".repeat(256), "v", "Custom property should not be greater than 255 characters.");
    for (const [v, r] of [
      [5, "5"],
      [true, "True"],
      [null, "None"],
      [{}, "{}"],
      [["a"], "['a']"],
    ] as const)
      bad("hw_disk_bus", v, `${PREFIX}${r} is not of type 'string'`);
  });

  it("kernel_id / ramdisk_id: null or a UUID", () => {
    for (const key of ["kernel_id", "ramdisk_id"]) {
      ok(key, null);
      ok(key, "2408342b-cb10-48c0-acc0-3b7aac6fd3df");
      expect(failure(() => validateValue(key, "abc"))).toEqual([
        "bad_request",
        `${PREFIX}'abc' does not match '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'`,
      ]);
      bad(key, 5, `${PREFIX}5 is not of type 'null', 'string'`);
    }
  });

  it("cinder_encryption_key_deletion_policy enum", () => {
    ok("cinder_encryption_key_deletion_policy", "on_image_deletion");
    ok("cinder_encryption_key_deletion_policy", "do_not_delete");
    bad(
      "cinder_encryption_key_deletion_policy",
      "never",
      `${PREFIX}'never' is not one of ['on_image_deletion', 'do_not_delete']`,
    );
  });
});

describe("read-only / reserved classification", () => {
  it("classifies keys", () => {
    for (const k of [
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
    ]) {
      expect(isReadOnly(k), k).toBe(true);
      expect(failure(() => assertNotReadOnlyOrReserved(k))).toEqual(["forbidden", `Attribute '${k}' is read-only.`]);
    }
    for (const k of ["location", "locations", "deleted", "deleted_at", "os_glance", "os_glance_", "os_glance_x"]) {
      expect(isReserved(k), k).toBe(true);
      expect(failure(() => assertNotReadOnlyOrReserved(k))).toEqual(["forbidden", `Attribute '${k}' is reserved.`]);
    }
    for (const k of ["name", "os_distro", "glance_x", "OS_GLANCE_X", "x_os_glance"])
      expect(() => assertNotReadOnlyOrReserved(k)).not.toThrow();
    expect(BASE_KEYS.has("owner")).toBe(true);
    expect(BASE_KEYS.has("os_distro")).toBe(false);
  });

  it("quota counting ignores os_glance* keys", () => {
    expect(countedProperties({ a: "1", os_glance_import_task: "x", b: "2" })).toBe(2);
    expect(() =>
      assertWithinLimits(
        { tags: ["a"], properties: { a: "1", os_glance_x: "y" } },
        { ...DEFAULT_LIMITS, tags: 1, properties: 1 },
      ),
    ).not.toThrow();
    expect(
      failure(() =>
        assertWithinLimits({ tags: ["a", "b"], properties: {} }, { ...DEFAULT_LIMITS, tags: 1, properties: 1 }),
      ),
    ).toEqual([
      "payload_too_large",
      "The limit has been exceeded on the number of allowed image tags. Attempted: 2, Maximum: 1",
    ]);
  });
});

describe("pyRepr on deep values", () => {
  it("elides nesting beyond 32 levels instead of recursing without bound", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const text = pyRepr(deep);
    expect(text.startsWith(`${"[".repeat(32)}[...]`)).toBe(true);
    expect(pyRepr([[1]])).toBe("[[1]]");
  });
});
