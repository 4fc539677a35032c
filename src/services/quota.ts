// Per-project quotas (Glance's user_storage_quota and unified-limit resources): the checks and their 413s.
//
// Concurrency bound. Image counts are exact: the create check is inside the INSERT, and the uploading
// count is taken after the image entered saving/uploading (so it counts itself, and two racing uploads can
// both be refused but never both admitted over the limit). A declared size (X-OpenStack-Image-Size,
// Content-Length, a chunked stage's total, a web-download's Content-Length) is reserved by the very statement
// that moves the image into saving/uploading/importing, and only if it fits (services/data/claim.ts), so
// declared sizes never overrun a quota, however many run in parallel. Unknown sizes reserve nothing: each is
// capped while it streams at what remained when it started, so with k of them in flight together a project
// ends at most (k - 1) * R over its quota (k <= IMAGE_COUNT_UPLOADING when that is set).
import { type DomainError, payloadTooLarge } from "../domain/errors";
import type { ImageRepository, ProjectUsage, Reservation } from "./ports";

export interface QuotaLimits {
  /** Images a project owns (not killed/deleted/pending_delete); null = unlimited. */
  imageCountTotal: number | null;
  /** Images of a project in saving/uploading/importing at once; null = unlimited. */
  imageCountUploading: number | null;
  /** Bytes of a project's image data, staged data included (it is in R2 too); null = unlimited. */
  storageBytes: number | null;
  /** Bytes of a project's images in uploading/importing; null = unlimited. */
  stageBytes: number | null;
}

/** Throws once `bytesSoFar` of the data passed what the quotas allowed when the upload started. */
export type QuotaMeter = (bytesSoFar: number) => void;

const UNLIMITED: QuotaMeter = () => {};
const MIB = 1024 * 1024;

type Resource = "image_size_total" | "image_stage_total" | "image_count_total" | "image_count_uploading";

/** Glance's unified-limits 413: keystoneauth's wording around oslo.limit's ProjectOverLimit. */
export const overLimit = (project: string, resource: Resource, limit: number, usage: number, delta: number) =>
  payloadTooLarge(
    "The request returned a 413 Request Entity Too Large. This generally means that rate limiting or a quota " +
      `threshold was breached.\n\nThe response body:\nProject ${project} is over a limit for ` +
      `[Resource ${resource} is over limit of ${limit} due to current usage ${usage} and delta ${delta}]`,
  );

/**
 * Glance's user_storage_quota 413 (StorageQuotaFull). An unknown size reads "None", as in Glance; while
 * streaming Glance leaves the placeholders unfilled, we give the bytes read so far and the start's remainder.
 */
export const storageFull = (size: number | null, remaining: number): DomainError =>
  payloadTooLarge(
    `Image exceeds the storage quota: The size of the data ${size ?? "None"} will exceed the limit. ${remaining} bytes remaining.`,
  );

export class QuotaPolicy {
  constructor(
    private readonly repo: Pick<ImageRepository, "usageOf">,
    readonly limits: QuotaLimits,
  ) {}

  /** The most images `owner` may own before a create is refused (null: no limit, or no owner to charge). */
  maxImages(owner: string | null): number | null {
    return owner === null ? null : this.limits.imageCountTotal;
  }

  /** The 413 for a create the INSERT refused because `owner` is at its image count. */
  async imageCountExceeded(owner: string): Promise<DomainError> {
    const used = (await this.repo.usageOf(owner)).images;
    return overLimit(owner, "image_count_total", this.limits.imageCountTotal ?? 0, used, 1);
  }

  /**
   * Before any byte is read: 413 when `declared` does not fit (unknown size: when nothing remains, as
   * Glance's check_quota). Returns the meter that caps the stream at what remained.
   */
  async admitData(owner: string | null, declared: number | null, stage: boolean): Promise<QuotaMeter> {
    const { storageBytes } = this.limits;
    const stageBytes = stage ? this.limits.stageBytes : null;
    if (owner === null || (storageBytes === null && stageBytes === null)) return UNLIMITED;
    const usage = await this.repo.usageOf(owner);
    const storeLeft = storageBytes === null ? Infinity : storageBytes - usage.storedBytes;
    if (declared === null ? storeLeft <= 0 : declared > storeLeft) throw storageFull(declared, storeLeft);
    const stageLeft = stageBytes === null ? Infinity : stageBytes - usage.stagedBytes;
    // Unified limits use delta 0 for an unknown size: refused only once already over.
    if (stageBytes !== null && usage.stagedBytes + (declared ?? 0) > stageBytes)
      throw overLimit(owner, "image_stage_total", stageBytes, usage.stagedBytes, declared ?? 0);
    return (size) => {
      if (size > storeLeft) throw storageFull(size, storeLeft);
      if (size > stageLeft) throw overLimit(owner, "image_stage_total", stageBytes!, usage.stagedBytes, size);
    };
  }

  /**
   * What the status change into saving/uploading/importing must reserve for `declared` bytes, so that parallel
   * uploads cannot spend the same remainder (null: unknown size, or no byte quota applies).
   */
  reservation(owner: string | null, declared: number | null, stage: boolean): Reservation | null {
    const storageLimit = this.limits.storageBytes;
    const stageLimit = stage ? this.limits.stageBytes : null;
    if (owner === null || declared === null || (storageLimit === null && stageLimit === null)) return null;
    return { owner, bytes: declared, storageLimit, stageLimit };
  }

  /** After the image entered saving/uploading (so it counts itself): 413 when the project has too many. */
  async assertUploadingCount(owner: string | null): Promise<void> {
    const limit = this.limits.imageCountUploading;
    if (owner === null || limit === null) return;
    const { uploading } = await this.repo.usageOf(owner);
    if (uploading > limit) throw overLimit(owner, "image_count_uploading", limit, uploading, 0);
  }

  /**
   * GET /v2/info/usage in Glance's unified-limits shape: sizes in MiB (bytes // MiB, limits too), counts as
   * is, limit -1 for an unlimited resource. A caller without a project uses nothing.
   */
  async report(projectId: string | null): Promise<Record<Resource, { limit: number; usage: number }>> {
    const u: ProjectUsage = projectId
      ? await this.repo.usageOf(projectId)
      : { storedBytes: 0, stagedBytes: 0, images: 0, uploading: 0 };
    const { imageCountTotal, imageCountUploading, storageBytes, stageBytes } = this.limits;
    const mib = (n: number | null) => (n === null ? -1 : Math.floor(n / MIB));
    return {
      image_size_total: { limit: mib(storageBytes), usage: mib(u.storedBytes) },
      image_stage_total: { limit: mib(stageBytes), usage: mib(u.stagedBytes) },
      image_count_total: { limit: imageCountTotal ?? -1, usage: u.images },
      image_count_uploading: { limit: imageCountUploading ?? -1, usage: u.uploading },
    };
  }
}
