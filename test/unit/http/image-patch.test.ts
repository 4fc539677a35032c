// The PATCH parser: media type -> dialect (415 + Accept-Patch), op objects of both dialects, JSON pointer rules.
import { describe, expect, it } from "vitest";
import { ACCEPT_PATCH, decodePointer, parseImagePatch, patchDialect } from "../../../src/http/requests/image-patch";
import { failure, thrown } from "../fixtures/domain";

describe("patchDialect", () => {
  it("maps Glance's two media types, ignoring parameters and case", () => {
    expect(patchDialect("application/openstack-images-v2.1-json-patch")).toBe("v2.1");
    expect(patchDialect("application/openstack-images-v2.0-json-patch")).toBe("v2.0");
    expect(patchDialect("Application/OpenStack-Images-v2.1-JSON-Patch; charset=UTF-8")).toBe("v2.1");
    expect(patchDialect(" application/openstack-images-v2.0-json-patch ;q=1")).toBe("v2.0");
  });

  it("reads application/json as v2.1 on purpose (the seed walkthrough sends it)", () => {
    expect(patchDialect("application/json")).toBe("v2.1");
    expect(patchDialect("application/json; charset=utf-8")).toBe("v2.1");
  });

  it.each([
    undefined,
    "",
    "application/json-patch+json",
    "text/plain",
    "application/openstack-images-v2.2-json-patch",
    "application/octet-stream",
  ])("%s -> 415 with Accept-Patch", (type) => {
    const e = thrown(() => patchDialect(type));
    expect(e.kind).toBe("unsupported_media_type");
    expect(e.headers["Accept-Patch"]).toBe(
      "application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch",
    );
    expect(e.explanation).toBe(`The request media type ${type ?? "None"} is not supported by this server.`);
  });

  it("ACCEPT_PATCH is Glance's header text", () => {
    expect(ACCEPT_PATCH).toBe(
      "application/openstack-images-v2.0-json-patch, application/openstack-images-v2.1-json-patch",
    );
  });
});

describe("decodePointer", () => {
  it("decodes one segment, with ~1 -> / and ~0 -> ~ (in that order) and trimming", () => {
    expect(decodePointer("/name")).toBe("name");
    expect(decodePointer("/trait:STORAGE_DISK_SSD")).toBe("trait:STORAGE_DISK_SSD");
    expect(decodePointer("/owner_specified.openstack.md5")).toBe("owner_specified.openstack.md5");
    expect(decodePointer("/a~1b")).toBe("a/b");
    expect(decodePointer("/a~0b")).toBe("a~b");
    expect(decodePointer("/~01")).toBe("~1");
    expect(decodePointer("/~10")).toBe("/0");
    expect(decodePointer("/ name ")).toBe("name");
  });

  it.each([
    ["noslash", 'Pointer `noslash` does not start with "/".'],
    ["", 'Pointer `` does not start with "/".'],
    ["//x", 'Pointer `//x` contains adjacent "/".'],
    ["/x/", 'Pointer `/x/` end with "/".'],
    ["/", 'Pointer `/` end with "/".'],
    ["/a~2", 'Pointer `/a~2` contains "~" not part of a recognized escape sequence.'],
    ["/trailing~", 'Pointer `/trailing~` contains "~" not part of a recognized escape sequence.'],
    ["/name/extra", "Invalid JSON pointer for this resource: '/name/extra'"],
    ["/tags/-", "Invalid JSON pointer for this resource: '/tags/-'"],
    ["/tags/0", "Invalid JSON pointer for this resource: '/tags/0'"],
    ["/locations/-", "Invalid JSON pointer for this resource: '/locations/-'"],
    ["/ ", "Invalid JSON pointer for this resource: '/ '"],
  ])("%j -> 400 %s", (pointer, text) => {
    expect(failure(() => decodePointer(pointer))).toEqual(["bad_request", text]);
  });

  it("a non-string path is a 400", () => {
    for (const p of [5, null, ["/name"], {}]) expect(thrown(() => decodePointer(p)).kind).toBe("bad_request");
  });
});

