// Range header parsing and resolution for image downloads (Glance's single-range rules).
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import { parseContentRange, parseRange, rangeFromRequest, resolveRange } from "../../src/http/requests/byte-range";

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return { kind: e.kind, text: e.detail ?? e.explanation };
    throw e;
  }
  throw new Error("expected a DomainError");
};

describe("parseRange", () => {
  it("accepts the three single-range forms, with WebOb's tolerance for spaces and case", () => {
    expect(parseRange("bytes=0-15")).toEqual({ start: 0, end: 15 });
    expect(parseRange("bytes=1000-")).toEqual({ start: 1000, end: null });
    expect(parseRange("bytes=-10")).toEqual({ suffix: 10 });
    expect(parseRange("Bytes = 3 - 4")).toEqual({ start: 3, end: 4 });
  });

  it("400 for several ranges, whatever else is wrong", () => {
    expect(failure(() => parseRange("bytes=0-1,4-5"))).toEqual({
      kind: "bad_request",
      text: "Requests with multiple ranges are not supported in Glance. You may make multiple single-range requests instead.",
    });
    expect(failure(() => parseRange("items=a,b")).kind).toBe("bad_request");
  });

  it("416 Invalid Range header for anything else", () => {
    for (const h of ["", "bytes", "bytes=", "bytes=-", "bytes=abc", "items=0-1", "bytes=5-2", "bytes=-0", "bytes=1-2x"])
      expect(
        failure(() => parseRange(h)),
        h,
      ).toEqual({ kind: "range_not_satisfiable", text: "Invalid Range header." });
  });
});

describe("resolveRange", () => {
  it("clamps the end and normalises suffixes (api-spec §5.4 table, size 10)", () => {
    expect(resolveRange({ start: 0, end: 4 }, 10)).toEqual({ offset: 0, length: 5 });
    expect(resolveRange({ start: 4, end: null }, 10)).toEqual({ offset: 4, length: 6 });
    expect(resolveRange({ suffix: 2 }, 10)).toEqual({ offset: 8, length: 2 });
    expect(resolveRange({ start: 0, end: 100 }, 10)).toEqual({ offset: 0, length: 10 });
    expect(resolveRange({ suffix: 20 }, 10)).toEqual({ offset: 0, length: 10 });
    expect(resolveRange({ start: 9, end: 9 }, 10)).toEqual({ offset: 9, length: 1 });
  });

  it("416 with the inclusive range when the start is past the end", () => {
    expect(failure(() => resolveRange({ start: 10, end: null }, 10))).toEqual({
      kind: "range_not_satisfiable",
      text: "Invalid start position in Range header. Start position MUST be in the inclusive range [0, 9].",
    });
    expect(failure(() => resolveRange({ suffix: 5 }, 0)).kind).toBe("range_not_satisfiable");
  });
});

describe("rangeFromRequest", () => {
  it("whole image without a range; parses only once the size is known", () => {
    expect(rangeFromRequest(new Headers())(10)).toBeNull();
    const pick = rangeFromRequest(new Headers({ Range: "bytes=abc" })); // no throw yet
    expect(failure(() => pick(10)).kind).toBe("range_not_satisfiable");
  });

  it("honours a request Content-Range when there is no Range", () => {
    expect(parseContentRange("bytes 2-3/*")).toEqual({ start: 2, end: 3 });
    expect(rangeFromRequest(new Headers({ "Content-Range": "bytes 2-3/10" }))(10)).toEqual({ offset: 2, length: 2 });
    expect(rangeFromRequest(new Headers({ Range: "bytes=0-0", "Content-Range": "bytes 2-3/10" }))(10)).toEqual({
      offset: 0,
      length: 1,
    });
    expect(failure(() => parseContentRange("bytes 3-2/*")).kind).toBe("range_not_satisfiable");
  });
});
