// D1StagingRepository: staged-data records of the import feature (CAS on `received` between chunk requests).
import { and, eq } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { StagingRecord, StagingRepository } from "../../services/import/ports";
import { imageStaging } from "./schema";

export class D1StagingRepository implements StagingRepository {
  private readonly db: DrizzleD1Database;
  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  async find(imageId: string): Promise<StagingRecord | null> {
    const rows = await this.db.select().from(imageStaging).where(eq(imageStaging.imageId, imageId)).limit(1);
    return rows[0] ?? null;
  }

  async put(record: StagingRecord): Promise<void> {
    const { imageId: _id, ...rest } = record;
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
}
