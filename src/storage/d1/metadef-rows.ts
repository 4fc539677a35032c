// Row mapping and the keyset list SQL of the metadef catalog (namespaces and tags page like Glance's paginate_query).
import { type SQL, sql } from "drizzle-orm";
import type {
  MetadefNamespace,
  MetadefObject,
  MetadefProperty,
  MetadefTag,
  ResourceType,
  ResourceTypeAssociation,
} from "../../domain/metadefs/catalog";
import { toPropertyType, toPropertyTypes } from "../../domain/metadefs/model";
import type { NamespaceListQuery, SortDir, TagListQuery } from "../../services/metadef-ports";
import {
  type metadefResourceTypes,
  type NamespaceRow,
  metadefNamespaces as ns,
  type ObjectRow,
  type PropertyRow,
  type TagRow,
  metadefTags as tags,
} from "./metadef-schema";

export const toNamespace = (r: NamespaceRow): MetadefNamespace => ({ ...r });

/** Stored definitions are shown through Glance's model; a row loaded from a file never makes a read fail. */
export const toObject = (r: ObjectRow): MetadefObject => ({
  id: r.id,
  name: r.name,
  description: r.description,
  required: r.required ? r.required.split(",") : [],
  properties: toPropertyTypes(r.jsonSchema, "lenient"),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toProperty = (r: PropertyRow): MetadefProperty => ({
  id: r.id,
  name: r.name,
  schema: toPropertyType(r.jsonSchema, "lenient"),
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toTag = (r: TagRow): MetadefTag => ({
  id: r.id,
  name: r.name,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const toResourceType = (r: typeof metadefResourceTypes.$inferSelect): ResourceType => ({
  name: r.name,
  protected: r.protected,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export interface AssociationRow {
  namespace_id: number;
  name: string;
  prefix: string | null;
  properties_target: string | null;
  created_at: number;
  updated_at: number | null;
}

export const toAssociation = (r: AssociationRow): ResourceTypeAssociation => ({
  name: r.name,
  prefix: r.prefix,
  propertiesTarget: r.properties_target,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Raw SQL reads (batched with D1 directly): associations with their type names, columns under drizzle names. */
export const ASSOCIATION_SQL = `select a.namespace_id, r.name, a.prefix, a.properties_target, a.created_at, a.updated_at
  from metadef_namespace_resource_types a join metadef_resource_types r on r.id = a.resource_type_id`;
const TIMES = "created_at as createdAt, updated_at as updatedAt";
export const OBJECT_COLUMNS = `id, namespace_id as namespaceId, name, description, required, json_schema as jsonSchema, ${TIMES}`;
export const PROPERTY_COLUMNS = `id, namespace_id as namespaceId, name, json_schema as jsonSchema, ${TIMES}`;
export const TAG_COLUMNS = `id, namespace_id as namespaceId, name, ${TIMES}`;

/** A row read with raw SQL: the JSON column is still text. */
export type RawJsonRow<T extends { jsonSchema: unknown }> = Omit<T, "jsonSchema"> & { jsonSchema: string };
export function parseJsonColumn<T extends { jsonSchema: unknown }>(r: RawJsonRow<T>): T {
  let jsonSchema: unknown = {};
  try {
    jsonSchema = JSON.parse(r.jsonSchema);
  } catch {
    // A row that is not JSON reads as an empty definition rather than failing the whole namespace.
  }
  return { ...r, jsonSchema } as T;
}

/** A sort key's SQL and its value on the marker row; NULLs sort as '' / -1, i.e. first when ascending. */
interface SortExpr<T> {
  expr: SQL;
  of: (row: T) => string | number;
}

export const NAMESPACE_SORT: Record<string, SortExpr<MetadefNamespace>> = {
  namespace: { expr: sql`${ns.namespace}`, of: (n) => n.namespace },
  display_name: { expr: sql`coalesce(${ns.displayName}, '')`, of: (n) => n.displayName ?? "" },
  description: { expr: sql`coalesce(${ns.description}, '')`, of: (n) => n.description ?? "" },
  visibility: { expr: sql`coalesce(${ns.visibility}, '')`, of: (n) => n.visibility ?? "" },
  protected: { expr: sql`coalesce(${ns.protected}, 0)`, of: (n) => (n.protected ? 1 : 0) },
  owner: { expr: sql`${ns.owner}`, of: (n) => n.owner },
  created_at: { expr: sql`${ns.createdAt}`, of: (n) => n.createdAt },
  updated_at: { expr: sql`coalesce(${ns.updatedAt}, -1)`, of: (n) => n.updatedAt ?? -1 },
  id: { expr: sql`${ns.id}`, of: (n) => n.id },
};

export const TAG_SORT: Record<string, SortExpr<MetadefTag>> = {
  name: { expr: sql`${tags.name}`, of: (t) => t.name },
  created_at: { expr: sql`${tags.createdAt}`, of: (t) => t.createdAt },
  updated_at: { expr: sql`coalesce(${tags.updatedAt}, -1)`, of: (t) => t.updatedAt ?? -1 },
  id: { expr: sql`${tags.id}`, of: (t) => t.id },
  namespace_id: { expr: sql`${tags.namespaceId}`, of: () => 0 },
};

/**
 * paginate_query's order: the sort key, then created_at and id as tie-breakers, all in one direction; the
 * marker condition is the matching row-value comparison spelled out (NULLs were coalesced away).
 */
function keyset<T>(sorts: Record<string, SortExpr<T>>, key: string, dir: SortDir, marker: T | null) {
  const keys = key === "created_at" || key === "id" ? ["created_at", "id"] : [key, "created_at", "id"];
  const exprs = keys.map((k) => sorts[k]!);
  const orderBy = exprs.map((e) => (dir === "asc" ? sql`${e.expr} asc` : sql`${e.expr} desc`));
  if (!marker) return { orderBy, after: undefined };
  const cmp = dir === "asc" ? sql`>` : sql`<`;
  const ors = exprs.map((e, i) => {
    const eqs = exprs.slice(0, i).map((p) => sql`${p.expr} = ${p.of(marker)}`);
    return sql.join([...eqs, sql`${e.expr} ${cmp} ${e.of(marker)}`], sql` and `);
  });
  return { orderBy, after: sql`(${sql.join(ors, sql` or `)})` };
}

export interface PagePlan {
  where: SQL | undefined;
  orderBy: SQL[];
}

const allOf = (conds: SQL[]) => (conds.length ? sql.join(conds, sql` and `) : undefined);

/** One namespace page: the caller's scope (admins see all), the filters, then the keyset. */
export function namespacePage(q: NamespaceListQuery): PagePlan {
  const where: SQL[] = [];
  if (!q.caller.isAdmin) {
    where.push(
      q.caller.projectId === null
        ? sql`${ns.visibility} = 'public'`
        : sql`(${ns.owner} = ${q.caller.projectId} or ${ns.visibility} = 'public')`,
    );
  }
  if (q.visibility !== undefined) where.push(sql`${ns.visibility} = ${q.visibility}`);
  if (q.resourceTypes !== undefined) {
    where.push(sql`${ns.id} in (select a.namespace_id from metadef_namespace_resource_types a
      join metadef_resource_types r on r.id = a.resource_type_id
      where r.name in (select value from json_each(${JSON.stringify(q.resourceTypes)})))`);
  }
  const { orderBy, after } = keyset(NAMESPACE_SORT, q.sortKey, q.sortDir, q.marker);
  if (after) where.push(after);
  return { where: allOf(where), orderBy };
}

export function tagPage(namespaceId: number, q: TagListQuery): PagePlan {
  const { orderBy, after } = keyset(TAG_SORT, q.sortKey, q.sortDir, q.marker);
  return { where: allOf([sql`${tags.namespaceId} = ${namespaceId}`, ...(after ? [after] : [])]), orderBy };
}

/** D1 reports constraint failures only in the message (possibly on the cause). */
function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : "";
  return `${m} ${cause}`;
}
export const isUniqueViolation = (e: unknown) => messageOf(e).includes("UNIQUE constraint failed");
export const isForeignKeyViolation = (e: unknown) => messageOf(e).includes("FOREIGN KEY constraint failed");
