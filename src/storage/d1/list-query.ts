// The SQL behind GET /v2/images: Glance's visibility scoping, filters, and keyset pagination (no OFFSET).
import { and, asc, desc, eq, gte, inArray, lte, ne, or, type SQL, sql } from "drizzle-orm";
import type { DrizzleD1Database } from "drizzle-orm/d1";
import type { MemberStatus, Visibility } from "../../domain/image";
import type { ListQuery, SortKey } from "../../domain/image-list";
import type { ListCaller } from "../../services/ports";
import { images } from "./schema";

/**
 * Sort expressions. Nullable keys go through coalesce() so NULLs compare like Glance's pagination does
 * ('' / -1, i.e. first ascending) and so the expression indexes in migrations/ serve the ORDER BY.
 */
const SORT_EXPR: Record<SortKey, SQL> = {
  name: sql`coalesce(${images.name}, '')`,
  status: sql`${images.status}`,
  container_format: sql`coalesce(${images.containerFormat}, '')`,
  disk_format: sql`coalesce(${images.diskFormat}, '')`,
  size: sql`coalesce(${images.size}, -1)`,
  id: sql`${images.id}`,
  created_at: sql`${images.createdAt}`,
  updated_at: sql`${images.updatedAt}`,
};

/** Keys whose sort expression is a bare column (so a row-value comparison can seek the index). */
const PLAIN_COLUMN_KEYS = new Set<SortKey>(["status", "id", "created_at", "updated_at"]);

const memberOf = (projectId: string, status: MemberStatus | "all") =>
  sql`exists (select 1 from image_members m where m.image_id = ${images.id} and m.member = ${projectId} and m.deleted = 0${
    status === "all" ? sql`` : sql` and m.status = ${status}`
  })`;

/**
 * Which images a caller may list (glance/db/sqlalchemy/api.py _select_images_query). Without a visibility
 * filter, other projects' community images are left out, for admins too.
 */
function visibleTo(
  caller: ListCaller,
  visibility: Visibility | "all" | undefined,
  memberStatus: MemberStatus | "all",
): SQL | undefined {
  const p = caller.projectId;
  const own = p === null ? sql`0` : eq(images.owner, p);
  if (caller.isAdmin) {
    if (visibility === undefined) return or(ne(images.visibility, "community"), own);
    return visibility === "all" ? undefined : eq(images.visibility, visibility);
  }
  const shared = p === null ? sql`0` : and(eq(images.visibility, "shared"), memberOf(p, memberStatus));
  switch (visibility) {
    case undefined:
      return or(own, eq(images.visibility, "public"), shared);
    case "all":
      return or(own, inArray(images.visibility, ["public", "community"]), shared);
    case "public":
    case "community":
      return eq(images.visibility, visibility);
    case "shared":
      return and(eq(images.visibility, "shared"), or(own, shared));
    case "private":
      return and(eq(images.visibility, "private"), own);
  }
}

/** Timestamps are shown at second precision, so `eq:` means "within that second". */
function timeCondition(column: "created_at" | "updated_at", op: string, at: number): SQL {
  const col = column === "created_at" ? images.createdAt : images.updatedAt;
  const start = Math.floor(at / 1000) * 1000;
  const end = start + 1000;
  switch (op) {
    case "gt":
      return sql`${col} >= ${end}`;
    case "gte":
      return sql`${col} >= ${start}`;
    case "lt":
      return sql`${col} < ${start}`;
    case "lte":
      return sql`${col} < ${end}`;
    case "neq":
      return sql`(${col} < ${start} or ${col} >= ${end})`;
    default:
      return sql`(${col} >= ${start} and ${col} < ${end})`;
  }
}

const IN_COLUMNS = {
  name: images.name,
  id: images.id,
  status: images.status,
  container_format: images.containerFormat,
  disk_format: images.diskFormat,
} as const;
const INT_COLUMNS = {
  size: images.size,
  virtual_size: images.virtualSize,
  min_ram: images.minRam,
  min_disk: images.minDisk,
} as const;

