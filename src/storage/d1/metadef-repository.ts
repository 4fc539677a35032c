// D1MetadefRepository: the catalog in D1; every multi-row write is one batch (one transaction), rows go in as JSON.
import { and, asc, eq, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type {
  MetadefNamespace,
  MetadefObject,
  MetadefProperty,
  MetadefTag,
  NamespaceContents,
  ResourceType,
  ResourceTypeAssociation,
} from "../../domain/metadefs/catalog";
import type {
  ContentKind,
  MetadefRepository,
  NamespaceFields,
  NamespaceListQuery,
  NewAssociation,
  NewObject,
  NewProperty,
  TagListQuery,
  WriteOutcome,
} from "../../services/metadef-ports";
import {
  ASSOCIATION_SQL,
  type AssociationRow,
  isForeignKeyViolation,
  isUniqueViolation,
  namespacePage,
  OBJECT_COLUMNS,
  PROPERTY_COLUMNS,
  parseJsonColumn,
  type RawJsonRow,
  TAG_COLUMNS,
  tagPage,
  toAssociation,
  toNamespace,
  toObject,
  toProperty,
  toTag,
} from "./metadef-rows";
import {
  metadefNamespaces as ns,
  type ObjectRow,
  metadefObjects as objects,
  type PropertyRow,
  metadefProperties as properties,
  metadefResourceTypes as resourceTypes,
  type TagRow,
  metadefTags as tags,
} from "./metadef-schema";

/** Runs a write; constraint failures become outcomes, anything else propagates. */
async function outcome(write: () => Promise<{ changes: number }>): Promise<WriteOutcome> {
  try {
    return (await write()).changes > 0 ? "ok" : "missing";
  } catch (e) {
    if (isUniqueViolation(e)) return "duplicate";
    if (isForeignKeyViolation(e)) return "missing";
    throw e;
  }
}

export class D1MetadefRepository implements MetadefRepository {
  private readonly db: DrizzleD1Database;
  constructor(private readonly d1: D1Database) {
    this.db = drizzle(d1);
  }

  async findNamespace(name: string): Promise<MetadefNamespace | null> {
    const [row] = await this.db.select().from(ns).where(eq(ns.namespace, name)).limit(1);
    return row ? toNamespace(row) : null;
  }

  async listNamespaces(q: NamespaceListQuery): Promise<MetadefNamespace[]> {
    const plan = namespacePage(q);
    const rows = await this.db
      .select()
      .from(ns)
      .where(plan.where)
      .orderBy(...plan.orderBy)
      .limit(q.limit);
    return rows.map(toNamespace);
  }

  async associationsOf(namespaceIds: number[]): Promise<Map<number, ResourceTypeAssociation[]>> {
    const out = new Map<number, ResourceTypeAssociation[]>();
    if (namespaceIds.length === 0) return out;
    const { results } = await this.d1
      .prepare(
        `${ASSOCIATION_SQL} where a.namespace_id in (select value from json_each(?1)) order by a.namespace_id, a.rowid`,
      )
      .bind(JSON.stringify(namespaceIds))
      .all<AssociationRow>();
    const rows = results;
    for (const r of rows) out.set(r.namespace_id, [...(out.get(r.namespace_id) ?? []), toAssociation(r)]);
    return out;
  }

  async contents(namespaceId: number): Promise<NamespaceContents> {
    const q = (text: string) => this.d1.prepare(text).bind(namespaceId);
    // Glance lists objects and properties by name, a namespace's tags newest first (its tag list defaults).
    const [assoc, objs, props, tagRows] = await this.d1.batch([
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

  async createNamespace(
    f: NamespaceFields,
    c: { associations: NewAssociation[]; objects: NewObject[]; properties: NewProperty[]; tags: string[] },
    now: number,
  ): Promise<WriteOutcome> {
    const owned = "cross join metadef_namespaces n where n.namespace = ?1";
    const [first] = await this.run([
      this.d1
        .prepare(`insert into metadef_namespaces (namespace, display_name, description, visibility, protected, owner,
          created_at, updated_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)`)
        .bind(f.namespace, f.displayName, f.description, f.visibility, f.protected ? 1 : 0, f.owner, now),
      ...this.associationStatements(
        "(select id from metadef_namespaces where namespace = ?3)",
        f.namespace,
        c.associations,
        now,
      ),
      this.d1
        .prepare(`insert into metadef_objects (namespace_id, name, description, required, json_schema, created_at, updated_at)
          select n.id, j.value ->> 'name', j.value ->> 'description', j.value ->> 'required', j.value -> 'properties', ?3, ?3
          from json_each(?2) j ${owned} order by j.key`)
        .bind(f.namespace, JSON.stringify(c.objects), now),
      this.d1
        .prepare(`insert into metadef_properties (namespace_id, name, json_schema, created_at, updated_at)
          select n.id, j.value ->> 'name', j.value -> 'schema', ?3, ?3 from json_each(?2) j ${owned} order by j.key`)
        .bind(f.namespace, JSON.stringify(c.properties), now),
      this.d1
        .prepare(`insert into metadef_tags (namespace_id, name, created_at, updated_at)
          select n.id, j.value, ?3, ?3 from json_each(?2) j ${owned} order by j.key`)
        .bind(f.namespace, JSON.stringify(c.tags), now),
    ]);
    return first!;
  }

  /** New resource types first (unprotected), then the associations in the order given; `namespaceId` is SQL. */
  private associationStatements(namespaceId: string, key: string | number, list: NewAssociation[], now: number) {
    const json = JSON.stringify(list);
    return [
      this.d1
        .prepare(`insert or ignore into metadef_resource_types (name, protected, created_at, updated_at)
          select j.value ->> 'name', 0, ?1, ?1 from json_each(?2) j order by j.key`)
        .bind(now, json),
      this.d1
        .prepare(`insert into metadef_namespace_resource_types
            (resource_type_id, namespace_id, properties_target, prefix, created_at, updated_at)
          select r.id, ${namespaceId}, j.value ->> 'propertiesTarget', j.value ->> 'prefix', ?1, ?1
          from json_each(?2) j cross join metadef_resource_types r where r.name = j.value ->> 'name' order by j.key`)
        .bind(now, json, key),
    ];
  }

  /** One transaction; each statement's outcome, or the constraint it broke for all of them. */
  private async run(statements: D1PreparedStatement[]): Promise<WriteOutcome[]> {
    try {
      const results = await this.d1.batch(statements);
      return results.map((r) => (r.meta.changes > 0 ? "ok" : "missing"));
    } catch (e) {
      if (isUniqueViolation(e)) return statements.map(() => "duplicate");
      if (isForeignKeyViolation(e)) return statements.map(() => "missing");
      throw e;
    }
  }

  updateNamespace(id: number, f: NamespaceFields, now: number): Promise<WriteOutcome> {
    return outcome(
      async () =>
        (
          await this.db
            .update(ns)
            .set({ ...f, updatedAt: now })
            .where(eq(ns.id, id))
            .run()
        ).meta,
    );
  }

  async deleteNamespace(id: number): Promise<void> {
    await this.db.delete(ns).where(eq(ns.id, id)).run();
  }

  async clear(namespaceId: number, kind: ContentKind): Promise<void> {
    const table = kind === "objects" ? objects : kind === "properties" ? properties : tags;
    await this.db.delete(table).where(eq(table.namespaceId, namespaceId)).run();
  }

  async listObjects(namespaceId: number): Promise<MetadefObject[]> {
    const rows = await this.db
      .select()
      .from(objects)
      .where(eq(objects.namespaceId, namespaceId))
      .orderBy(asc(objects.name));
    return rows.map(toObject);
  }

  async findObject(namespaceId: number, name: string): Promise<MetadefObject | null> {
    const [row] = await this.db
      .select()
      .from(objects)
      .where(and(eq(objects.namespaceId, namespaceId), eq(objects.name, name)));
    return row ? toObject(row) : null;
  }

  insertObject(namespaceId: number, o: NewObject, now: number): Promise<WriteOutcome> {
    const row = {
      namespaceId,
      name: o.name,
      description: o.description,
      required: o.required,
      jsonSchema: o.properties,
    };
    return outcome(
      async () =>
        (
          await this.db
            .insert(objects)
            .values({ ...row, createdAt: now, updatedAt: now })
            .run()
        ).meta,
    );
  }

  updateObject(id: number, o: NewObject, now: number): Promise<WriteOutcome> {
    const row = {
      name: o.name,
      description: o.description,
      required: o.required,
      jsonSchema: o.properties,
      updatedAt: now,
    };
    return outcome(async () => (await this.db.update(objects).set(row).where(eq(objects.id, id)).run()).meta);
  }

  async deleteObject(id: number): Promise<void> {
    await this.db.delete(objects).where(eq(objects.id, id)).run();
  }

  async listProperties(namespaceId: number): Promise<MetadefProperty[]> {
    const rows = await this.db
      .select()
      .from(properties)
      .where(eq(properties.namespaceId, namespaceId))
      .orderBy(asc(properties.name));
    return rows.map(toProperty);
  }

  async findProperty(namespaceId: number, name: string): Promise<MetadefProperty | null> {
    const [row] = await this.db
      .select()
      .from(properties)
      .where(and(eq(properties.namespaceId, namespaceId), eq(properties.name, name)));
    return row ? toProperty(row) : null;
  }

  insertProperty(namespaceId: number, p: NewProperty, now: number): Promise<WriteOutcome> {
    const row = { namespaceId, name: p.name, jsonSchema: p.schema, createdAt: now, updatedAt: now };
    return outcome(async () => (await this.db.insert(properties).values(row).run()).meta);
  }

  updateProperty(id: number, p: NewProperty, now: number): Promise<WriteOutcome> {
    const row = { name: p.name, jsonSchema: p.schema, updatedAt: now };
    return outcome(async () => (await this.db.update(properties).set(row).where(eq(properties.id, id)).run()).meta);
  }

  async deleteProperty(id: number): Promise<void> {
    await this.db.delete(properties).where(eq(properties.id, id)).run();
  }

  async listTags(namespaceId: number, q: TagListQuery): Promise<MetadefTag[]> {
    const plan = tagPage(namespaceId, q);
    const query = this.db
      .select()
      .from(tags)
      .where(plan.where)
      .orderBy(...plan.orderBy);
    return (await (q.limit === null ? query : query.limit(q.limit))).map(toTag);
  }

  async findTag(namespaceId: number, name: string): Promise<MetadefTag | null> {
    const [row] = await this.db
      .select()
      .from(tags)
      .where(and(eq(tags.namespaceId, namespaceId), eq(tags.name, name)));
    return row ? toTag(row) : null;
  }

  insertTag(namespaceId: number, name: string, now: number): Promise<WriteOutcome> {
    return outcome(
      async () => (await this.db.insert(tags).values({ namespaceId, name, createdAt: now, updatedAt: now }).run()).meta,
    );
  }

  async putTags(namespaceId: number, names: string[], append: boolean, now: number): Promise<WriteOutcome> {
    const insert = this.d1
      .prepare(`insert into metadef_tags (namespace_id, name, created_at, updated_at)
        select n.id, j.value, ?3, ?3 from json_each(?2) j cross join metadef_namespaces n where n.id = ?1 order by j.key`)
      .bind(namespaceId, JSON.stringify(names), now);
    const clear = this.d1.prepare("delete from metadef_tags where namespace_id = ?1").bind(namespaceId);
    return (await this.run(append ? [insert] : [clear, insert])).at(-1)!;
  }

  updateTag(id: number, name: string, now: number): Promise<WriteOutcome> {
    return outcome(
      async () => (await this.db.update(tags).set({ name, updatedAt: now }).where(eq(tags.id, id)).run()).meta,
    );
  }

  async deleteTag(id: number): Promise<void> {
    await this.db.delete(tags).where(eq(tags.id, id)).run();
  }

  async listResourceTypes(): Promise<ResourceType[]> {
    const rows = await this.db.select().from(resourceTypes).orderBy(asc(resourceTypes.id));
    return rows.map((r) => ({ name: r.name, protected: r.protected, createdAt: r.createdAt, updatedAt: r.updatedAt }));
  }

  async findResourceType(name: string): Promise<ResourceType | null> {
    const [r] = await this.db.select().from(resourceTypes).where(eq(resourceTypes.name, name));
    return r ? { name: r.name, protected: r.protected, createdAt: r.createdAt, updatedAt: r.updatedAt } : null;
  }

  async listAssociations(namespaceId: number): Promise<ResourceTypeAssociation[]> {
    return (await this.associationsOf([namespaceId])).get(namespaceId) ?? [];
  }

  async associate(namespaceId: number, a: NewAssociation, now: number): Promise<WriteOutcome> {
    return (await this.run(this.associationStatements("?3", namespaceId, [a], now)))[1]!;
  }

  async dissociate(namespaceId: number, resourceType: string): Promise<boolean> {
    const res = await this.db.run(sql`delete from metadef_namespace_resource_types where namespace_id = ${namespaceId}
      and resource_type_id = (select id from metadef_resource_types where name = ${resourceType})`);
    return res.meta.changes > 0;
  }
}