describe("parseImagePatch v2.1", () => {
  it("parses add/replace/remove; remove ignores value; extra members ignored", () => {
    expect(
      parseImagePatch("v2.1", [
        { op: "replace", path: "/name", value: "x" },
        { op: "add", path: "/os_distro", value: "ubuntu", from: "/y" },
        { op: "remove", path: "/k", value: "ignored" },
        { op: "add", path: "/v", value: null },
      ]),
    ).toEqual([
      { op: "replace", key: "name", value: "x" },
      { op: "add", key: "os_distro", value: "ubuntu" },
      { op: "remove", key: "k" },
      { op: "add", key: "v", value: null },
    ]);
    expect(parseImagePatch("v2.1", [])).toEqual([]);
  });

  it.each([
    [{ op: "add", path: "/tags/-", value: "lts" }, "Invalid JSON pointer for this resource: '/tags/-'"],
    [
      { path: "/name", value: "x" },
      "Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.",
    ],
    [
      { op: "move", from: "/a", path: "/b" },
      "Invalid operation: `move`. It must be one of the following: add, remove, replace.",
    ],
    [
      { op: "copy", from: "/a", path: "/b" },
      "Invalid operation: `copy`. It must be one of the following: add, remove, replace.",
    ],
    [
      { op: "test", path: "/b", value: "x" },
      "Invalid operation: `test`. It must be one of the following: add, remove, replace.",
    ],
    [{ op: "add", value: "x" }, "Unable to find 'path' in JSON Schema change"],
    [{ op: "add", path: "/name" }, 'Operation "add" requires a member named "value".'],
    [{ op: "replace", path: "/name" }, 'Operation "replace" requires a member named "value".'],
    [
      { replace: "/name", value: "x" },
      "Unable to find `op` in JSON Schema change. It must be one of the following: add, remove, replace.",
    ],
  ])("%j -> 400", (op, text) => {
    expect(failure(() => parseImagePatch("v2.1", [op]))).toEqual(["bad_request", text]);
  });

  it("body and element shapes", () => {
    expect(failure(() => parseImagePatch("v2.1", { op: "add" }))).toEqual([
      "bad_request",
      "Request body must be a JSON array of operation objects.",
    ]);
    for (const el of [null, "x", 1, ["op"]])
      expect(failure(() => parseImagePatch("v2.1", [el]))).toEqual(["bad_request", "Operations must be JSON objects."]);
  });
});

describe("parseImagePatch v2.0", () => {
  it("parses the draft-4 object forms", () => {
    expect(
      parseImagePatch("v2.0", [
        { replace: "/name", value: "x" },
        { add: "/hw_cpu_cores", value: "5" },
        { remove: "/foo" },
      ]),
    ).toEqual([
      { op: "replace", key: "name", value: "x" },
      { op: "add", key: "hw_cpu_cores", value: "5" },
      { op: "remove", key: "foo" },
    ]);
  });

  it("rejects zero or several op members, op-style objects and a missing value", () => {
    expect(failure(() => parseImagePatch("v2.0", [{ op: "add", path: "/x", value: "y" }]))).toEqual([
      "bad_request",
      'Operation objects must contain exactly one member named "add", "remove", or "replace".',
    ]);
    expect(failure(() => parseImagePatch("v2.0", [{ add: "/x", remove: "/y", value: "v" }]))).toEqual([
      "bad_request",
      'Operation objects must contain only one member named "add", "remove", or "replace".',
    ]);
    expect(failure(() => parseImagePatch("v2.0", [{ add: "/x" }]))).toEqual([
      "bad_request",
      'Operation "add" requires a member named "value".',
    ]);
    expect(failure(() => parseImagePatch("v2.0", [{ replace: "/tags/-", value: [] }]))).toEqual([
      "bad_request",
      "Invalid JSON pointer for this resource: '/tags/-'",
    ]);
  });
});
