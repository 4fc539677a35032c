// Makes Glance's and this service's metadefs answers comparable: times masked, jsonschema's schema dump cut.
// Shared by the Glance recorder (test/fixtures/metadefs-glance/record.mjs), the replay tests and the e2e check.
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** Same structure and key order, with every created_at/updated_at time replaced by "<time>". */
export function maskTimes(v) {
  if (Array.isArray(v)) return v.map(maskTimes);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        (k === "created_at" || k === "updated_at") && typeof x === "string" && ISO.test(x) ? "<time>" : maskTimes(x),
      ]),
    );
  }
  return v;
}

/** Glance appends jsonschema's "Failed validating … On instance …" dump to schema errors; this service does not. */
export function errorMessage(body) {
  const m = body && typeof body === "object" && typeof body.message === "string" ? body.message : null;
  if (m === null) return null;
  return m.replace(/\n\nFailed validating[\s\S]*?(<br \/><br \/>)/, "$1").replace(/<br \/><br \/>\n\n\n$/, "");
}

/**
 * The comparable form of one answer: status, Location path, body with times masked.
 * @param {number} status @param {string | null} location @param {unknown} body
 * @returns {{ status: number, location?: string, body?: unknown }}
 */
export function comparable(status, location, body) {
  /** @type {{ status: number, location?: string, body?: unknown }} */
  const out = { status };
  if (location) out.location = new URL(location, "http://x").pathname;
  if (body !== undefined)
    out.body = status >= 400 ? { message: errorMessage(body), code: body?.code } : maskTimes(body);
  return out;
}
