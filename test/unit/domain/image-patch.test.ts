// applyImagePatch: op semantics on base / extra / read-only / reserved keys, both dialects, policy and atomicity.
import { describe, expect, it } from "vitest";
import type { Image } from "../../../src/domain/image";
import { applyImagePatch, type PatchDialect, type PatchOp } from "../../../src/domain/image-patch";
import { DEFAULT_LIMITS, READ_ONLY, RESERVED } from "../../../src/domain/properties";
import type { RequestContext } from "../../../src/domain/request-context";
import { ctx, failure, image, thrown } from "../fixtures/domain";

const apply = (
  img: Image,
  ops: PatchOp[],
  dialect: PatchDialect = "v2.1",
  who: RequestContext = ctx.member,
  limits = DEFAULT_LIMITS,
) => applyImagePatch(img, ops, dialect, who, limits);

describe("read-only and reserved keys", () => {
  const ops = ["add", "replace", "remove"] as const;
  it.each(READ_ONLY.flatMap((key) => ops.map((op) => ({ key, op }))))("$op /$key -> 403 read-only", ({ key, op }) => {
    expect(failure(() => apply(image(), [{ op, key, value: "x" }]))).toEqual([
      "forbidden",
      `Attribute '${key}' is read-only.`,
    ]);
  });
  const reserved = [...RESERVED, "os_glance", "os_glance_import_task", "os_glance_foo"];
  it.each(reserved.flatMap((key) => ops.map((op) => ({ key, op }))))("$op /$key -> 403 reserved", ({ key, op }) => {
    expect(failure(() => apply(image(), [{ op, key, value: "x" }]))).toEqual([
      "forbidden",
      `Attribute '${key}' is reserved.`,
    ]);
  });
});

describe("base attributes", () => {
  it("replace and v2.1 add set a base attribute", () => {
    expect(apply(image(), [{ op: "replace", key: "name", value: "n" }]).name).toBe("n");
    expect(apply(image(), [{ op: "add", key: "name", value: "m" }]).name).toBe("m");
    const out = apply(image(), [
      { op: "add", key: "min_ram", value: 512 },
      { op: "replace", key: "min_disk", value: 2 },
      { op: "replace", key: "protected", value: true },
      { op: "add", key: "os_hidden", value: true },
      { op: "replace", key: "visibility", value: "community" },
      { op: "replace", key: "tags", value: ["b", "a", "b"] },
      { op: "replace", key: "disk_format", value: "qcow2" },
      { op: "replace", key: "container_format", value: "bare" },
    ]);
    expect(out).toMatchObject({
      minRam: 512,
      minDisk: 2,
      protected: true,
      osHidden: true,
      visibility: "community",
      tags: ["a", "b"],
      diskFormat: "qcow2",
      containerFormat: "bare",
    });
  });

  it("v2.0 add of a base attribute is a 409 'already present'", () => {
    expect(failure(() => apply(image(), [{ op: "add", key: "name", value: "x" }], "v2.0"))).toEqual([
      "conflict",
      "Property name already present.",
    ]);
  });

  it("v2.0 replace of a base attribute works", () => {
    expect(apply(image(), [{ op: "replace", key: "name", value: "x" }], "v2.0").name).toBe("x");
  });

  it.each([
    "name",
    "visibility",
    "protected",
    "os_hidden",
    "min_ram",
    "min_disk",
    "tags",
    "owner",
    "disk_format",
    "container_format",
  ])("remove /%s -> 403 may not be removed", (key) => {
    expect(failure(() => apply(image(), [{ op: "remove", key }]))).toEqual([
      "forbidden",
      `Property ${key} may not be removed.`,
    ]);
  });

  it("schema violations are 400", () => {
    const bad: [string, unknown][] = [
      ["name", "x".repeat(256)],
      ["name", 5],
      ["min_ram", "512"],
      ["min_ram", -1],
      ["min_disk", 2147483648],
      ["protected", "true"],
      ["visibility", "foo"],
      ["disk_format", "exe"],
      ["tags", "a"],
      ["tags", ["x".repeat(256)]],
      ["tags", [1]],
    ];
    for (const [key, value] of bad)
      expect(
        thrown(() => apply(image(), [{ op: "replace", key, value }])).kind,
        `${key}=${JSON.stringify(value)}`,
      ).toBe("bad_request");
  });
});

