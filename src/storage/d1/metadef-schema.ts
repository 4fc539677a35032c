// Drizzle tables mirroring migrations/0004_metadefs.sql (the metadata definitions catalog).
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const metadefNamespaces = sqliteTable(
  "metadef_namespaces",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    namespace: text("namespace").notNull(),
    displayName: text("display_name"),
    description: text("description"),
    visibility: text("visibility"),
    protected: integer("protected", { mode: "boolean" }),
    owner: text("owner").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [
    uniqueIndex("metadef_namespaces_namespace_uq").on(t.namespace),
    index("metadef_namespaces_owner_idx").on(t.owner),
    index("metadef_namespaces_created_idx").on(t.createdAt, t.id),
  ],
);

export const metadefResourceTypes = sqliteTable(
  "metadef_resource_types",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    protected: integer("protected", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [uniqueIndex("metadef_resource_types_name_uq").on(t.name)],
);

export const metadefNamespaceResourceTypes = sqliteTable(
  "metadef_namespace_resource_types",
  {
    resourceTypeId: integer("resource_type_id")
      .notNull()
      .references(() => metadefResourceTypes.id),
    namespaceId: integer("namespace_id")
      .notNull()
      .references(() => metadefNamespaces.id, { onDelete: "cascade" }),
    propertiesTarget: text("properties_target"),
    prefix: text("prefix"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [
    primaryKey({ columns: [t.resourceTypeId, t.namespaceId] }),
    index("metadef_ns_res_types_namespace_idx").on(t.namespaceId),
  ],
);

const namespaceId = () =>
  integer("namespace_id")
    .notNull()
    .references(() => metadefNamespaces.id, { onDelete: "cascade" });

export const metadefObjects = sqliteTable(
  "metadef_objects",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    namespaceId: namespaceId(),
    name: text("name").notNull(),
    description: text("description"),
    /** Required property names joined with commas (Glance's format). */
    required: text("required"),
    jsonSchema: text("json_schema", { mode: "json" }).$type<unknown>().notNull().default(sql`'{}'`),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [uniqueIndex("metadef_objects_namespace_name_uq").on(t.namespaceId, t.name)],
);

export const metadefProperties = sqliteTable(
  "metadef_properties",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    namespaceId: namespaceId(),
    name: text("name").notNull(),
    jsonSchema: text("json_schema", { mode: "json" }).$type<unknown>().notNull().default(sql`'{}'`),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [uniqueIndex("metadef_properties_namespace_name_uq").on(t.namespaceId, t.name)],
);

export const metadefTags = sqliteTable(
  "metadef_tags",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    namespaceId: namespaceId(),
    /** COLLATE NOCASE in the migration: tag names are unique and looked up case-insensitively. */
    name: text("name").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at"),
  },
  (t) => [
    uniqueIndex("metadef_tags_namespace_name_uq").on(t.namespaceId, t.name),
    index("metadef_tags_namespace_created_idx").on(t.namespaceId, t.createdAt, t.id),
  ],
);

export type NamespaceRow = typeof metadefNamespaces.$inferSelect;
export type ObjectRow = typeof metadefObjects.$inferSelect;
export type PropertyRow = typeof metadefProperties.$inferSelect;
export type TagRow = typeof metadefTags.$inferSelect;
