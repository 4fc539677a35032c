// Image data use cases (upload, download, discard): bytes in the BlobStore, status changes by CAS.
import { DomainError } from "../../domain/errors";
import type { Image } from "../../domain/image";
import type { FormatSettings } from "../../domain/image-format";
import { assertFormatsSet, assertTransition, DATALESS_STATUSES } from "../../domain/image-status";
import { assertDownloadable } from "../../domain/policy";
import type { RequestContext } from "../../domain/request-context";
import { logFailure } from "../../lib/log-failure";
import type { StagingRepository } from "../import/ports";
import { loadImage } from "../load-image";
import type { BlobStore, ByteRange, ImageRepository, StoredImage } from "../ports";
import type { QuotaPolicy } from "../quota";
import { claimData } from "./claim";
import { watchDeletion } from "./deletion-watch";
import { NativeDigests } from "./digests";
import { goneDuringUpload, imageTooLarge, lostRace, takenOver } from "./errors";
import { assess, formatRefused, InspectorTap, logRefusal } from "./format-check";
import { dropData, giveUpData } from "./give-up";
import { dataKey } from "./keys";
import { pump } from "./pump";
import { MAX_PARTS, multipartSink, singlePutSink } from "./sinks";
import { isAbandoned, UploadLease } from "./upload-lease";

export interface UploadSettings {
  /** Glance's image_size_cap. */
  sizeCap: number;
  /** Multipart part size; every part but the last has exactly this size (R2 rule), so it bounds memory. */
  partSize: number;
  /** Declared sizes up to this go to R2 as one streamed put; larger or unknown sizes go multipart. */
  singlePutMax: number;
  staleSeconds: number;
  /** Fill in missing formats from the data instead of Glance's 400 (see config INFER_UPLOAD_FORMATS). */
  inferFormats: boolean;
  /** What the format inspector's verdict requires. */
  formats: FormatSettings;
}

export interface ImageDataServiceDeps {
  repo: ImageRepository;
  blobs: BlobStore;
  staging: Pick<StagingRepository, "find" | "remove">;
  settings: UploadSettings;
  quota: Pick<QuotaPolicy, "admitData" | "assertUploadingCount" | "reservation">;
  now: () => number;
}

export interface UploadInput {
  body: ReadableStream<Uint8Array> | null;
  /** X-OpenStack-Image-Size, else Content-Length; null for a chunked body without the header. */
  declaredSize: number | null;
  /** false only from bench:data (BENCH_ROUTES=1): the format inspector sees no bytes, so its cost shows. */
  inspect?: boolean;
}

export interface ImageDownload {
  /** The whole image's size and MD5 (Glance sends the whole image's MD5 with a partial response too). */
  size: number;
  checksum: string | null;
  range: ByteRange | null;
  body: ReadableStream<Uint8Array>;
}

const unavailable = () => new DomainError("service_unavailable", undefined);

export class ImageDataService {
  constructor(private readonly d: ImageDataServiceDeps) {}

