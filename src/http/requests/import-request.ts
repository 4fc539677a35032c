// Request parsing for stage (Content-Range of a chunk) and import (Glance's _validate_import_body order).
import { badRequest, rangeNotSatisfiable } from "../../domain/errors";
import type { ContentRange } from "../../services/import/chunked-stage";
import type { ImportRequest } from "../../services/import/import-service";

const RANGE = /^\s*bytes\s+(\d{1,16})-(\d{1,16})\/(\d{1,16})\s*$/i;

/** `bytes START-END/TOTAL` of a stage chunk, null without the header; anything malformed is 416. */
export function parseContentRange(header: string | null): ContentRange | null {
  if (header === null) return null;
  const m = RANGE.exec(header);
  if (!m) throw rangeNotSatisfiable(`Invalid Content-Range '${header}': expected 'bytes START-END/TOTAL'.`);
  const [start, end, total] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![start, end, total].every(Number.isSafeInteger) || end < start || end >= total)
    throw rangeNotSatisfiable(`Invalid Content-Range '${header}'.`);
  return { start, end, total };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates an import body against the enabled methods (400s in Glance's order). */
export function parseImportRequest(body: unknown, enabled: readonly string[]): ImportRequest {
  const doc = isObject(body) ? body : {};
  const method = doc.method;
  if (method === undefined) throw badRequest("Import request requires a 'method' field.");
  if (!isObject(method) || method.name === undefined) throw badRequest("Import request requires a 'name' field.");
  const name = method.name;
  if (typeof name !== "string" || !enabled.includes(name))
    throw badRequest(`Unknown import method name '${String(name)}'.`);
  for (const key of ["all_stores_must_succeed", "all_stores"]) {
    if (key in doc && typeof doc[key] !== "boolean") throw badRequest(`'${key}' must be boolean value only`);
  }
  const uri = typeof method.uri === "string" ? method.uri : null;
  return { method: name as ImportRequest["method"], uri, body: doc };
}
