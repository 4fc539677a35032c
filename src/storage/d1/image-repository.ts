// D1ImageRepository: the ImageRepository port on D1 through Drizzle (CAS updates, keyset-paginated lists).
import { and, eq, sql } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import type { ImageStatus, MemberStatus } from "../../domain/image";
import type { ListQuery } from "../../domain/image-list";
import type { Membership } from "../../domain/policy";
import type { ImageDataFields, ImageMember, ImageRepository, ListCaller, StoredImage } from "../../services/ports";
import { imageToColumns, rowToImage } from "./image-rows";
import { buildListQuery, visibleTo } from "./list-query";
import { imageMembers, images, type MemberRow } from "./schema";

const toMember = (r: MemberRow): ImageMember => ({
  imageId: r.imageId,
  memberId: r.member,
  status: r.status as MemberStatus,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export class D1ImageRepository implements ImageRepository {
  private readonly db: DrizzleD1Database;
  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  async find(id: string, projectId: string | null) {
    const rows = await this.db
      .select({ image: images, memberStatus: imageMembers.status })
      .from(images)
      .leftJoin(
        imageMembers,
        and(
          eq(imageMembers.imageId, images.id),
          eq(imageMembers.member, projectId ?? ""),
          eq(imageMembers.deleted, false),
        ),
      )
      .where(and(eq(images.id, id), eq(images.deleted, false)))
      .limit(1);
    const row = rows[0];
    if (!row) return null;
    const membership: Membership = row.memberStatus ? { status: row.memberStatus as MemberStatus } : null;
    return { image: rowToImage(row.image), membership };
  }

  async insert(image: Parameters<ImageRepository["insert"]>[0]) {
    // ON CONFLICT DO NOTHING: deleted rows stay as tombstones, so a reused id is refused too (OSSN-0075).
    const res = await this.db.insert(images).values(imageToColumns(image)).onConflictDoNothing().run();
    return res.meta.changes === 1;
  }

  async save(image: StoredImage) {
    const res = await this.db
      .update(images)
      .set({ ...imageToColumns(image), revision: sql`${images.revision} + 1` })
      .where(and(eq(images.id, image.id), eq(images.deleted, false), eq(images.revision, image.revision)))
      .run();
    return res.meta.changes === 1;
  }

  async transition(
    id: string,
    from: ImageStatus,
    to: ImageStatus,
    fields: ImageDataFields,
    now: number,
    expectedRevision?: number,
  ) {
    const conds = [eq(images.id, id), eq(images.deleted, false), eq(images.status, from)];
    if (expectedRevision !== undefined) conds.push(eq(images.revision, expectedRevision));
    const res = await this.db
      .update(images)
      .set({ ...fields, status: to, updatedAt: now, revision: sql`${images.revision} + 1` })
      .where(and(...conds))
      .run();
    return res.meta.changes === 1;
  }

  async markDeleted(id: string, now: number) {
    const [img] = await this.db.batch([
      this.db
        .update(images)
        .set({ deleted: true, deletedAt: now, status: "deleted", updatedAt: now, revision: sql`${images.revision} + 1` })
        .where(and(eq(images.id, id), eq(images.deleted, false))),
      this.db
        .update(imageMembers)
        .set({ deleted: true, updatedAt: now })
        .where(and(eq(imageMembers.imageId, id), eq(imageMembers.deleted, false))),
    ]);
    return img.meta.changes === 1;
  }

  async list(query: ListQuery, caller: ListCaller, after: StoredImage | null) {
    const rows = await buildListQuery(this.db, query, caller, after);
    return rows.map(rowToImage);
  }

  async findMarker(id: string, caller: ListCaller) {
    const rows = await this.db
      .select()
      .from(images)
      .where(and(eq(images.id, id), eq(images.deleted, false), visibleTo(caller, "all", "all")))
      .limit(1);
    return rows[0] ? rowToImage(rows[0]) : null;
  }

  async listMembers(imageId: string) {
    const rows = await this.db
      .select()
      .from(imageMembers)
      .where(and(eq(imageMembers.imageId, imageId), eq(imageMembers.deleted, false)))
      .orderBy(imageMembers.createdAt, imageMembers.member);
    return rows.map(toMember);
  }

  async findMember(imageId: string, memberId: string) {
    const rows = await this.db
      .select()
      .from(imageMembers)
      .where(and(eq(imageMembers.imageId, imageId), eq(imageMembers.member, memberId), eq(imageMembers.deleted, false)))
      .limit(1);
    return rows[0] ? toMember(rows[0]) : null;
  }

  async addMember(imageId: string, memberId: string, now: number) {
    // A removed member's row is revived as pending (Glance reuses the soft-deleted row).
    const res = await this.db
      .insert(imageMembers)
      .values({ imageId, member: memberId, status: "pending", createdAt: now, updatedAt: now, deleted: false })
      .onConflictDoUpdate({
        target: [imageMembers.imageId, imageMembers.member],
        set: { status: "pending", createdAt: now, updatedAt: now, deleted: false },
        setWhere: eq(imageMembers.deleted, true),
      })
      .run();
    return res.meta.changes === 1;
  }

  async setMemberStatus(imageId: string, memberId: string, status: MemberStatus, now: number) {
    const res = await this.db
      .update(imageMembers)
      .set({ status, updatedAt: now })
      .where(and(eq(imageMembers.imageId, imageId), eq(imageMembers.member, memberId), eq(imageMembers.deleted, false)))
      .run();
    return res.meta.changes === 1;
  }

  async removeMember(imageId: string, memberId: string, now: number) {
    const res = await this.db
      .update(imageMembers)
      .set({ deleted: true, updatedAt: now })
      .where(and(eq(imageMembers.imageId, imageId), eq(imageMembers.member, memberId), eq(imageMembers.deleted, false)))
      .run();
    return res.meta.changes === 1;
  }
}
