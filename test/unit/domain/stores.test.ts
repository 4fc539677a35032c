// Store selection rules: import targets (Glance's get_stores_from_request), download order, comma-list edits.
import { describe, expect, it } from "vitest";
import type { DomainError } from "../../../src/domain/errors";
import {
  editList,
  importTargets,
  inConfigOrder,
  parsePrefer,
  readOrder,
  type StoreCatalog,
} from "../../../src/domain/stores";

const catalog: StoreCatalog = {
  stores: [
    { id: "fast", description: null, isDefault: true, readOnly: false, weight: 0 },
    { id: "slow", description: null, isDefault: false, readOnly: false, weight: 0 },
    { id: "eu", description: null, isDefault: false, readOnly: false, weight: 5 },
    { id: "web", description: null, isDefault: false, readOnly: true, weight: 0 },
  ],
  multi: true,
  defaultId: "fast",
  legacyId: "fast",
};

const kind = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as DomainError).kind;
  }
  return "ok";
};

describe("importTargets", () => {
  it("all_stores: the writable stores in configuration order; stores: as given; else header or default", () => {
    expect(importTargets(catalog, { allStores: true, header: null })).toEqual(["fast", "slow", "eu"]);
    expect(importTargets(catalog, { allStores: false, stores: ["eu", "web", "eu"], header: null })).toEqual([
      "eu",
      "web",
    ]);
    expect(importTargets(catalog, { allStores: false, header: "slow" })).toEqual(["slow"]);
    expect(importTargets(catalog, { allStores: false, header: null })).toEqual(["fast"]);
  });

  it("400 for two ways of naming stores or a non-list, 409 for an unknown store", () => {
    expect(kind(() => importTargets(catalog, { allStores: true, stores: ["eu"], header: null }))).toBe("bad_request");
    expect(kind(() => importTargets(catalog, { allStores: true, header: "eu" }))).toBe("bad_request");
    expect(kind(() => importTargets(catalog, { allStores: false, stores: ["eu"], header: "eu" }))).toBe("bad_request");
    expect(kind(() => importTargets(catalog, { allStores: false, stores: "eu", header: null }))).toBe("bad_request");
    expect(kind(() => importTargets(catalog, { allStores: false, stores: ["mars"], header: null }))).toBe("conflict");
  });
});

describe("readOrder and prefer", () => {
  it("prefer first, then weight, then the default store, then configuration order; unknown ids dropped", () => {
    expect(readOrder(catalog, ["slow", "fast", "eu", "gone"])).toEqual(["eu", "fast", "slow"]);
    expect(readOrder(catalog, ["slow", "fast", "eu"], ["slow"])).toEqual(["slow", "eu", "fast"]);
  });

  it("prefer is only for several stores and only known ids", () => {
    expect(parsePrefer(catalog, null)).toEqual([]);
    expect(parsePrefer(catalog, "slow, eu")).toEqual(["slow", "eu"]);
    expect(kind(() => parsePrefer(catalog, "mars"))).toBe("bad_request");
    expect(kind(() => parsePrefer({ ...catalog, multi: false }, "fast"))).toBe("bad_request");
  });
});

describe("lists", () => {
  it("keeps configuration order and edits comma lists in place", () => {
    expect(inConfigOrder(catalog, ["eu", "fast", "eu"])).toEqual(["fast", "eu"]);
    expect(editList("fast,slow", ["eu"], ["fast"])).toBe("slow,eu");
    expect(editList(undefined, ["web"])).toBe("web");
    expect(editList("", [], ["x"])).toBe("");
  });
});