describe("format fields lock after queued", () => {
  for (const status of ["active", "deactivated", "saving", "uploading", "killed"] as const) {
    it(`replace /disk_format on a ${status} image -> 403`, () => {
      expect(failure(() => apply(image({ status }), [{ op: "replace", key: "disk_format", value: "raw" }]))).toEqual([
        "forbidden",
        "Attribute disk_format can be only replaced for a queued image.",
      ]);
      expect(failure(() => apply(image({ status }), [{ op: "add", key: "container_format", value: "bare" }]))).toEqual([
        "forbidden",
        "Attribute container_format can be only replaced for a queued image.",
      ]);
    });
  }
  it("queued and importing images accept format changes; other fields stay editable when active", () => {
    expect(
      apply(image({ status: "importing" }), [{ op: "replace", key: "disk_format", value: "raw" }]).diskFormat,
    ).toBe("raw");
    expect(apply(image({ status: "active" }), [{ op: "replace", key: "name", value: "x" }]).name).toBe("x");
    expect(apply(image({ status: "deactivated" }), [{ op: "add", key: "k", value: "v" }]).properties).toEqual({
      k: "v",
    });
  });
});

describe("extra properties", () => {
  const withProp = () => image({ properties: { os_distro: "ubuntu" } });

  it("v2.1 add creates, and overwrites an existing one", () => {
    expect(apply(image(), [{ op: "add", key: "os_distro", value: "debian" }]).properties).toEqual({
      os_distro: "debian",
    });
    expect(apply(withProp(), [{ op: "add", key: "os_distro", value: "debian" }]).properties).toEqual({
      os_distro: "debian",
    });
  });

  it("v2.0 add creates a new one, and 409s on an existing one", () => {
    expect(apply(image(), [{ op: "add", key: "hw_cpu_cores", value: "5" }], "v2.0").properties).toEqual({
      hw_cpu_cores: "5",
    });
    expect(failure(() => apply(withProp(), [{ op: "add", key: "os_distro", value: "x" }], "v2.0"))).toEqual([
      "conflict",
      "Property os_distro already present.",
    ]);
  });

  it("replace of a missing property -> 409 with the detail text (explanation stays WebOb's default)", () => {
    const e = thrown(() => apply(image(), [{ op: "replace", key: "nope", value: "x" }]));
    expect(e.kind).toBe("conflict");
    expect(e.explanation).toBeUndefined();
    expect(e.detail).toBe("Property nope does not exist.");
  });

  it("remove deletes an existing property; a missing one is a 409", () => {
    expect(apply(withProp(), [{ op: "remove", key: "os_distro" }]).properties).toEqual({});
    const e = thrown(() => apply(image(), [{ op: "remove", key: "no_such_property" }]));
    expect([e.kind, e.explanation, e.detail]).toEqual([
      "conflict",
      undefined,
      "Property no_such_property does not exist.",
    ]);
  });

  it("names inherited from Object.prototype are not existing properties", () => {
    for (const key of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
      expect(
        failure(() => apply(image(), [{ op: "remove", key }])),
        key,
      ).toEqual(["conflict", `Property ${key} does not exist.`]);
      expect(
        failure(() => apply(image(), [{ op: "replace", key, value: "x" }])),
        key,
      ).toEqual(["conflict", `Property ${key} does not exist.`]);
    }
  });

  it("__proto__ is stored as an ordinary property", () => {
    const out = apply(image(), [{ op: "add", key: "__proto__", value: "x" }]);
    expect(Object.keys(out.properties)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(out.properties)).toBe(Object.prototype);
  });

  it("values must be strings; keys at most 255 characters; kernel_id a UUID", () => {
    for (const value of [5, true, null, {}, ["a"]])
      expect(thrown(() => apply(image(), [{ op: "add", key: "k", value }])).kind).toBe("bad_request");
    expect(failure(() => apply(image(), [{ op: "add", key: "k".repeat(256), value: "v" }]))).toEqual([
      "bad_request",
      "Custom property should not be greater than 255 characters.",
    ]);
    expect(apply(image(), [{ op: "add", key: "k".repeat(255), value: "v" }]).properties).toHaveProperty(
      "k".repeat(255),
      "v",
    );
    expect(thrown(() => apply(image(), [{ op: "add", key: "kernel_id", value: "not-a-uuid" }])).kind).toBe(
      "bad_request",
    );
  });
});

