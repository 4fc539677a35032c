// UploadLease: one upload's claim on an image in `saving`, kept alive and checked before every write.
import type { ImageStatus } from "../../domain/image";
import type { ImageDataFields, ImageRepository, StoredImage } from "../ports";

/** Retries of an owned CAS when another writer (a PATCH, say) bumped the revision in between. */
const CAS_ATTEMPTS = 5;

export type LeaseOutcome = "done" | "deleted" | "lost";

/**
 * Abandoned uploads (the worker died mid-stream) leave an image in `saving`. The rules that let a later
 * upload reclaim it without ever racing a live one, with T = UPLOAD_STALE_SECONDS:
 *  - `upload_started_at` is the upload's last sign of life: set on entering `saving`, refreshed every T/4
 *    while bytes flow (so uploads longer than T are fine);
 *  - an upload writes bytes or changes the row only while its last refresh is younger than T/2, and gives
 *    up otherwise;
 *  - a new upload treats a `saving` image as abandoned only after T of silence: it aborts the multipart
 *    upload recorded in `upload_id`, deletes the partial object, moves the row back to `queued` and goes on.
 * The row is "ours" while it is `saving` with our upload_id and our last refresh; every write checks that
 * and the revision in one compare-and-set, so a reclaimed or deleted image is never written by the old upload.
 */
export class UploadLease {
  constructor(
    private readonly repo: ImageRepository,
    readonly imageId: string,
    readonly uploadId: string | null,
    private beatAt: number,
    private readonly staleMs: number,
    private readonly now: () => number,
  ) {}

  /** True while this upload may still write: it has refreshed its claim recently enough. */
  fresh(): boolean {
    return this.now() - this.beatAt < this.staleMs / 2;
  }

  /** Refreshes the claim when due. "lost"/"deleted" mean another request owns or removed the image. */
  async keepAlive(): Promise<LeaseOutcome> {
    if (!this.fresh()) return "lost";
    const at = this.now();
    if (at - this.beatAt < this.staleMs / 4) return "done";
    const outcome = await this.transition("saving", { uploadStartedAt: at }, at);
    if (outcome === "done") this.beatAt = at;
    return outcome;
  }

  /** Compare-and-set from our `saving` row to `to`, retried across unrelated revision bumps. */
  async transition(to: ImageStatus, fields: ImageDataFields, at = this.now()): Promise<LeaseOutcome> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      if (!this.fresh()) return "lost";
      const found = await this.repo.find(this.imageId, null);
      if (!found) return "deleted";
      if (!this.owns(found.image)) return "lost";
      const change = { from: "saving", to, fields, revision: found.image.revision } as const;
      if (await this.repo.transition(this.imageId, change, at)) return "done";
    }
    return "lost";
  }

  /** The row is still this upload's: `saving` with our multipart upload id and our last refresh. */
  owns(image: StoredImage): boolean {
    return image.status === "saving" && image.uploadId === this.uploadId && image.uploadStartedAt === this.beatAt;
  }
}

/** Whether a `saving` image's upload has shown no sign of life for `staleMs` (see UploadLease). */
export function isAbandoned(image: Pick<StoredImage, "status" | "uploadStartedAt">, staleMs: number, now: number) {
  return image.status === "saving" && image.uploadStartedAt !== null && now - image.uploadStartedAt >= staleMs;
}
