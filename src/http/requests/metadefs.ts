// Metadefs request parsing: read-only keys (403), the JSON schema (400), Glance's model, and list parameters.
import { badRequest, forbidden } from "../../domain/errors";
import { schemaViolation } from "../../domain/metadefs/json-schema";
import { type Doc, type Mode, ModelError, pyIntText } from "../../domain/metadefs/model";
import { OBJECT_PROPERTY_SCHEMA } from "../../domain/metadefs/schemas";
import type { SortDir } from "../../services/metadef-ports";

/** Keys no body may carry; namespaces and objects also refuse their links. */
export const READ_ONLY_TIMES = ["created_at", "updated_at"] as const;
export const READ_ONLY_ALL = ["self", "schema", "created_at", "updated_at"] as const;

const mismatch = (schemaName: string, reason: string) =>
  badRequest(`Provided object does not match schema '${schemaName}': ${reason}`);

/**
 * Glance's deserializer order: a read-only key is 403 (Python's `in`, so a list body naming one counts too), the
 * schema's first error is 400, then the model is built; a value only the model refuses is 400 here (Glance: 500).
 */
export function parseBody(
  body: unknown,
  schema: Doc,
  readOnly: readonly string[],
  toModel: (v: unknown, mode: Mode) => Doc,
  also?: (body: Doc) => void,
): Doc {
  for (const key of readOnly) {
    const present = Array.isArray(body) ? body.includes(key) : typeof body === "object" && body !== null && key in body;
    if (present) throw forbidden(`Attribute '${key}' is read-only.`);
  }
  const name = schema.name as string;
  const violation = schemaViolation(schema, body);
  if (violation) throw mismatch(name, violation);
  try {
    if (also && typeof body === "object" && body !== null && !Array.isArray(body)) also(body as Doc);
    return toModel(body, "strict");
  } catch (e) {
    if (e instanceof ModelError) throw mismatch(name, e.reason);
    throw e;
  }
}

/** POST …/objects also checks each of its properties against the property schema (name optional). */
export function objectPropertiesCheck(body: Doc): void {
  const props = body.properties;
  if (typeof props !== "object" || props === null) return;
  for (const p of Object.values(props)) {
    const violation = schemaViolation(OBJECT_PROPERTY_SCHEMA, p);
    if (violation) throw mismatch("property", violation);
  }
}

/** limit: 400 unless an integer (Glance: 500 for the namespace list), 400 when negative (or 0, if `positive`). */
export function parseLimit(text: string, strictlyPositive = false): number {
  const n = pyIntText(text);
  if (n === null) throw badRequest("limit param must be an integer");
  if (n < 0 || (strictlyPositive && n === 0)) throw badRequest("limit param must be positive");
  return n;
}

export function parseSortDir(text: string | null): SortDir {
  const dir = text ?? "desc";
  if (dir !== "asc" && dir !== "desc") throw badRequest(`Invalid sort direction: ${dir}`);
  return dir;
}

/** Glance passes any sort_key to its paginator (an unknown column is a 500 there); this answers 400. */
export function parseSortKey(text: string | null, available: string[]): string {
  const key = text ?? "created_at";
  if (!available.includes(key))
    throw badRequest(`Invalid sort key: ${key}. It must be one of the following: ${available.join(", ")}.`);
  return key;
}

export function checkVisibilityFilter(q: URLSearchParams, allowed: string[]): string | undefined {
  const v = q.get("visibility");
  if (v && !allowed.includes(v)) throw badRequest(`Invalid visibility value: ${v}`);
  return v ?? undefined;
}

/** The namespace list's query: limit 25 by default and 1000 at most (limit_param_default, api_limit_max). */
export function parseNamespaceList(q: URLSearchParams, sortKeys: string[]) {
  const limitText = q.get("limit");
  const raw = limitText === null ? 25 : pyIntText(limitText);
  if (raw === null) throw badRequest("limit param must be an integer");
  const sortDir = parseSortDir(q.get("sort_dir"));
  const visibility = checkVisibilityFilter(q, ["public", "private"]);
  const limit = Math.min(1000, raw);
  if (limit < 0) throw badRequest("limit param must be positive");
  const sortKey = parseSortKey(q.get("sort_key"), sortKeys);
  const types = q.get("resource_types");
  return {
    limit,
    sortKey,
    sortDir,
    marker: q.get("marker") ?? undefined,
    visibility,
    resourceTypes: types === null ? undefined : types.split(","),
  };
}

/** Python urlencode(dict(request.params)): one entry per name where it first appears, with its last value. */
export function lastValues(q: URLSearchParams): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of q) out.set(k, v);
  return out;
}
