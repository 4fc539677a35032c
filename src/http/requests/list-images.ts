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
  "os_hash_value",
  "created_at",
  "updated_at",
  "changes-since",
  ...IN_COLUMNS,
  ...INT_COLUMNS,
]);

type Params = Map<string, string[]>;

const MAX_FILTER_VALUES = 60;

export function paramsOf(url: URL): Params {
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
function sortDir(d: string): SortDir {
  if (d !== "asc" && d !== "desc") throw badRequest(`Invalid sort direction: ${d}`);
  return d;
}

function parseSort(p: Params): ListQuery["sort"] {
  const keys = p.get("sort_key") ?? [];
  const dirs = p.get("sort_dir") ?? [];
  const sort = p.get("sort");
  if (sort !== undefined) {
    if (keys.length || dirs.length) throw badRequest("Old and new sorting syntax cannot be combined");
    return sort
      .join(",")
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "")
      .map((part) => {
        const [k = "", d] = part.split(":").map((x) => x.trim());
        return { key: sortKey(k), dir: sortDir(d ?? "desc") };
      });
  }
  dirs.forEach(sortDir);
  if (dirs.length > 1 && dirs.length !== keys.length)
    throw badRequest("Number of sort dirs does not match the number of sort keys");
  return keys.map((k, i) => ({ key: sortKey(k), dir: (dirs.length > 1 ? dirs[i] : dirs[0] ?? "desc") as SortDir }));
}

/** Glance's split_filter_value_for_quotes: comma-separated values, double quotes protect commas. */
export function splitInValues(raw: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '"') {
      if (!quoted && cur.trim() !== "") throw badRequest(`Invalid filter value ${raw}. The quote is not closed.`);
      quoted = !quoted;
      wasQuoted = true;
      continue;
    }
    if (ch === "," && !quoted) {
      out.push(wasQuoted ? cur : cur.trim());
      cur = "";
      wasQuoted = false;
      continue;
    }
    if (ch === "\\" && quoted && raw[i + 1] === '"') {
      cur += '"';
      i++;
      continue;
    }
    cur += ch;
  }
  if (quoted) throw badRequest(`Invalid filter value ${raw}. The quote is not closed.`);
  out.push(wasQuoted ? cur : cur.trim());
  return out;
}

/** `in:a,b`, `eq:a` or a bare value; any other `xx:` prefix is an unknown operator (Glance's split_filter_op). */
function parseInFilter(raw: string): string[] {
  const m = /^([a-z]+):(.*)$/s.exec(raw);
  if (!m) return [raw];
  const [, op, rest = ""] = m;
  if (op === "in") return splitInValues(rest);
  if (op === "eq") return [rest];
  throw badRequest(`Unable to filter by unknown operator '${op}'.`);
}

/** ISO 8601 with optional offset; no offset means UTC. */
function parseIsoTime(raw: string, column: string): number {
  const bad = () => badRequest(`Bad "${column}" query filter format. Use ISO 8601 DateTime notation.`);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(raw.trim());
  if (!m) throw bad();
  const [, y, mo, d, h = "00", mi = "00", s = "00", , tz] = m;
  const offset = !tz || tz.toUpperCase() === "Z" ? "Z" : tz.length === 5 ? `${tz.slice(0, 3)}:${tz.slice(3)}` : tz;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  if (Number.isNaN(ms)) throw bad();
  return ms;
}

function parseTimeFilter(column: "created_at" | "updated_at", raw: string): ListQuery["timeFilters"][number] {
  // A bare timestamp contains ':' too; only a known-looking "<letters>:" prefix is an operator.
  const m = /^([a-z]+):(.*)$/.exec(raw);
  if (m && !/^\d/.test(raw)) {
    const op = m[1] as RangeOp;
    if (!RANGE_OPS.includes(op)) throw badRequest("Unable to filter on a unknown operator.");
    return { column, op, at: parseIsoTime(m[2] ?? "", column) };
  }
  return { column, op: "eq", at: parseIsoTime(raw, column) };
}

function parseBytes(raw: string): number {
  if (!/^\s*\d+\s*$/.test(raw)) throw badRequest("Unable to filter on a range with a non-numeric value.");
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
    if (raw !== undefined) q.intFilters.push({ column, value: parseBytes(raw) });
  }
  const owner = last(p, "owner");
  if (owner !== undefined) q.owner = owner;
  const checksum = last(p, "checksum");
  if (checksum !== undefined) q.checksum = checksum;
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
  for (const column of ["created_at", "updated_at"] as const) {
    const raw = last(p, column);
    if (raw !== undefined) q.timeFilters.push(parseTimeFilter(column, raw));
  }
  for (const [key, values] of p) {
    if (!RESERVED_PARAMS.has(key)) q.properties.push({ key, value: values.at(-1)! });
  }
  // D1 binds at most 100 parameters per statement; keep room for scoping and the marker.
  const bound = q.inFilters.reduce((n, f) => n + f.values.length, 0) + q.tags.length + 2 * q.properties.length;
  if (bound > MAX_FILTER_VALUES) throw badRequest(`Too many filter values: at most ${MAX_FILTER_VALUES} are supported.`);
  return q;
}
