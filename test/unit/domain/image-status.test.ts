// The status machine as a full table: every (from, to) pair is either allowed or a 409.
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../src/domain/errors";
import { IMAGE_STATUSES, type ImageStatus } from "../../../src/domain/image";
import { assertFormatsSet, assertTransition, canTransition, DATALESS_STATUSES } from "../../../src/domain/image-status";

/** security.md §2.7, written out independently of src so a typo there shows up here. */
const ALLOWED: Record<ImageStatus, ImageStatus[]> = {
  queued: ["saving", "uploading", "importing", "active", "deleted"],
  saving: ["active", "killed", "deleted", "queued"],
  uploading: ["importing", "queued", "deleted"],
  importing: ["active", "deleted", "queued"],
  active: ["pending_delete", "deleted", "deactivated"],
  killed: ["deleted"],
  pending_delete: ["deleted", "active"],
  deactivated: ["active", "deleted"],
  deleted: [],
};

const pairs = IMAGE_STATUSES.flatMap((from) =>
  IMAGE_STATUSES.map((to) => ({ from, to, allowed: ALLOWED[from].includes(to) })),
);

describe("image status transitions", () => {
  it.each(pairs.filter((p) => p.allowed))("$from -> $to is allowed", ({ from, to }) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it.each(pairs.filter((p) => !p.allowed))("$from -> $to is a 409", ({ from, to }) => {
    expect(canTransition(from, to)).toBe(false);
    let err: unknown;
    try {
      assertTransition(from, to);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).kind).toBe("conflict");
    expect((err as DomainError).explanation).toBe(`Image status transition from ${from} to ${to} is not allowed`);
  });

  it("no status transitions to itself", () => {
    for (const s of IMAGE_STATUSES) expect(canTransition(s, s)).toBe(false);
  });

  it("nothing leaves deleted, and active never goes back to queued (OSSA-2016-006)", () => {
    for (const s of IMAGE_STATUSES) expect(canTransition("deleted", s)).toBe(false);
    expect(canTransition("active", "queued")).toBe(false);
  });
});

describe("assertFormatsSet", () => {
  const msg = (f: () => void) => {
    try {
      f();
    } catch (e) {
      return [(e as DomainError).kind, (e as DomainError).explanation];
    }
    return null;
  };
  it("names both, one, or neither missing format", () => {
    expect(msg(() => assertFormatsSet({ diskFormat: null, containerFormat: null }))).toEqual([
      "bad_request",
      "Properties disk_format, container_format must be set prior to saving data.",
    ]);
    expect(msg(() => assertFormatsSet({ diskFormat: "raw", containerFormat: null }))).toEqual([
      "bad_request",
      "Property container_format must be set prior to saving data.",
    ]);
    expect(msg(() => assertFormatsSet({ diskFormat: null, containerFormat: "bare" }))).toEqual([
      "bad_request",
      "Property disk_format must be set prior to saving data.",
    ]);
    expect(msg(() => assertFormatsSet({ diskFormat: "raw", containerFormat: "bare" }))).toBeNull();
  });

  it("dataless statuses exclude every status that holds data", () => {
    expect([...DATALESS_STATUSES].sort()).toEqual(["importing", "killed", "queued", "saving", "uploading"]);
  });
});