/** JSON path for one extra property; quoting keeps keys with dots or colons literal. */
const jsonPath = (key: string) => `$."${key.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

function filters(q: ListQuery, caller: ListCaller): (SQL | undefined)[] {
  const c: (SQL | undefined)[] = [
    eq(images.deleted, false),
    ne(images.status, "killed"),
    visibleTo(caller, q.visibility, q.memberStatus),
    eq(images.osHidden, q.osHidden),
  ];
  for (const f of q.inFilters) {
    if (f.column === "name") {
      // Through the same coalesce() as images_name_idx, so an exact name is an index lookup, not a scan.
      c.push(inArray(SORT_EXPR.name, f.values));
      if (f.values.includes("")) c.push(sql`${images.name} is not null`);
    } else c.push(inArray(IN_COLUMNS[f.column], f.values));
  }
  if (q.owner !== undefined) c.push(eq(images.owner, q.owner));
  for (const tag of q.tags)
    c.push(sql`exists (select 1 from json_each(${images.tags}) where json_each.value = ${tag})`);
  if (q.sizeMin !== undefined) c.push(gte(images.size, q.sizeMin));
  if (q.sizeMax !== undefined) c.push(lte(images.size, q.sizeMax));
  if (q.virtualSizeMin !== undefined) c.push(gte(images.virtualSize, q.virtualSizeMin));
  if (q.virtualSizeMax !== undefined) c.push(lte(images.virtualSize, q.virtualSizeMax));
  if (q.protected !== undefined) c.push(eq(images.protected, q.protected));
  if (q.checksum !== undefined) c.push(eq(images.checksum, q.checksum));
  if (q.osHashAlgo !== undefined) c.push(eq(images.osHashAlgo, q.osHashAlgo));
  if (q.osHashValue !== undefined) c.push(eq(images.osHashValue, q.osHashValue));
  for (const t of q.timeFilters) c.push(timeCondition(t.column, t.op, t.at));
  for (const f of q.intFilters) c.push(f.value === null ? sql`0` : eq(INT_COLUMNS[f.column], f.value));
  for (const p of q.properties) c.push(sql`json_extract(${images.properties}, ${jsonPath(p.key)}) = ${p.value}`);
  return c;
}

/**
 * The marker row's values of `exprs`, read by primary key in an uncorrelated subquery (SQLite evaluates it
 * once, as a constant), so the marker costs no round trip of its own. Inside it, `images` is the subquery's
 * own table. A marker that does not exist makes every comparison NULL: no rows (the caller answers 400).
 * The unary `+` drops the columns' affinity, as a bound parameter has none: a column-vs-column comparison
 * gets BLOB/NUMERIC affinity, which differs from the index's, and SQLite then seeks a row value such as
 * `(created_at, id) < (…)` on its first column only. The values are the stored ones, so results are the same.
 */
const markerValues = (exprs: SQL[], markerId: string) =>
  sql`(select ${sql.join(
    exprs.map((e) => sql`+${e}`),
    sql`, `,
  )} from ${images} where ${images.id} = ${markerId})`;

/**
 * Rows strictly after the marker in the given order. With one direction for every key this is a row-value
 * comparison; mixed directions expand to the OR-of-prefixes form. SQLite seeks an index with a row value
 * over plain columns only, not over the coalesce() expressions (nor with mixed directions), so then the first
 * key also gets a scalar bound (`>=` / `<=` the marker's value): the scan starts at the marker's first-key
 * value and at worst skips the rows sharing it, instead of walking every row before the marker.
 * Each subquery binds only the marker id, so the marker costs at most 2 parameters per sort key.
 */
function afterMarker(sort: ListQuery["sort"], markerId: string): SQL {
  const exprs = sort.map((s) => SORT_EXPR[s.key]);
  const first = sort[0]!;
  const firstValue = markerValues([exprs[0]!], markerId);
  const bound = first.dir === "asc" ? sql`${exprs[0]} >= ${firstValue}` : sql`${exprs[0]} <= ${firstValue}`;
  if (sort.every((s) => s.dir === first.dir)) {
    const op = first.dir === "asc" ? sql`>` : sql`<`;
    const row = sql`(${sql.join(exprs, sql`, `)}) ${op} ${markerValues(exprs, markerId)}`;
    return PLAIN_COLUMN_KEYS.has(first.key) ? row : sql`${bound} and ${row}`;
  }
  const branches = sort.map((s, i) => {
    const value = markerValues([exprs[i]!], markerId);
    const cmp = s.dir === "asc" ? sql`${exprs[i]} > ${value}` : sql`${exprs[i]} < ${value}`;
    if (i === 0) return cmp;
    const prefix = exprs.slice(0, i);
    return sql`(${sql.join(prefix, sql`, `)}) = ${markerValues(prefix, markerId)} and ${cmp}`;
  });
  return sql`${bound} and (${sql.join(
    branches.map((b) => sql`(${b})`),
    sql` or `,
  )})`;
}

/** One page in the query's order, after `q.marker` if set (the marker's sort values come from subqueries). */
export function buildListQuery(db: DrizzleD1Database, q: ListQuery, caller: ListCaller) {
  const conds = filters(q, caller);
  if (q.marker !== undefined) conds.push(afterMarker(q.sort, q.marker));
  return db
    .select()
    .from(images)
    .where(and(...conds))
    .orderBy(...q.sort.map((s) => (s.dir === "asc" ? asc(SORT_EXPR[s.key]) : desc(SORT_EXPR[s.key]))))
    .limit(q.limit);
}

/** The marker's id when it is a live image the caller can see (of any visibility and member status), else no row. */
export function buildMarkerCheck(db: DrizzleD1Database, markerId: string, caller: ListCaller) {
  return db
    .select({ id: images.id })
    .from(images)
    .where(and(eq(images.id, markerId), eq(images.deleted, false), visibleTo(caller, "all", "all")))
    .limit(1);
}
