// PUT/GET /v2/images/{id}/stage: stage data for glance-direct straight into the image's final R2 key.
import { DomainError, notFound } from "../domain/errors";
import { assertTransition } from "../domain/image-status";
import type { RequestContext } from "../domain/request-context";
import { logFailure } from "../lib/log-failure";
import { toHex } from "../lib/resumable-hash";
import { dropBlob, goneDuringUpload, imageTooLarge, lostRace, NO_DATA, openBlobSink, pump } from "./blob-sink";
import { type ContentRange, stageChunk } from "./chunked-stage";
import { DigestingReader } from "./digesting-reader";
import { dataKey, type UploadInput } from "./image-data-service";
import { loadImage } from "./image-service";
import type { PartStreamStore, StagingRepository } from "./import-ports";
import type { BlobStore, ImageDataFields, ImageRepository, StoredImage } from "./ports";
import type { QuotaPolicy } from "./quota";

export interface StageSettings {
  sizeCap: number;
  partSize: number;
  singlePutMax: number;
  stageChunkMax: number;
  staleSeconds: number;
}

export interface StageServiceDeps {
  repo: ImageRepository;
  blobs: BlobStore;
  parts: PartStreamStore;
  staging: StagingRepository;
  settings: StageSettings;
  quota: Pick<QuotaPolicy, "admitData" | "assertUploadingCount">;
  now: () => number;
}

export interface StageInput extends UploadInput {
  /** Content-Range of a chunk of a resumable stage; null for a single-request stage. */
  range: ContentRange | null;
  /** The request's Content-Length (a chunk must carry exactly its range's length). */
  contentLength: number | null;
}

/** What a chunk request reports back (OpenStack-Image-Stage-* headers). */
export interface StageProgress {
  received: number;
  total: number;
}

export class StageService {
  constructor(readonly d: StageServiceDeps) {}

  /** Loads the image for a stage request: 404 when hidden, 403 unless owner/admin (upload_image). */
  async load(ctx: RequestContext, id: string): Promise<StoredImage> {
    const { image } = await loadImage(this.d.repo, ctx, id, "upload_image");
    return this.reclaimIfAbandoned(image);
  }

  /** PUT /stage. Returns progress for a chunk, null for a single-request stage. */
  async stage(ctx: RequestContext, id: string, input: StageInput): Promise<StageProgress | null> {
    const image = await this.load(ctx, id);
    if (input.range) return stageChunk(this, image, input.body, input.contentLength, input.range);
    await this.stageWhole(image, input);
    return null;
  }

  /** GET /stage: where a chunked stage stands, so an interrupted client knows where to resume. */
  async progress(ctx: RequestContext, id: string): Promise<{ received: number; total: number; chunkSize: number }> {
    const image = await this.load(ctx, id);
    const rec = image.status === "uploading" ? await this.d.staging.find(id) : null;
    if (!rec || rec.uploadId === null || rec.total === null || rec.chunkSize === null)
      throw notFound(`No chunked stage is in progress for image ${id}.`);
    return { received: rec.received, total: rec.total, chunkSize: rec.chunkSize };
  }

  /**
   * One request carries all the data (Glance's stage): queued -> uploading by CAS, stream while hashing
   * with DigestStreams, record size and digests. Any failure removes the bytes and returns to queued.
   */
  private async stageWhole(image: StoredImage, input: UploadInput): Promise<void> {
    const { repo, blobs, staging, settings, now } = this.d;
    const id = image.id;
    const declared = input.declaredSize;
    assertTransition(image.status, "uploading");
    if (declared !== null && declared > settings.sizeCap) throw imageTooLarge();
    // Staged bytes are stored in R2 too, so both the storage and the stage quota apply (the owner's).
    const meter = await this.d.quota.admitData(image.owner, declared, true);
    const key = dataKey(id);
    const sink = await openBlobSink(blobs, key, declared, settings);
    const startedAt = now();
    if (
      !(await repo.transition(
        id,
        "queued",
        "uploading",
        { uploadStartedAt: startedAt, uploadId: sink.uploadId, uploadSize: declared },
        startedAt,
      ))
    ) {
      await sink.abort();
      throw await lostRace(repo, id, "uploading");
    }
    const reader = new DigestingReader(input.body);
    try {
      await this.d.quota.assertUploadingCount(image.owner);
      const { digests, head } = await pump(reader, sink, { sizeCap: settings.sizeCap, meter, declared, headBytes: 32 });
      // Glance leaves checksum/os_hash_* null until import; the digests wait in the staging record.
      await staging.put({
        imageId: id,
        uploadId: null,
        total: digests.size,
        chunkSize: null,
        received: digests.size,
        parts: [],
        hashState: null,
        checksum: digests.md5,
        osHashValue: digests.sha512,
        head: head ? toHex(head) : null,
        updatedAt: now(),
      });
      const staged: ImageDataFields = { size: digests.size, uploadId: null, uploadStartedAt: null, uploadSize: null };
      if (!(await repo.transition(id, "uploading", "uploading", staged, now()))) throw goneDuringUpload(id);
    } catch (err) {
      await reader.cancel();
      await sink.abort();
      throw await this.unstage(id, err);
    }
  }

  /** After a failed single-request stage: remove bytes and record, back to queued (410 if deleted meanwhile). */
  async unstage(id: string, err: unknown): Promise<unknown> {
    try {
      await this.d.blobs.delete(dataKey(id));
      await this.d.staging.remove(id);
      if (!(await this.d.repo.transition(id, "uploading", "queued", NO_DATA, this.d.now()))) {
        if (!(await this.d.repo.find(id, null))) return goneDuringUpload(id);
      }
    } catch (cleanupErr) {
      logFailure("stage cleanup", id, cleanupErr);
    }
    if (!(err instanceof DomainError)) logFailure("stage", id, err);
    return err;
  }

  /**
   * An `uploading` image without a staging record belongs to a stage request that died mid-stream (or
   * between its status change and its first record). After UPLOAD_STALE_SECONDS of silence it is reset
   * to queued and its bytes dropped, so the image is not stuck. Chunked sessions have a record and are
   * never reclaimed here: they are meant to be resumed.
   */
  private async reclaimIfAbandoned(image: StoredImage): Promise<StoredImage> {
    const { repo, blobs, staging, settings, now } = this.d;
    if (image.status !== "uploading" || image.uploadStartedAt === null) return image;
    if (now() - image.uploadStartedAt < settings.staleSeconds * 1000) return image;
    if (await staging.find(image.id)) return image;
    const key = dataKey(image.id);
    await dropBlob(blobs, key, [image.uploadId]);
    const at = now();
    if (!(await repo.transition(image.id, "uploading", "queued", NO_DATA, at, image.revision))) return image;
    return { ...image, ...NO_DATA, status: "queued", updatedAt: at, revision: image.revision + 1 } as StoredImage;
  }
}
