// The metadef writes and reads that are several statements in one D1 batch (one transaction, one round trip).
import type { NamespaceContents } from "../../domain/metadefs/catalog";
import type {
  NamespaceFields,
  NewAssociation,
  NewObject,
  NewProperty,
  WriteOutcome,
} from "../../services/metadef-ports";
import {
  ASSOCIATION_SQL,
  type AssociationRow,
  isForeignKeyViolation,
  isUniqueViolation,
  OBJECT_COLUMNS,
  PROPERTY_COLUMNS,
  parseJsonColumn,
  type RawJsonRow,
  TAG_COLUMNS,
  toAssociation,
  toObject,
  toProperty,
  toTag,
} from "./metadef-rows";
import type { ObjectRow, PropertyRow, TagRow } from "./metadef-schema";

/** A namespace's contents in one round trip, in Glance's orders. */
export async function readContents(d1: D1Database, namespaceId: number): Promise<NamespaceContents> {
  const q = (text: string) => d1.prepare(text).bind(namespaceId);
  // Glance lists objects and properties by name, a namespace's tags newest first (its tag list defaults).
  const [assoc, objs, props, tagRows] = await d1.batch([
    q(`${ASSOCIATION_SQL} where a.namespace_id = ?1 order by a.rowid`),
    q(`select ${OBJECT_COLUMNS} from metadef_objects where namespace_id = ?1 order by name`),
    q(`select ${PROPERTY_COLUMNS} from metadef_properties where namespace_id = ?1 order by name`),
    q(`select ${TAG_COLUMNS} from metadef_tags where namespace_id = ?1 order by created_at desc, id desc`),
  ]);
  return {
    associations: (assoc!.results as AssociationRow[]).map(toAssociation),
    objects: (objs!.results as RawJsonRow<ObjectRow>[]).map((r) => toObject(parseJsonColumn(r))),
    properties: (props!.results as RawJsonRow<PropertyRow>[]).map((r) => toProperty(parseJsonColumn(r))),
    tags: (tagRows!.results as TagRow[]).map(toTag),
  };
}

/** The namespace and its contents in one transaction; rows travel as one JSON parameter per table. */
export async function insertNamespace(
  d1: D1Database,
  f: NamespaceFields,
  c: { associations: NewAssociation[]; objects: NewObject[]; properties: NewProperty[]; tags: string[] },
  now: number,
): Promise<WriteOutcome> {
  const owned = "cross join metadef_namespaces n where n.namespace = ?1";
  const [first] = await run(d1, [
    d1
      .prepare(`insert into metadef_namespaces (namespace, display_name, description, visibility, protected, owner,
        created_at, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)`)
      .bind(f.namespace, f.displayName, f.description, f.visibility, f.protected ? 1 : 0, f.owner, now),
    ...associationStatements(
      d1,
      "(select id from metadef_namespaces where namespace = ?3)",
      f.namespace,
      c.associations,
      now,
    ),
    d1
      .prepare(`insert into metadef_objects (namespace_id, name, description, required, json_schema, created_at, updated_at)
        select n.id, j.value ->> 'name', j.value ->> 'description', j.value ->> 'required', j.value -> 'properties', ?3, ?3
        from json_each(?2) j ${owned} order by j.key`)
      .bind(f.namespace, JSON.stringify(c.objects), now),
    d1
      .prepare(`insert into metadef_properties (namespace_id, name, json_schema, created_at, updated_at)
        select n.id, j.value ->> 'name', j.value -> 'schema', ?3, ?3 from json_each(?2) j ${owned} order by j.key`)
      .bind(f.namespace, JSON.stringify(c.properties), now),
    d1
      .prepare(`insert into metadef_tags (namespace_id, name, created_at, updated_at)
        select n.id, j.value, ?3, ?3 from json_each(?2) j ${owned} order by j.key`)
      .bind(f.namespace, JSON.stringify(c.tags), now),
  ]);
  return first!;
}

/** New resource types first (unprotected), then the associations in the order given; `namespaceId` is SQL. */
function associationStatements(
  d1: D1Database,
  namespaceId: string,
  key: string | number,
  list: NewAssociation[],
  now: number,
) {
  const json = JSON.stringify(list);
  return [
    d1
      .prepare(`insert or ignore into metadef_resource_types (name, protected, created_at, updated_at)
        select j.value ->> 'name', 0, ?1, ?1 from json_each(?2) j order by j.key`)
      .bind(now, json),
    d1
      .prepare(`insert into metadef_namespace_resource_types
          (resource_type_id, namespace_id, properties_target, prefix, created_at, updated_at)
        select r.id, ${namespaceId}, j.value ->> 'propertiesTarget', j.value ->> 'prefix', ?1, ?1
        from json_each(?2) j cross join metadef_resource_types r where r.name = j.value ->> 'name' order by j.key`)
      .bind(now, json, key),
  ];
}

/** One transaction; each statement's outcome, or the constraint it broke for all of them. */
async function run(d1: D1Database, statements: D1PreparedStatement[]): Promise<WriteOutcome[]> {
  try {
    const results = await d1.batch(statements);
    return results.map((r) => (r.meta.changes > 0 ? "ok" : "missing"));
  } catch (e) {
    if (isUniqueViolation(e)) return statements.map(() => "duplicate");
    if (isForeignKeyViolation(e)) return statements.map(() => "missing");
    throw e;
  }
}

/** Adds the tags, or replaces the namespace's tags with them (delete and insert in one transaction). */
export async function writeTags(
  d1: D1Database,
  namespaceId: number,
  names: string[],
  append: boolean,
  now: number,
): Promise<WriteOutcome> {
  const insert = d1
    .prepare(`insert into metadef_tags (namespace_id, name, created_at, updated_at)
      select n.id, j.value, ?3, ?3 from json_each(?2) j cross join metadef_namespaces n where n.id = ?1 order by j.key`)
    .bind(namespaceId, JSON.stringify(names), now);
  const clear = d1.prepare("delete from metadef_tags where namespace_id = ?1").bind(namespaceId);
  return (await run(d1, append ? [insert] : [clear, insert])).at(-1)!;
}

/** The association (and its resource type, when new) in one transaction. */
export async function insertAssociation(
  d1: D1Database,
  namespaceId: number,
  a: NewAssociation,
  now: number,
): Promise<WriteOutcome> {
  return (await run(d1, associationStatements(d1, "?3", namespaceId, [a], now)))[1]!;
}
