// D1 adapters of the import feature: staging records (CAS on `received`) and the import's image-row writes.
import { and, eq, sql } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { ImportImageWriter, StagingRecord, StagingRepository } from "../../services/import-ports";
import { imageStaging, images } from "./schema";

export class D1StagingRepository implements StagingRepository, ImportImageWriter {
  private readonly db: DrizzleD1Database;
  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  async find(imageId: string): Promise<StagingRecord | null> {
    const rows = await this.db.select().from(imageStaging).where(eq(imageStaging.imageId, imageId)).limit(1);
    return rows[0] ?? null;
  }

  async put(record: StagingRecord): Promise<void> {
    const { imageId, ...rest } = record;
    await this.db
      .insert(imageStaging)
      .values(record)
      .onConflictDoUpdate({ target: imageStaging.imageId, set: rest })
      .run();
  }

  async advance(
    imageId: string,
    expectedReceived: number,
    next: Pick<StagingRecord, "received" | "parts" | "hashState" | "head" | "updatedAt">,
  ): Promise<boolean> {
    const res = await this.db
      .update(imageStaging)
      .set(next)
      .where(and(eq(imageStaging.imageId, imageId), eq(imageStaging.received, expectedReceived)))
      .run();
    return res.meta.changes === 1;
  }

  async remove(imageId: string): Promise<void> {
    await this.db.delete(imageStaging).where(eq(imageStaging.imageId, imageId)).run();
  }

  async finish(
    ...[image, from, to, fields, properties, now]: Parameters<ImportImageWriter["finish"]>
  ): Promise<boolean> {
    const res = await this.db
      .update(images)
      .set({ ...fields, status: to, properties, updatedAt: now, revision: sql`${images.revision} + 1` })
      .where(
        and(
          eq(images.id, image.id),
          eq(images.deleted, false),
          eq(images.status, from),
          eq(images.revision, image.revision),
        ),
      )
      .run();
    return res.meta.changes === 1;
  }
}
