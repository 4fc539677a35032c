// The one reset rule: giving up on an image's data drops its bytes and puts the image back to `queued`.
import type { ImageStatus } from "../../domain/image";
import { logFailure } from "../../lib/log-failure";
import type { StagingRepository } from "../import/ports";
import type { BlobStore, ImageDataFields, ImageRepository, StoredImage, StoreSet } from "../ports";
import { dataKey } from "./keys";

/** Leaving `saving`/`uploading`/`importing` for `queued` forgets everything about the data (Glance's _restore). */
export const NO_DATA: ImageDataFields = {
  size: null,
  virtualSize: null,
  checksum: null,
  osHashAlgo: null,
  osHashValue: null,
  uploadStartedAt: null,
  uploadId: null,
  uploadSize: null,
  stores: [],
  pendingCopies: 0,
};

/** queued: reset by us; deleted: the image is gone (its bytes dropped too); lost: someone else owns it now. */
export type GiveUpOutcome = "queued" | "deleted" | "lost";

export interface GiveUpTarget {
  /** The status the caller holds the image in. */
  from: ImageStatus;
  /** Whether the stored row is still the caller's to reset (its lease, the revision it saw, its task lock). */
  owns(image: StoredImage): boolean;
  /** Multipart uploads to abort besides the one the row records. */
  alsoAbort?: readonly (string | null)[];
  /** Extra properties after the reset (an import releases its lock and records the failed store). */
  properties?(image: StoredImage): Record<string, string>;
}

export interface GiveUpDeps {
  repo: Pick<ImageRepository, "find" | "transition">;
  blobs: BlobStore;
  /** With several stores: the key goes from every one (an upload or a copy may have written any of them). */
  stores?: Pick<StoreSet, "all">;
  staging: Pick<StagingRepository, "find" | "remove">;
  now: () => number;
}

const ATTEMPTS = 5;

/**
 * Gives up on the data of image `imageId`: if the row is still the caller's, its bytes go, then the row moves
 * to `queued` with no size and no hashes. Bytes go first: once the row is queued, a new upload may already
 * write the same key. Retried across unrelated revision bumps (a PATCH meanwhile).
 */
export async function giveUpData(d: GiveUpDeps, imageId: string, t: GiveUpTarget): Promise<GiveUpOutcome> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const found = await d.repo.find(imageId, null);
    if (!found) {
      await dropData(d, imageId, t.alsoAbort);
      return "deleted";
    }
    const image = found.image;
    if (image.status !== t.from || !t.owns(image)) return "lost";
    await dropData(d, imageId, [image.uploadId, ...(t.alsoAbort ?? [])]);
    const change = {
      from: t.from,
      to: "queued",
      fields: NO_DATA,
      revision: image.revision,
      properties: t.properties?.(image),
    } as const;
    if (await d.repo.transition(imageId, change, d.now())) return "queued";
  }
  return "lost";
}

/**
 * Drops everything stored for an image: the given multipart uploads and a staged session's, the object and
 * the staging record. A failed abort is logged, not thrown: an upload that is already gone is fine.
 */
export async function dropData(
  d: Pick<GiveUpDeps, "blobs" | "staging" | "stores">,
  imageId: string,
  uploadIds: readonly (string | null | undefined)[] = [],
): Promise<void> {
  const key = dataKey(imageId);
  const rec = await d.staging.find(imageId);
  const everywhere = [...new Set([d.blobs, ...(d.stores?.all ?? [])])];
  for (const uploadId of new Set([...uploadIds, rec?.uploadId])) {
    if (!uploadId) continue;
    // The row does not say which store an upload id belongs to: it is aborted wherever it may be.
    const results = await Promise.allSettled(everywhere.map((b) => b.abortMultipart(key, uploadId)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed && results.every((r) => r.status === "rejected")) logFailure("multipart abort", key, failed.reason);
  }
  for (const blobs of everywhere) await blobs.delete(key);
  if (rec) await d.staging.remove(imageId);
}
