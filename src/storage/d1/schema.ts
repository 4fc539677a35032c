// Drizzle tables mirroring the hand-written SQL in migrations/ (a test compares them column by column); the
// metadefs catalog's (0004) are in metadef-schema.ts.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const images = sqliteTable(
  "images",
  {
    id: text("id").primaryKey(),
    name: text("name"),
    status: text("status").notNull(),
    visibility: text("visibility").notNull(),
    protected: integer("protected", { mode: "boolean" }).notNull().default(false),
    osHidden: integer("os_hidden", { mode: "boolean" }).notNull().default(false),
    checksum: text("checksum"),
    osHashAlgo: text("os_hash_algo"),
    osHashValue: text("os_hash_value"),
    owner: text("owner"),
    size: integer("size"),
    virtualSize: integer("virtual_size"),
    minRam: integer("min_ram").notNull().default(0),
    minDisk: integer("min_disk").notNull().default(0),
    containerFormat: text("container_format"),
    diskFormat: text("disk_format"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    deletedAt: integer("deleted_at"),
    /** Extra properties as a JSON object of strings: one row per image keeps every update atomic. */
    properties: text("properties", { mode: "json" }).$type<Record<string, string>>().notNull().default(sql`'{}'`),
    tags: text("tags", { mode: "json" }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Bumped by every write; PATCH compares it to apply changes atomically without a transaction. */
    revision: integer("revision").notNull().default(0),
    /** When the current upload moved the image to `saving`/`uploading` (for abandoned-upload recovery). */
    uploadStartedAt: integer("upload_started_at"),
    /** R2 multipart upload id of the upload in progress, so an abandoned one can be aborted. */
    uploadId: text("upload_id"),
    /** Declared size of the upload/stage in progress (0003): the storage quota counts it as used meanwhile. */
    uploadSize: integer("upload_size"),
    /** Store ids holding the data (0007); NULL before 0007 = the IMAGES bucket's store. */
    stores: text("stores", { mode: "json" }).$type<string[] | null>(),
    /** Further copies reserved against the storage quota while an import or copy-image makes them (0007). */
    pendingCopies: integer("pending_copies").notNull().default(0),
  },
  (t) => [
    index("images_created_idx").on(t.deleted, t.createdAt, t.id),
    index("images_updated_idx").on(t.deleted, t.updatedAt, t.createdAt, t.id),
    index("images_owner_idx").on(t.owner, t.deleted),
    index("images_name_idx").on(t.deleted, sql`coalesce(${t.name}, '')`, t.createdAt, t.id),
    index("images_size_idx").on(t.deleted, sql`coalesce(${t.size}, -1)`, t.createdAt, t.id),
    index("images_status_idx").on(t.deleted, t.status, t.createdAt, t.id),
  ],
);

export const imageMembers = sqliteTable(
  "image_members",
  {
    imageId: text("image_id").notNull(),
    member: text("member").notNull(),
    status: text("status").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    uniqueIndex("image_members_pk").on(t.imageId, t.member),
    index("image_members_member_idx").on(t.member, t.status),
  ],
);

/**
 * Staged data of an image in `uploading` (0002). A single-request stage fills checksum/os_hash_value; a
 * chunked stage keeps its R2 multipart upload, parts and resumable hash state here between requests.
 */
export const imageStaging = sqliteTable("image_staging", {
  imageId: text("image_id").primaryKey(),
  uploadId: text("upload_id"),
  total: integer("total"),
  chunkSize: integer("chunk_size"),
  /** Bytes stored so far; every chunk compare-and-swaps on it. */
  received: integer("received").notNull().default(0),
  /** Unused since 0006 (parts live in stage_parts); kept so that older rows stay readable. */
  parts: text("parts", { mode: "json" }).$type<{ partNumber: number; etag: string }[]>().notNull().default(sql`'[]'`),
  hashState: text("hash_state"),
  /** Bytes of the in-order prefix that hash_state covers (0006); the rest is hashed at import. */
  hashed: integer("hashed").notNull().default(0),
  checksum: text("checksum"),
  osHashValue: text("os_hash_value"),
  /** Unused since the format inspector reads the staged data back at import (kept so older rows stay readable). */
  head: text("head"),
  updatedAt: integer("updated_at").notNull(),
});

/** One part of a chunked stage (0006): claimed (etag null) while its chunk uploads, stored once it has an etag. */
export const stageParts = sqliteTable(
  "stage_parts",
  {
    imageId: text("image_id").notNull(),
    partNumber: integer("part_number").notNull(),
    etag: text("etag"),
    size: integer("size").notNull(),
    claimedAt: integer("claimed_at").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.imageId, t.partNumber] })],
);

export const tasks = sqliteTable(
  "tasks",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    status: text("status").notNull(),
    owner: text("owner"),
    imageId: text("image_id"),
    requestId: text("request_id"),
    userId: text("user_id"),
    input: text("input", { mode: "json" }).$type<Record<string, unknown>>(),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    message: text("message").notNull().default(""),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    expiresAt: integer("expires_at"),
    deleted: integer("deleted", { mode: "boolean" }).notNull().default(false),
    deletedAt: integer("deleted_at"),
  },
  (t) => [index("tasks_image_idx").on(t.imageId, t.createdAt), index("tasks_created_idx").on(t.createdAt, t.id)],
);

export type ImageRow = typeof images.$inferSelect;
export type MemberRow = typeof imageMembers.$inferSelect;
export type StagingRow = typeof imageStaging.$inferSelect;
export type TaskRow = typeof tasks.$inferSelect;

export * from "./metadef-schema";
