// Upload request parsing: the octet-stream media type and the declared size headers.
import { describe, expect, it } from "vitest";
import { DomainError } from "../../src/domain/errors";
import { assertOctetStream, declaredSize } from "../../src/http/requests/image-upload";

const error = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return `${e.kind}: ${e.explanation}`;
    throw e;
  }
  return "no error";
};

describe("assertOctetStream", () => {
  it("compares the media type only", () => {
    expect(error(() => assertOctetStream("application/octet-stream"))).toBe("no error");
    expect(error(() => assertOctetStream("Application/Octet-Stream; charset=binary"))).toBe("no error");
  });
  it("415 naming the type, None when missing", () => {
    expect(error(() => assertOctetStream(undefined))).toBe(
      "unsupported_media_type: The request media type None is not supported by this server.",
    );
    expect(error(() => assertOctetStream("text/plain; charset=utf-8"))).toBe(
      "unsupported_media_type: The request media type text/plain is not supported by this server.",
    );
  });
});

describe("declaredSize", () => {
  it("prefers X-OpenStack-Image-Size, then Content-Length, else unknown", () => {
    expect(declaredSize(new Headers({ "X-OpenStack-Image-Size": "10", "Content-Length": "12" }))).toBe(10);
    expect(declaredSize(new Headers({ "Content-Length": "12" }))).toBe(12);
    expect(declaredSize(new Headers({ "X-OpenStack-Image-Size": " 0 " }))).toBe(0);
    expect(declaredSize(new Headers())).toBeNull();
  });
  it("400 for a size header that is not a non-negative integer", () => {
    for (const v of ["", "abc", "-1", "1.5", "1e3", "0x10", "99999999999999999999"])
      expect(
        error(() => declaredSize(new Headers({ "X-OpenStack-Image-Size": v }))),
        v,
      ).toBe("bad_request: Invalid or missing image size in request headers.");
  });
});