describe("policy inside PATCH", () => {
  it("owner: non-admin 403 for both add and replace; admin may", () => {
    for (const op of ["add", "replace"] as const)
      expect(failure(() => apply(image(), [{ op, key: "owner", value: "alt-project" }]))).toEqual([
        "forbidden",
        "Owner can't be updated by non admin.",
      ]);
    expect(apply(image(), [{ op: "replace", key: "owner", value: "alt-project" }], "v2.1", ctx.admin).owner).toBe(
      "alt-project",
    );
  });

  it("visibility public: non-admin 403, admin ok; community ok for a member", () => {
    expect(failure(() => apply(image(), [{ op: "replace", key: "visibility", value: "public" }]))).toEqual([
      "forbidden",
      "You are not authorized to complete publicize_image action.",
    ]);
    expect(apply(image(), [{ op: "replace", key: "visibility", value: "public" }], "v2.1", ctx.admin).visibility).toBe(
      "public",
    );
    expect(apply(image(), [{ op: "replace", key: "visibility", value: "community" }]).visibility).toBe("community");
  });
});

describe("atomicity and quotas", () => {
  it("a failing op leaves the input untouched and nothing half-applied", () => {
    const input = image({ tags: ["a"], properties: { keep: "1" } });
    const before = structuredClone(input);
    expect(() =>
      apply(input, [
        { op: "replace", key: "name", value: "changed" },
        { op: "add", key: "new", value: "v" },
        { op: "replace", key: "tags", value: ["z"] },
        { op: "remove", key: "keep" },
        { op: "remove", key: "missing" },
      ]),
    ).toThrow();
    expect(input).toEqual(before);
  });

  it("success does not mutate the input either", () => {
    const input = image({ tags: ["a"], properties: { keep: "1" } });
    const before = structuredClone(input);
    const out = apply(input, [
      { op: "replace", key: "tags", value: ["b"] },
      { op: "remove", key: "keep" },
    ]);
    expect(input).toEqual(before);
    expect(out.tags).toEqual(["b"]);
    expect(out.properties).toEqual({});
  });

  it("an empty op list returns an equal copy", () => {
    const input = image();
    expect(apply(input, [])).toEqual(input);
  });

  it("tag quota: 128 ok, 129 -> 413 with Glance's message", () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`);
    expect(apply(image(), [{ op: "replace", key: "tags", value: tags(128) }]).tags).toHaveLength(128);
    expect(failure(() => apply(image(), [{ op: "replace", key: "tags", value: tags(129) }]))).toEqual([
      "payload_too_large",
      "The limit has been exceeded on the number of allowed image tags. Attempted: 129, Maximum: 128",
    ]);
  });

  it("property quota counts the result, not the ops; os_glance* keys are not counted", () => {
    const props = Object.fromEntries(Array.from({ length: 128 }, (_, i) => [`p${i}`, "v"]));
    const full = image({ properties: { ...props, os_glance_import_task: "t" } });
    expect(apply(full, [{ op: "add", key: "p0", value: "w" }]).properties.p0).toBe("w");
    expect(failure(() => apply(full, [{ op: "add", key: "p128", value: "v" }]))).toEqual([
      "payload_too_large",
      "The limit has been exceeded on the number of allowed image properties. Attempted: 129, Maximum: 128",
    ]);
    expect(
      apply(full, [
        { op: "remove", key: "p0" },
        { op: "add", key: "p128", value: "v" },
      ]).properties,
    ).toHaveProperty("p128");
  });

  it("honours configured limits", () => {
    expect(
      thrown(() =>
        apply(image(), [{ op: "replace", key: "tags", value: ["a", "b"] }], "v2.1", ctx.member, {
          ...DEFAULT_LIMITS,
          tags: 1,
          properties: 1,
        }),
      ).kind,
    ).toBe("payload_too_large");
  });
});