  /**
   * PUT /file: queued -> saving (CAS) -> stream to the store while hashing -> saving -> active (CAS).
   * Any failure removes the partial data and puts the image back to queued, so the client can retry.
   */
  async upload(ctx: RequestContext, id: string, input: UploadInput): Promise<void> {
    const { repo, blobs, settings, now } = this.d;
    const declared = input.declaredSize;
    let { image } = await loadImage(repo, ctx, id, "upload_image");
    if (isAbandoned(image, settings.staleSeconds * 1000, now())) image = await this.reclaim(image);
    assertTransition(image.status, "saving");
    if (!settings.inferFormats) assertFormatsSet(image);
    if (declared !== null && (declared > settings.sizeCap || declared > settings.partSize * MAX_PARTS))
      throw imageTooLarge();
    // Quotas bind the owner's project, also when an admin uploads; checked before any byte is read.
    const meter = await this.d.quota.admitData(image.owner, declared, false);

    const key = dataKey(id);
    const single = declared !== null && declared <= settings.singlePutMax;
    // The multipart upload exists before the lock so the row records its id atomically with `saving`.
    const uploadId = single ? null : await blobs.beginMultipart(key);
    const startedAt = now();
    // The declared size is reserved against the owner's quotas by the status change itself.
    const fields = { uploadStartedAt: startedAt, uploadId, uploadSize: declared };
    try {
      const data = { owner: image.owner, declared, stage: false };
      await claimData(this.d, id, { from: "queued", to: "saving", fields }, startedAt, data);
    } catch (err) {
      // Nothing was written yet: only the multipart upload we opened must go (the key may be another upload's).
      if (uploadId) await blobs.abortMultipart(key, uploadId).catch((e) => logFailure("multipart abort", key, e));
      throw err;
    }

    const lease = new UploadLease(repo, id, uploadId, startedAt, settings.staleSeconds * 1000, now);
    // A DELETE meanwhile stops the body at once; restore() then answers 410 (it sees the tombstone).
    const watch = watchDeletion(repo, id, () => goneDuringUpload(id));
    try {
      await this.d.quota.assertUploadingCount(image.owner);
      const sink =
        uploadId === null
          ? singlePutSink(blobs, key, declared ?? 0)
          : multipartSink(blobs, key, uploadId, settings.partSize);
      const digests = new NativeDigests();
      const inspector = new InspectorTap();
      const taps = input.inspect === false ? [digests] : [digests, inspector];
      const { size } = await pump(input.body, sink, taps, {
        sizeCap: settings.sizeCap,
        meter,
        declared,
        requestBody: true,
        signal: watch.signal,
        beforeWrite: async () => {
          const outcome = await lease.keepAlive();
          if (outcome !== "done") throw outcome === "deleted" ? goneDuringUpload(id) : takenOver(id);
        },
      });
      const { md5, sha512 } = await digests.result();
      // Nothing unsafe, and nothing that contradicts its disk_format, becomes active (CVE-2024-32498 class).
      const verdict = assess(image, inspector.result(), settings.formats);
      if (!verdict.ok) {
        logRefusal("upload", id, verdict);
        throw formatRefused(verdict.message);
      }
      const outcome = await lease.transition("active", {
        diskFormat: verdict.diskFormat,
        containerFormat: verdict.containerFormat,
        size,
        virtualSize: verdict.virtualSize,
        checksum: md5,
        osHashAlgo: "sha512",
        osHashValue: sha512,
        uploadStartedAt: null,
        uploadId: null,
        uploadSize: null,
      });
      if (outcome === "done") return;
      throw outcome === "deleted" ? goneDuringUpload(id) : takenOver(id);
    } catch (err) {
      throw await this.restore(lease, err);
    } finally {
      watch.stop();
    }
  }

  /**
   * After a failed upload: drop what it stored and move the image back to queued, while the row is still
   * ours (only while our claim is fresh is the key certainly not another upload's, see UploadLease).
   * Returns the error to answer with (410 when the image was deleted meanwhile).
   */
  private async restore(lease: UploadLease, err: unknown): Promise<unknown> {
    try {
      const owns = (image: StoredImage) => lease.fresh() && lease.owns(image);
      if ((await giveUpData(this.d, lease.imageId, { from: "saving", owns })) === "deleted")
        return goneDuringUpload(lease.imageId);
    } catch (cleanupErr) {
      // The row stays `saving` and is reclaimed once stale; answer with the original error.
      logFailure("upload cleanup", lease.imageId, cleanupErr);
    }
    if (!(err instanceof DomainError)) logFailure("upload", lease.imageId, err);
    return err;
  }

  /** Resets an abandoned `saving` image to queued, dropping whatever its dead upload left in R2. */
  private async reclaim(image: StoredImage): Promise<StoredImage> {
    // The revision guard makes sure we reset exactly the stale state we looked at.
    const outcome = await giveUpData(this.d, image.id, { from: "saving", owns: (i) => i.revision === image.revision });
    const found = outcome === "queued" ? await this.d.repo.find(image.id, null) : null;
    if (!found) throw await lostRace(this.d.repo, image.id, "saving");
    return found.image;
  }

  /**
   * GET /file. Returns null when the image has no data (204). `pickRange` turns the request's Range into
   * a byte range once the size is known (it throws 400/416 for bad ranges).
   */
  async download(
    ctx: RequestContext,
    id: string,
    pickRange: (size: number) => ByteRange | null,
  ): Promise<ImageDownload | null> {
    const { image } = await loadImage(this.d.repo, ctx, id, "download_image");
    assertDownloadable(ctx, image);
    if (DATALESS_STATUSES.includes(image.status)) return null;
    if (image.size === null) throw unavailable();
    const range = pickRange(image.size);
    const blob = await this.d.blobs.get(dataKey(id), range ?? undefined);
    // Never serve bytes that are not the image's: a missing or different object is a storage fault.
    if (!blob || blob.size !== image.size) {
      await blob?.body.cancel();
      logFailure("download", id, new Error(blob ? "stored object has the wrong size" : "stored object is missing"));
      throw unavailable();
    }
    return { size: image.size, checksum: image.checksum, range, body: blob.body };
  }

  /** Removes whatever bytes an image has (called after the image row became a tombstone). */
  async discard(image: Pick<Image, "id"> & { uploadId?: string | null }): Promise<void> {
    // An upload still streaming then fails on its next part, and its final CAS fails on the tombstone.
    await dropData(this.d, image.id, [image.uploadId]);
  }
}
