// parseListImages: GET /v2/images query -> ListQuery, with Glance's 400s for every malformed parameter.
import { badRequest } from "../../domain/errors";
import { MEMBER_STATUSES, type MemberStatus, VISIBILITIES, type Visibility } from "../../domain/image";
import {
  DEFAULT_LIMIT,
  type InFilterColumn,
  type IntColumn,
  type ListQuery,
  MAX_LIMIT,
  type RangeOp,
  SORT_KEYS,
  type SortDir,
  type SortKey,
  withTieBreakers,
} from "../../domain/image-list";

const IN_COLUMNS: InFilterColumn[] = ["name", "id", "status", "container_format", "disk_format"];
const INT_COLUMNS: IntColumn[] = ["size", "virtual_size", "min_ram", "min_disk"];
const RANGE_OPS: RangeOp[] = ["gt", "gte", "lt", "lte", "eq", "neq"];
/** Parameters with a meaning of their own; every other key filters on an extra property. */
const RESERVED_PARAMS = new Set([
  "limit",
  "marker",
  "sort_key",
  "sort_dir",
  "sort",
  "visibility",
  "member_status",
  "owner",
  "tag",
  "size_min",
  "size_max",
  "virtual_size_min",
  "virtual_size_max",
  "os_hidden",
  "protected",
  "checksum",
  "os_hash_algo",
  "os_hash_value",
  "created_at",
  "updated_at",
  "changes-since",
  ...IN_COLUMNS,
  ...INT_COLUMNS,
]);

type Params = Map<string, string[]>;

const MAX_FILTER_VALUES = 60;

function paramsOf(url: URL): Params {
  const out: Params = new Map();
  for (const [k, v] of url.searchParams) out.set(k, [...(out.get(k) ?? []), v]);
  return out;
}
const last = (p: Params, k: string) => p.get(k)?.at(-1);

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_LIMIT;
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw badRequest("limit param must be an integer");
  const n = Number(raw);
  if (n < 0) throw badRequest("limit param must be positive");
  return Math.min(n, MAX_LIMIT);
}

function sortKey(k: string): SortKey {
  if (!(SORT_KEYS as readonly string[]).includes(k))
    throw badRequest(`Invalid sort key: ${k}. It must be one of the following: ${SORT_KEYS.join(", ")}.`);
  return k as SortKey;
}
export function parseSortDir(d: string): SortDir {
  if (d !== "asc" && d !== "desc") throw badRequest(`Invalid sort direction: ${d}`);
  return d;
}

/** Python's str.partition(':'). */
function partition(s: string): [string, string | undefined] {
  const i = s.indexOf(":");
  return i < 0 ? [s, undefined] : [s.slice(0, i), s.slice(i + 1)];
}

/**
 * The complete order: requested keys (default created_at), then the created_at/id tie-breakers in the
 * direction of the single sort direction given, or `desc` when none or several were given (Glance's
 * image_get_all).
 */
function parseSort(p: Params): ListQuery["sort"] {
  const keys: SortKey[] = [];
  const dirs: SortDir[] = [];
  const sort = p.get("sort");
  if (sort !== undefined) {
    if (p.has("sort_key") || p.has("sort_dir")) throw badRequest("Old and new sorting syntax cannot be combined");
    for (const part of sort.join(",").split(",")) {
      if (part.trim() === "") continue;
      const [k, d] = partition(part);
      keys.push(sortKey(k.trim()));
      dirs.push(parseSortDir(d === undefined || d.trim() === "" ? "desc" : d.trim()));
    }
  } else {
    for (const k of p.get("sort_key") ?? []) keys.push(sortKey(k.trim()));
    for (const d of p.get("sort_dir") ?? []) dirs.push(parseSortDir(d.trim()));
    if (dirs.length > 1 && dirs.length !== keys.length)
      throw badRequest("Number of sort dirs does not match the number of sort keys");
  }
  if (keys.length === 0) keys.push("created_at");
  const single = dirs.length === 1 ? dirs[0]! : undefined;
  const requested = keys.map((key, i) => ({ key, dir: single ?? dirs[i] ?? "desc" }));
  return withTieBreakers(requested, single ?? "desc");
}

