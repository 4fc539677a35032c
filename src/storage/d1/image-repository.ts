// D1ImageRepository: the ImageRepository port on D1 through Drizzle (CAS updates, keyset-paginated lists).
import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { MemberStatus } from "../../domain/image";
import type { ListQuery } from "../../domain/image-list";
import type { Membership } from "../../domain/policy";
import type {
  ImageMember,
  ImageRepository,
  InsertOutcome,
  ListCaller,
  ProjectUsage,
  Reservation,
  StatusChange,
  StoredImage,
} from "../../services/ports";
import { imageToColumns, rowToImage } from "./image-rows";
import { buildListQuery, buildMarkerCheck } from "./list-query";
import { imageMembers, images, type MemberRow } from "./schema";

const toMember = (r: MemberRow): ImageMember => ({
  imageId: r.imageId,
  memberId: r.member,
  status: r.status as MemberStatus,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/** The live (not removed) membership row of `memberId` on `imageId`. */
const liveMember = (imageId: string, memberId: string) =>
  and(eq(imageMembers.imageId, imageId), eq(imageMembers.member, memberId), eq(imageMembers.deleted, false));

/** Statuses whose images no longer count against a project (Glance's _image_get_count_by_owner). */
const GONE = sql.raw(`('killed', 'deleted', 'pending_delete')`);
/**
 * An image's bytes for the quotas: its data, else the declared size of its upload, else its chunked stage's total;
 * times its copies, as Glance counts every location: the stores holding it (at least one) plus the copies an import
 * or copy-image has reserved and not yet stored.
 */
const DATA = `coalesce(i.size, i.upload_size, CASE WHEN i.status = 'uploading' THEN s.total END, 0)`;
const BYTES = sql.raw(`(${DATA} * (max(1, coalesce(json_array_length(i.stores), 0)) + i.pending_copies))`);
/** Staged bytes are one copy whatever the targets (the stage quota is about the staging area). */
const STAGED = sql.raw(DATA);

/** One sum over the owner's live images (images_owner_idx), the way usageOf counts it. */
const ownerSum = (owner: string, when: SQL, bytes = BYTES) =>
  sql`(SELECT coalesce(sum(CASE WHEN ${when} THEN ${bytes} END), 0)
    FROM images i LEFT JOIN image_staging s ON s.image_id = i.id WHERE i.owner = ${owner} AND i.deleted = 0)`;

/** The conditions under which `r.bytes` more still fit the owner's storage and stage quotas. */
function fits(r: Reservation): SQL[] {
  const conds: SQL[] = [];
  if (r.storageLimit !== null)
    conds.push(sql`${ownerSum(r.owner, sql`i.status NOT IN ${GONE}`)} + ${r.bytes} <= ${r.storageLimit}`);
  if (r.stageLimit !== null)
    conds.push(
      sql`${ownerSum(r.owner, sql`i.status IN ('uploading', 'importing')`, STAGED)} + ${r.bytes} <= ${r.stageLimit}`,
    );
  return conds;
}

export class D1ImageRepository implements ImageRepository {
  private readonly db: DrizzleD1Database;
  constructor(private readonly d1: D1Database) {
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

  async insert(
    image: Parameters<ImageRepository["insert"]>[0],
    maxOwned: number | null = null,
  ): Promise<InsertOutcome> {
    // ON CONFLICT DO NOTHING: deleted rows stay as tombstones, so a reused id is refused too (OSSN-0075).
    if (maxOwned === null || image.owner === null) {
      const res = await this.db.insert(images).values(imageToColumns(image)).onConflictDoNothing().run();
      return res.meta.changes === 1 ? "inserted" : "id_taken";
    }
    // INSERT ... SELECT ... WHERE count < max: D1 runs one statement at a time, so parallel creates can
    // never pass the count together (a check-then-insert could). The WHERE also keeps SQLite from reading
    // ON CONFLICT as a join constraint.
    const cols = getTableColumns(images);
    const entries = Object.entries(imageToColumns(image)) as [keyof typeof cols, unknown][];
    const names = sql.join(
      entries.map(([k]) => sql.identifier(cols[k].name)),
      sql`, `,
    );
    const values = sql.join(
      entries.map(([k, v]) => sql`${v === null ? null : cols[k].mapToDriverValue(v)}`),
      sql`, `,
    );
    const res = await this.db.run(sql`INSERT INTO images (${names}) SELECT ${values}
      WHERE (SELECT count(*) FROM images WHERE owner = ${image.owner} AND deleted = 0 AND status NOT IN ${GONE}) < ${maxOwned}
      ON CONFLICT (id) DO NOTHING`);
    if (res.meta.changes === 1) return "inserted";
    // Glance checks the quota before the id, so a taken id while over quota is a 413 too.
    const taken = await this.d1.prepare("SELECT 1 FROM images WHERE id = ?").bind(image.id).first();
    if (!taken) return "over_quota";
    return (await this.usageOf(image.owner)).images >= maxOwned ? "over_quota" : "id_taken";
  }

  async usageOf(projectId: string): Promise<ProjectUsage> {
    // One pass over the project's rows (images_owner_idx); staging totals stand in for chunked stages' sizes.
    return this.db.get<ProjectUsage>(sql`SELECT
        coalesce(sum(CASE WHEN i.status NOT IN ${GONE} THEN ${BYTES} END), 0) AS storedBytes,
        coalesce(sum(CASE WHEN i.status IN ('uploading', 'importing') THEN ${STAGED} END), 0) AS stagedBytes,
        count(CASE WHEN i.status NOT IN ${GONE} THEN 1 END) AS images,
        count(CASE WHEN i.status IN ('saving', 'uploading', 'importing') THEN 1 END) AS uploading
      FROM images i LEFT JOIN image_staging s ON s.image_id = i.id
      WHERE i.owner = ${projectId} AND i.deleted = 0`);
  }

  async save(image: StoredImage) {
    const res = await this.db
      .update(images)
      .set({ ...imageToColumns(image), revision: sql`${images.revision} + 1` })
      .where(and(eq(images.id, image.id), eq(images.deleted, false), eq(images.revision, image.revision)))
      .run();
    return res.meta.changes === 1;
  }

  async transition(id: string, change: StatusChange, now: number) {
    const { from, to, fields, properties, revision, reserve } = change;
    const conds: SQL[] = [eq(images.id, id), eq(images.deleted, false), eq(images.status, from)];
    if (revision !== undefined) conds.push(eq(images.revision, revision));
    if (reserve) conds.push(...fits(reserve));
    const res = await this.db
      .update(images)
      .set({
        ...fields,
        ...(properties ? { properties } : {}),
        status: to,
        updatedAt: now,
        revision: sql`${images.revision} + 1`,
      })
      .where(and(...conds))
      .run();
    return res.meta.changes === 1;
  }

  async markDeleted(id: string, now: number) {
    const [img] = await this.db.batch([
      this.db
        .update(images)
        .set({
          deleted: true,
          deletedAt: now,
          status: "deleted",
          updatedAt: now,
          revision: sql`${images.revision} + 1`,
        })
        .where(and(eq(images.id, id), eq(images.deleted, false))),
      this.db
        .update(imageMembers)
        .set({ deleted: true, updatedAt: now })
        .where(and(eq(imageMembers.imageId, id), eq(imageMembers.deleted, false))),
    ]);
    return img.meta.changes === 1;
  }

  async listPage(query: ListQuery, caller: ListCaller) {
    const list = buildListQuery(this.db, query, caller);
    if (query.marker === undefined) return { markerFound: true, images: (await list).map(rowToImage) };
    // One round trip (and one transaction): the marker check, then the page reading the marker's sort values itself.
    const [marker, rows] = await this.db.batch([buildMarkerCheck(this.db, query.marker, caller), list]);
    return marker.length > 0 ? { markerFound: true, images: rows.map(rowToImage) } : { markerFound: false, images: [] };
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
    const rows = await this.db.select().from(imageMembers).where(liveMember(imageId, memberId)).limit(1);
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
      .where(liveMember(imageId, memberId))
      .run();
    return res.meta.changes === 1;
  }

  async removeMember(imageId: string, memberId: string, now: number) {
    const res = await this.db
      .update(imageMembers)
      .set({ deleted: true, updatedAt: now })
      .where(liveMember(imageId, memberId))
      .run();
    return res.meta.changes === 1;
  }
}
