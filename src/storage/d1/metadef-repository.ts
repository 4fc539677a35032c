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
import { insertAssociation, insertNamespace, readContents, writeTags } from "./metadef-batches";
import {
  ASSOCIATION_SQL,
  type AssociationRow,
  isForeignKeyViolation,
  isUniqueViolation,
  namespacePage,
  tagPage,
  toAssociation,
  toNamespace,
  toObject,
  toProperty,
  toResourceType,
  toTag,
} from "./metadef-rows";
import {
  metadefNamespaces as ns,
  metadefObjects as objects,
  metadefProperties as properties,
  metadefResourceTypes as resourceTypes,
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

  contents(namespaceId: number): Promise<NamespaceContents> {
    return readContents(this.d1, namespaceId);
  }

  createNamespace(
    f: NamespaceFields,
    c: { associations: NewAssociation[]; objects: NewObject[]; properties: NewProperty[]; tags: string[] },
    now: number,
  ): Promise<WriteOutcome> {
    return insertNamespace(this.d1, f, c, now);
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

  putTags(namespaceId: number, names: string[], append: boolean, now: number): Promise<WriteOutcome> {
    return writeTags(this.d1, namespaceId, names, append, now);
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
    return (await this.db.select().from(resourceTypes).orderBy(asc(resourceTypes.id))).map(toResourceType);
  }

  async findResourceType(name: string): Promise<ResourceType | null> {
    const [r] = await this.db.select().from(resourceTypes).where(eq(resourceTypes.name, name));
    return r ? toResourceType(r) : null;
  }

  async listAssociations(namespaceId: number): Promise<ResourceTypeAssociation[]> {
    return (await this.associationsOf([namespaceId])).get(namespaceId) ?? [];
  }

  associate(namespaceId: number, a: NewAssociation, now: number): Promise<WriteOutcome> {
    return insertAssociation(this.d1, namespaceId, a, now);
  }

  async dissociate(namespaceId: number, resourceType: string): Promise<boolean> {
    const res = await this.db.run(sql`delete from metadef_namespace_resource_types where namespace_id = ${namespaceId}
      and resource_type_id = (select id from metadef_resource_types where name = ${resourceType})`);
    return res.meta.changes > 0;
  }
}