/**
 * The `in:` value list (API-WG filtering guideline, as Glance reads it): comma-separated, values kept verbatim
 * (no trimming); a value containing commas is double-quoted, `\"` is a literal quote inside one. A quote must
 * open right after a comma (or at the start) and close right before one (or at the end).
 */
export function splitInValues(raw: string): string[] {
  const invalid = (why: string) => badRequest(`Invalid filter value ${raw}. ${why}`);
  const out: string[] = [];
  let i = 0;
  while (i < raw.length) {
    if (raw[i] === ",") {
      out.push("");
      i++;
    } else if (raw[i] === '"') {
      let value = "";
      let j = i + 1;
      for (; j < raw.length && raw[j] !== '"'; j++) {
        if (raw[j] === "\\" && raw[j + 1] === '"') j++;
        value += raw[j];
      }
      if (j >= raw.length) throw invalid("The quote is not closed.");
      if (j + 1 < raw.length && raw[j + 1] !== ",") throw invalid("There is no comma after closing quotation mark.");
      out.push(value);
      i = j + 2;
    } else {
      const end = raw.indexOf(",", i);
      const value = raw.slice(i, end < 0 ? raw.length : end);
      const quote = value.search(/(?<!\\)"/);
      if (quote >= 0) throw invalid("There is no comma before opening quotation mark.");
      out.push(value);
      i = end < 0 ? raw.length : end + 1;
    }
  }
  return out;
}

/** Whether the whole text is an ISO 8601 time (Glance's split_filter_op then takes it as `eq:` + value). */
function isIsoTime(raw: string): boolean {
  try {
    parseIsoTime(raw, "");
    return true;
  } catch {
    return false;
  }
}

/**
 * Glance's split_filter_op: text before the first ':' is the operator, unless the whole value is an ISO 8601
 * time; no ':' means `eq`.
 */
function splitFilterOp(raw: string): [op: string, value: string] {
  const [left, right] = partition(raw);
  if (right === undefined || isIsoTime(raw)) return ["eq", raw];
  return [left, right];
}

/** `in:a,b`, `eq:a` or a bare value; any other `<op>:` prefix is an unknown operator. */
function parseInFilter(raw: string): string[] {
  const [op, rest] = splitFilterOp(raw);
  if (op === "in") return splitInValues(rest);
  if (op === "eq") return [rest];
  throw badRequest(`Unable to filter by unknown operator '${op}'.`);
}

/** ISO 8601 with optional offset; no offset means UTC. */
function parseIsoTime(raw: string, column: string): number {
  const bad = () => badRequest(`Bad "${column}" query filter format. Use ISO 8601 DateTime notation.`);
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      raw.trim(),
    );
  if (!m) throw bad();
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", tz] = m;
  let offset = "Z";
  if (tz && tz.toUpperCase() !== "Z") {
    const digits = tz.replace(":", "");
    offset = `${digits.slice(0, 3)}:${digits.slice(3) || "00"}`;
  }
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, "0").slice(0, 3)}${offset}`);
  // Date.parse rolls 2020-02-31 over to March; Glance's parser refuses it.
  if (Number.isNaN(ms) || new Date(`${y}-${mo}-${d}T00:00:00Z`).toISOString().slice(0, 10) !== `${y}-${mo}-${d}`)
    throw bad();
  return ms;
}

function parseTimeFilter(column: "created_at" | "updated_at", raw: string): ListQuery["timeFilters"][number] {
  // The time is checked before the operator, as Glance does (request deserializer, then the DB layer).
  const [op, value] = splitFilterOp(raw);
  const at = parseIsoTime(value, column);
  if (!(RANGE_OPS as string[]).includes(op)) throw badRequest("Unable to filter on a unknown operator.");
  return { column, op: op as RangeOp, at };
}

/** Python int(): optional sign and surrounding whitespace. */
const INT_RE = /^\s*[-+]?\d+\s*$/;

function parseBytes(raw: string): number {
  if (!INT_RE.test(raw)) throw badRequest("Unable to filter on a range with a non-numeric value.");
  return Number(raw);
}

export function parseListImages(url: URL): ListQuery {
  const p = paramsOf(url);
  if (p.has("changes-since")) throw badRequest('The "changes-since" filter is no longer available on v2.');
  const q: ListQuery = {
    limit: parseLimit(last(p, "limit")),
    sort: parseSort(p),
    memberStatus: "accepted",
    inFilters: [],
    tags: p.get("tag") ?? [],
    osHidden: false,
    timeFilters: [],
    intFilters: [],
    properties: [],
  };
  const marker = last(p, "marker");
  if (marker !== undefined) q.marker = marker;

  const visibility = last(p, "visibility");
  if (visibility !== undefined) {
    if (visibility !== "all" && !(VISIBILITIES as readonly string[]).includes(visibility))
      throw badRequest(`Invalid visibility value: ${visibility}`);
    q.visibility = visibility as Visibility | "all";
  }
  const ms = last(p, "member_status");
  if (ms !== undefined) {
    if (ms !== "all" && !(MEMBER_STATUSES as readonly string[]).includes(ms)) throw badRequest(`Invalid status: ${ms}`);
    q.memberStatus = ms as MemberStatus | "all";
  }
  const hidden = last(p, "os_hidden");
  if (hidden !== undefined) {
    const h = hidden.toLowerCase();
    if (h !== "true" && h !== "false")
      throw badRequest(`Invalid value '${hidden}' for 'os_hidden' filter. Valid values are 'true' or 'false'.`);
    q.osHidden = h === "true";
  }
  const prot = last(p, "protected");
  if (prot !== undefined) {
    if (prot !== "true" && prot !== "false")
      throw badRequest(`Invalid value '${prot}' for 'protected' filter. Valid values are 'true' or 'false'.`);
    q.protected = prot === "true";
  }
  for (const column of IN_COLUMNS) {
    const raw = last(p, column);
    if (raw !== undefined) q.inFilters.push({ column, values: parseInFilter(raw) });
  }
  for (const column of INT_COLUMNS) {
    const raw = last(p, column);
    if (raw !== undefined) q.intFilters.push({ column, value: INT_RE.test(raw) ? Number(raw) : null });
  }
  const owner = last(p, "owner");
  if (owner !== undefined) q.owner = owner;
  const checksum = last(p, "checksum");
  if (checksum !== undefined) q.checksum = checksum;
  const algo = last(p, "os_hash_algo");
  if (algo !== undefined) q.osHashAlgo = algo;
  const hash = last(p, "os_hash_value");
  if (hash !== undefined) q.osHashValue = hash;
  for (const [param, field] of [
    ["size_min", "sizeMin"],
    ["size_max", "sizeMax"],
    ["virtual_size_min", "virtualSizeMin"],
    ["virtual_size_max", "virtualSizeMax"],
  ] as const) {
    const raw = last(p, param);
    if (raw !== undefined) q[field] = parseBytes(raw);
  }
  // Every value counts (ANDed), so `created_at=gt:A&created_at=lt:B` is a range.
  for (const column of ["created_at", "updated_at"] as const)
    for (const raw of p.get(column) ?? []) q.timeFilters.push(parseTimeFilter(column, raw));
  for (const [key, values] of p) {
    if (!RESERVED_PARAMS.has(key)) q.properties.push({ key, value: values.at(-1)! });
  }
  // D1 binds at most 100 parameters per statement; keep room for scoping and the marker.
  const bound =
    q.inFilters.reduce((n, f) => n + f.values.length, 0) +
    q.tags.length +
    2 * q.properties.length +
    2 * q.timeFilters.length;
  if (bound > MAX_FILTER_VALUES)
    throw badRequest(`Too many filter values: at most ${MAX_FILTER_VALUES} are supported.`);
  return q;
}
