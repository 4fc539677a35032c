// Range header parsing for GET /v2/images/{id}/file: one range per request, resolved against the image size.
import { badRequest, rangeNotSatisfiable } from "../../domain/errors";
import type { ByteRange } from "../../services/ports";

/** A syntactically valid single range: `bytes=a-b`, `bytes=a-` or the suffix form `bytes=-n`. */
export type RangeSpec = { start: number; end: number | null } | { suffix: number };

const SINGLE = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i;
const CONTENT_RANGE = /^\s*bytes\s+(\d+)\s*-\s*(\d+)\s*\/\s*(\d+|\*)\s*$/i;

/**
 * Parses a Range header value. We parse it ourselves: R2 silently serves the whole object for a range it
 * cannot satisfy, which would turn a client error into a wrong 200.
 */
export function parseRange(header: string): RangeSpec {
  if (header.includes(","))
    throw badRequest(
      "Requests with multiple ranges are not supported in Glance. You may make multiple single-range requests instead.",
    );
  const m = SINGLE.exec(header);
  const invalid = () => rangeNotSatisfiable("Invalid Range header.");
  if (!m) throw invalid();
  const [, a = "", b = ""] = m;
  if (a === "") {
    if (b === "" || Number(b) === 0) throw invalid();
    return { suffix: Number(b) };
  }
  const start = Number(a);
  const end = b === "" ? null : Number(b);
  if (end !== null && end < start) throw invalid();
  return { start, end };
}

/** Glance still honours a request `Content-Range: bytes a-b/total` when there is no Range header. */
export function parseContentRange(header: string): RangeSpec {
  const m = CONTENT_RANGE.exec(header);
  if (!m) throw rangeNotSatisfiable("Invalid Range header.");
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end < start) throw rangeNotSatisfiable("Invalid Range header.");
  return { start, end };
}

/** The bytes a range selects from an object of `size` bytes: end clamped, start past the end refused. */
export function resolveRange(spec: RangeSpec, size: number): ByteRange {
  if ("suffix" in spec) {
    const length = Math.min(spec.suffix, size);
    if (length === 0) throw startOutOfRange(size);
    return { offset: size - length, length };
  }
  if (spec.start >= size) throw startOutOfRange(size);
  const last = spec.end === null ? size - 1 : Math.min(spec.end, size - 1);
  return { offset: spec.start, length: last - spec.start + 1 };
}

const startOutOfRange = (size: number) =>
  rangeNotSatisfiable(
    `Invalid start position in Range header. Start position MUST be in the inclusive range [0, ${size - 1}].`,
  );

/**
 * The request's range as a function of the image size; null means the whole image. Parsing waits until
 * the size is known, so an image without data answers 204 whatever the Range header says.
 */
export function rangeFromRequest(headers: Headers): (size: number) => ByteRange | null {
  const range = headers.get("range");
  const contentRange = headers.get("content-range");
  if (range === null && contentRange === null) return () => null;
  return (size) => resolveRange(range !== null ? parseRange(range) : parseContentRange(contentRange!), size);
}
