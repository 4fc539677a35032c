// Image data use cases (upload, download, discard): bytes in the BlobStore, status changes by CAS.
import { badRequest, conflict, DomainError, forbidden, gone, notFound } from "../../domain/errors";
import type { Image } from "../../domain/image";
import type { FormatSettings } from "../../domain/image-format";
import { assertFormatsSet, assertTransition, DATALESS_STATUSES } from "../../domain/image-status";
import { assertDownloadable } from "../../domain/policy";
import type { RequestContext } from "../../domain/request-context";
import { holdingStores, parsePrefer, READ_ONLY_STORE, readOrder, storeById, unknownStore } from "../../domain/stores";
import { logFailure } from "../../lib/log-failure";
import type { StagingRepository } from "../import/ports";
import { loadImage } from "../load-image";
import type { BlobStore, ByteRange, ImageRepository, StoredImage, StoreSet } from "../ports";
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
  /** The default store's blobs. */
  blobs: BlobStore;
  stores: StoreSet;
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
  /** X-Image-Meta-Store: the store to write to (with several stores; ignored otherwise, as in Glance). */
  store?: string | null;
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
    const { repo, settings, now } = this.d;
    const declared = input.declaredSize;
    // The store is judged before the image is looked up, as in Glance.
    const { storeId, blobs } = this.uploadStore(input.store ?? null);
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
        stores: [storeId],
        pendingCopies: 0,
      });
      if (outcome === "done") return;
      throw outcome === "deleted" ? goneDuringUpload(id) : takenOver(id);
    } catch (err) {
      throw await this.restore(lease, err);
    } finally {
      watch.stop();
    }
  }

  /** The store an upload writes to: X-Image-Meta-Store with several stores, else the default store. */
  private uploadStore(header: string | null): { storeId: string; blobs: BlobStore } {
    const { catalog } = this.d.stores;
    const storeId = catalog.multi && header !== null ? header : catalog.defaultId;
    const store = storeById(catalog, storeId);
    const blobs = this.d.stores.get(storeId);
    if (!store || !blobs) throw badRequest(unknownStore(storeId));
    // Glance's StoreAddDisabled answer (410), here before any byte is read, so the image stays queued.
    if (store.readOnly) throw gone(READ_ONLY_STORE);
    return { storeId, blobs };
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
    preferRaw: string | null = null,
  ): Promise<ImageDownload | null> {
    const prefer = parsePrefer(this.d.stores.catalog, preferRaw);
    const { image } = await loadImage(this.d.repo, ctx, id, "download_image");
    assertDownloadable(ctx, image);
    if (DATALESS_STATUSES.includes(image.status)) return null;
    if (image.size === null) throw unavailable();
    const range = pickRange(image.size);
    const { catalog } = this.d.stores;
    // The best store first (prefer, weight, default); a missing or wrong-sized object falls back to the next.
    for (const storeId of readOrder(catalog, holdingStores(catalog, image), prefer)) {
      const blob = await this.d.stores.get(storeId)!.get(dataKey(id), range ?? undefined);
      // Never serve bytes that are not the image's: a missing or different object is a storage fault.
      if (blob && blob.size === image.size)
        return { size: image.size, checksum: image.checksum, range, body: blob.body };
      await blob?.body.cancel();
      const why = blob ? "has the wrong size" : "is missing";
      logFailure("download", id, new Error(`stored object in store ${storeId} ${why}`));
    }
    throw unavailable();
  }

  /**
   * DELETE /v2/stores/{store}/{id}: drops the image's data from one store, never from its last one. The row
   * changes first (so no download picks that store any more), then the object goes.
   */
  async deleteFromStore(ctx: RequestContext, storeId: string, id: string): Promise<void> {
    const { repo, stores, now } = this.d;
    if (!stores.catalog.multi) throw notFound();
    if (!storeById(stores.catalog, storeId))
      throw conflict(`The selected store ${storeId} is not available on this node.`);
    const miss = () => notFound(`Failed to find image ${id}`);
    for (let attempt = 0; attempt < 5; attempt++) {
      const { image } = await loadImage(repo, ctx, id, "delete_image_location", miss);
      if (image.status !== "active")
        throw conflict("It's not allowed to remove image data from store if image status is not 'active'");
      const holding = holdingStores(stores.catalog, image);
      if (holding.length === 1)
        throw forbidden(
          "Cannot delete image data from the only store containing it. Consider deleting the image instead.",
        );
      if (!holding.includes(storeId)) throw notFound(`Image ${id} is not stored in store ${storeId}.`);
      const fields = { stores: holding.filter((s) => s !== storeId) };
      const change = { from: "active", to: "active", fields, revision: image.revision } as const;
      if (await repo.transition(id, change, now())) {
        await stores.get(storeId)!.delete(dataKey(id));
        return;
      }
    }
    throw conflict("The image was changed by another request; please retry.");
  }

  /** Removes whatever bytes an image has (called after the image row became a tombstone). */
  async discard(image: Pick<Image, "id"> & { uploadId?: string | null }): Promise<void> {
    // An upload still streaming then fails on its next part, and its final CAS fails on the tombstone.
    await dropData(this.d, image.id, [image.uploadId]);
  }
}
