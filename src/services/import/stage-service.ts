// PUT/GET /v2/images/{id}/stage: stage data for glance-direct straight into the image's final R2 key.
import { DomainError, notFound } from "../../domain/errors";
import { assertTransition } from "../../domain/image-status";
import type { RequestContext } from "../../domain/request-context";
import { logFailure } from "../../lib/log-failure";
import { claimData } from "../data/claim";
import { watchDeletion } from "../data/deletion-watch";
import { NativeDigests } from "../data/digests";
import { goneDuringUpload, imageTooLarge } from "../data/errors";
import { giveUpData } from "../data/give-up";
import type { UploadInput } from "../data/image-data-service";
import { dataKey } from "../data/keys";
import { pump } from "../data/pump";
import { openBlobSink } from "../data/sinks";
import { loadImage } from "../load-image";
import type { StoredImage } from "../ports";
import { ChunkedStage, type ContentRange, type StageDeps, type StageProgress, type StageStatus } from "./chunked-stage";

export interface StageInput extends UploadInput {
  /** Content-Range of a chunk of a resumable stage; null for a single-request stage. */
  range: ContentRange | null;
  /** The request's Content-Length (a chunk must carry exactly its range's length). */
  contentLength: number | null;
}

export class StageService {
  private readonly chunks: ChunkedStage;

  constructor(private readonly d: StageDeps) {
    this.chunks = new ChunkedStage(d);
  }

  /** PUT /stage. Returns progress for a chunk, null for a single-request stage. */
  async stage(ctx: RequestContext, id: string, input: StageInput): Promise<StageProgress | null> {
    const image = await this.load(ctx, id);
    if (input.range) return this.chunks.stage(image, input.body, input.contentLength, input.range);
    await this.stageWhole(image, input);
    return null;
  }

  /** GET /stage: where a chunked stage stands, so an interrupted client knows what is left to send. */
  async progress(ctx: RequestContext, id: string): Promise<StageStatus> {
    const status = await this.chunks.status(await this.load(ctx, id));
    if (!status) throw notFound(`No chunked stage is in progress for image ${id}.`);
    return status;
  }

  /** Loads the image for a stage request: 404 when hidden, 403 unless owner/admin (upload_image). */
  private async load(ctx: RequestContext, id: string): Promise<StoredImage> {
    const { image } = await loadImage(this.d.repo, ctx, id, "upload_image");
    return this.reclaimIfAbandoned(image);
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
    const sink = await openBlobSink(blobs, dataKey(id), declared, settings);
    const startedAt = now();
    const fields = { uploadStartedAt: startedAt, uploadId: sink.uploadId, uploadSize: declared };
    try {
      const data = { owner: image.owner, declared, stage: true };
      await claimData(this.d, id, { from: "queued", to: "uploading", fields }, startedAt, data);
    } catch (err) {
      await sink.abort();
      throw err;
    }
    // A DELETE meanwhile stops the body at once; unstage() then answers 410 (it sees the tombstone).
    const watch = watchDeletion(repo, id, () => goneDuringUpload(id));
    try {
      await this.d.quota.assertUploadingCount(image.owner);
      // Glance inspects staged data when it is imported; so do we (glance-direct reads back what it needs).
      const digests = new NativeDigests();
      const limits = { sizeCap: settings.sizeCap, meter, declared, requestBody: true, signal: watch.signal };
      const { size } = await pump(input.body, sink, [digests], limits);
      const { md5, sha512 } = await digests.result();
      // Glance leaves checksum/os_hash_* null until import; the digests wait in the staging record.
      await staging.put({
        imageId: id,
        uploadId: null,
        total: size,
        chunkSize: null,
        received: size,
        hashState: null,
        hashed: 0,
        checksum: md5,
        osHashValue: sha512,
        updatedAt: now(),
      });
      const staged = { size, uploadId: null, uploadStartedAt: null, uploadSize: null };
      if (!(await repo.transition(id, { from: "uploading", to: "uploading", fields: staged }, now())))
        throw goneDuringUpload(id);
    } catch (err) {
      await sink.abort();
      throw await this.unstage(id, startedAt, err);
    } finally {
      watch.stop();
    }
  }

  /** After a failed single-request stage: bytes and record gone, back to queued (410 if deleted meanwhile). */
  private async unstage(id: string, startedAt: number, err: unknown): Promise<unknown> {
    try {
      const owns = (image: StoredImage) => image.uploadStartedAt === startedAt;
      if ((await giveUpData(this.d, id, { from: "uploading", owns })) === "deleted") return goneDuringUpload(id);
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
    const { repo, staging, settings, now } = this.d;
    if (image.status !== "uploading" || image.uploadStartedAt === null) return image;
    if (now() - image.uploadStartedAt < settings.staleSeconds * 1000) return image;
    if (await staging.find(image.id)) return image;
    const owns = (i: StoredImage) => i.revision === image.revision;
    if ((await giveUpData(this.d, image.id, { from: "uploading", owns })) !== "queued") return image;
    return (await repo.find(image.id, null))?.image ?? image;
  }
}
