// D1StagingRepository: staged-data records of the import feature and the parts of chunked stages.
import { and, asc, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { StagedPart, StagingRecord, StagingRepository } from "../../services/import/ports";
import { imageStaging, stageParts } from "./schema";

export class D1StagingRepository implements StagingRepository {
  private readonly db: DrizzleD1Database;
  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  async find(imageId: string): Promise<StagingRecord | null> {
    const rows = await this.db.select().from(imageStaging).where(eq(imageStaging.imageId, imageId)).limit(1);
    if (!rows[0]) return null;
    const { parts: _parts, head: _head, ...record } = rows[0];
    return record;
  }

  async put(record: StagingRecord): Promise<void> {
    const { imageId: _id, ...rest } = record;
    await this.db.batch([
      this.db.delete(stageParts).where(eq(stageParts.imageId, record.imageId)),
      this.db.insert(imageStaging).values(record).onConflictDoUpdate({ target: imageStaging.imageId, set: rest }),
    ]);
  }

  async claimPart(imageId: string, partNumber: number, size: number, now: number, staleBefore: number) {
    const res = await this.db
      .insert(stageParts)
      .values({ imageId, partNumber, size, etag: null, claimedAt: now })
      .onConflictDoUpdate({
        target: [stageParts.imageId, stageParts.partNumber],
        set: { size, claimedAt: now },
        setWhere: and(isNull(stageParts.etag), lt(stageParts.claimedAt, staleBefore)),
      })
      .run();
    return res.meta.changes === 1;
  }

  async storePart(imageId: string, part: StagedPart, claimedAt: number): Promise<{ added: boolean; received: number }> {
    const ours = and(
      eq(stageParts.imageId, imageId),
      eq(stageParts.partNumber, part.partNumber),
      eq(stageParts.claimedAt, claimedAt),
      isNull(stageParts.etag),
    );
    // One batch is one transaction: the part becomes stored (if the claim is still ours) and the sum agrees.
    const [stored, updated] = await this.db.batch([
      this.db.update(stageParts).set({ etag: part.etag, size: part.size }).where(ours),
      this.db
        .update(imageStaging)
        .set({
          received: sql`(SELECT coalesce(sum(size), 0) FROM stage_parts WHERE image_id = ${imageId} AND etag IS NOT NULL)`,
        })
        .where(eq(imageStaging.imageId, imageId))
        .returning({ received: imageStaging.received }),
    ]);
    return { added: stored.meta.changes === 1, received: updated[0]?.received ?? 0 };
  }

  async releasePart(imageId: string, partNumber: number, claimedAt: number): Promise<void> {
    await this.db
      .delete(stageParts)
      .where(
        and(
          eq(stageParts.imageId, imageId),
          eq(stageParts.partNumber, partNumber),
          eq(stageParts.claimedAt, claimedAt),
          isNull(stageParts.etag),
        ),
      )
      .run();
  }

  async parts(imageId: string): Promise<StagedPart[]> {
    const rows = await this.db
      .select({ partNumber: stageParts.partNumber, etag: stageParts.etag, size: stageParts.size })
      .from(stageParts)
      .where(and(eq(stageParts.imageId, imageId), isNotNull(stageParts.etag)))
      .orderBy(asc(stageParts.partNumber));
    return rows as StagedPart[];
  }

  async advanceHash(
    imageId: string,
    expectedHashed: number,
    next: Pick<StagingRecord, "hashed" | "hashState" | "updatedAt">,
  ): Promise<boolean> {
    const res = await this.db
      .update(imageStaging)
      .set(next)
      .where(and(eq(imageStaging.imageId, imageId), eq(imageStaging.hashed, expectedHashed)))
      .run();
    return res.meta.changes === 1;
  }

  async remove(imageId: string): Promise<void> {
    await this.db.batch([
      this.db.delete(stageParts).where(eq(stageParts.imageId, imageId)),
      this.db.delete(imageStaging).where(eq(imageStaging.imageId, imageId)),
    ]);
  }
}
