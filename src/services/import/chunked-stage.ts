// Resumable chunked stage (our extension): images larger than one Worker request body, one R2 part per chunk.
//
// Contract (PUT /v2/images/{id}/stage with `Content-Range: bytes START-END/TOTAL`):
//  * Content-Type application/octet-stream (415); owner/admin (403; 404 when hidden); Content-Length is
//    required and must equal END-START+1 (400). Each chunk is at most STAGE_CHUNK_MAX bytes (413), and
//    TOTAL at most image_size_cap (413).
//  * The first chunk (START 0) moves the image queued -> uploading and opens an R2 multipart upload; its
//    size is the session's chunk size. Unless it is also the last chunk it must be >= 5 MiB (R2's part
//    minimum) (400). Every later chunk but the last must have exactly that size; the last may be smaller
//    but not larger (400). TOTAL must stay the same for the whole session (416), and TOTAL/chunk size
//    must not need more than 10,000 parts (413). The first chunk checks the owner's storage and stage
//    quotas with TOTAL as the declared size, and the uploading-image count (413, image stays queued).
//  * A chunk must start exactly at the bytes received so far: START < received -> 409 (overlap or
//    duplicate), START > received -> 416 (gap or out of order); END < START or END >= TOTAL -> 416.
//    Image not queued/uploading, or uploading through a single-request stage -> 409.
//  * Success -> 204 with `OpenStack-Image-Stage-Received: <bytes stored>` and
//    `OpenStack-Image-Stage-Total: <TOTAL>`. The chunk lands only if its compare-and-swap on `received`
//    wins; a racing chunk for the same offset gets 409.
//  * A chunk that fails (client gone, short body) changes nothing: the image stays `uploading`, and
//    `GET /v2/images/{id}/stage` -> 200 {"received", "total", "chunk_size"} tells where to resume
//    (404 when no chunked session exists). Sessions do not expire; DELETE the image to give up.
//  * When received == TOTAL, POST /import {"method": {"name": "glance-direct"}} completes the multipart
//    upload and activates the image with MD5/SHA-512 carried across requests by ResumableDigests.
import { VIRTUAL_SIZE_HEAD_BYTES } from "../../domain/disk-format";
import { badRequest, conflict, payloadTooLarge, rangeNotSatisfiable } from "../../domain/errors";
import { assertTransition } from "../../domain/image-status";
import { toHex } from "../../lib/hex";
import { logFailure } from "../../lib/log-failure";
import { ResumableDigests } from "../../lib/resumable-hash";
import { claimData } from "../data/claim";
import { goneDuringUpload, imageTooLarge } from "../data/errors";
import { giveUpData } from "../data/give-up";
import { dataKey } from "../data/keys";
import { type BlockTap, HeadTap, pump } from "../data/pump";
import { MAX_PARTS, MIN_PART, partSink } from "../data/sinks";
import type { BlobPart, BlobStore, ImageRepository, StoredImage } from "../ports";
import type { QuotaPolicy } from "../quota";
import type { StagingRecord, StagingRepository } from "./ports";

export interface StageSettings {
  sizeCap: number;
  partSize: number;
  singlePutMax: number;
  stageChunkMax: number;
  staleSeconds: number;
}

/** What staging needs, chunked or in one request (StageService passes its own deps through). */
export interface StageDeps {
  repo: ImageRepository;
  blobs: BlobStore;
  staging: StagingRepository;
  settings: StageSettings;
  quota: Pick<QuotaPolicy, "admitData" | "assertUploadingCount" | "reservation">;
  now: () => number;
}

/** What a chunk request reports back (OpenStack-Image-Stage-* headers). */
export interface StageProgress {
  received: number;
  total: number;
}

export interface ContentRange {
  start: number;
  end: number;
  total: number;
}

export class ChunkedStage {
  constructor(private readonly d: StageDeps) {}

  async stage(
    image: StoredImage,
    body: ReadableStream<Uint8Array> | null,
    contentLength: number | null,
    range: ContentRange,
  ): Promise<StageProgress> {
    const { settings } = this.d;
    const len = range.end - range.start + 1;
    if (contentLength !== len)
      throw badRequest(`Content-Length must equal the length of the Content-Range (${len} bytes).`);
    if (len > settings.stageChunkMax)
      throw payloadTooLarge(`A stage chunk may be at most ${settings.stageChunkMax} bytes; this one has ${len}.`);
    if (range.total > settings.sizeCap) throw imageTooLarge();
    const rec = image.status === "queued" ? await this.open(image, range, len) : await this.current(image);
    checkChunk(rec, range, len);
    return this.store(rec, body, range, len);
  }

  /** The first chunk: queued -> uploading (CAS, recording the multipart upload id), then the session row. */
  private async open(image: StoredImage, range: ContentRange, len: number): Promise<StagingRecord> {
    const { repo, blobs, staging, quota, now } = this.d;
    if (range.start !== 0) throw rangeNotSatisfiable(`The first chunk must start at byte 0, not ${range.start}.`);
    const last = range.end + 1 === range.total;
    if (!last && len < MIN_PART)
      throw badRequest(`Every chunk but the last must be at least ${MIN_PART} bytes; the first chunk has ${len}.`);
    if (Math.ceil(range.total / len) > MAX_PARTS)
      throw payloadTooLarge(`A stage may have at most ${MAX_PARTS} chunks.`);
    // TOTAL is known up front, and the chunks must add up to it, so no per-byte meter is needed.
    await quota.admitData(image.owner, range.total, true);
    const key = dataKey(image.id);
    // A record left by a session that never moved the image (crash right after creating it) is stale.
    const stale = await staging.find(image.id);
    if (stale?.uploadId) await blobs.abortMultipart(key, stale.uploadId).catch((e) => logFailure("abort", key, e));
    const uploadId = await blobs.beginMultipart(key);
    const at = now();
    // TOTAL is reserved against the storage and stage quotas by the status change itself.
    const fields = { uploadId, uploadStartedAt: at, size: null, uploadSize: range.total };
    try {
      const data = { owner: image.owner, declared: range.total, stage: true };
      await claimData(this.d, image.id, { from: "queued", to: "uploading", fields }, at, data);
    } catch (err) {
      await blobs.abortMultipart(key, uploadId).catch(() => {});
      throw err;
    }
    try {
      await quota.assertUploadingCount(image.owner);
    } catch (err) {
      await giveUpData(this.d, image.id, { from: "uploading", owns: (i) => i.uploadId === uploadId });
      throw err;
    }
    // Only the winner of the status CAS writes the session, so two racing first chunks cannot mix sessions.
    const rec: StagingRecord = {
      imageId: image.id,
      uploadId,
      total: range.total,
      chunkSize: len,
      received: 0,
      parts: [],
      hashState: ResumableDigests.create().saveState(),
      checksum: null,
      osHashValue: null,
      head: null,
      updatedAt: at,
    };
    await staging.put(rec);
    return rec;
  }

  private async current(image: StoredImage): Promise<StagingRecord> {
    if (image.status !== "uploading") assertTransition(image.status, "uploading");
    const rec = await this.d.staging.find(image.id);
    // `uploading` without a chunked session: a single-request stage owns (or owned) the image.
    if (!rec || rec.uploadId === null || rec.uploadId !== image.uploadId)
      throw conflict("Image status transition from uploading to uploading is not allowed");
    return rec;
  }

  /** Streams the chunk into its own R2 part while hashing, then commits it with a CAS on `received`. */
  private async store(
    rec: StagingRecord,
    body: ReadableStream<Uint8Array> | null,
    range: ContentRange,
    len: number,
  ): Promise<StageProgress> {
    const { repo, blobs, staging, now } = this.d;
    const id = rec.imageId;
    const partNumber = rec.received / rec.chunkSize! + 1;
    const digests = ResumableDigests.restore(rec.hashState!);
    // The first chunk also keeps the data's leading bytes with the session, for virtual_size at import.
    const head = range.start === 0 ? new HeadTap(VIRTUAL_SIZE_HEAD_BYTES) : null;
    const taps: BlockTap[] = [{ write: (b) => void digests.update(b) }, ...(head ? [head] : [])];
    let part: BlobPart;
    try {
      const sink = partSink(blobs, dataKey(id), rec.uploadId!, partNumber, len);
      ({ stored: part } = await pump(body, sink, taps, { sizeCap: Number.POSITIVE_INFINITY, declared: len }));
    } catch (err) {
      // The session is untouched: the client resends this chunk (GET /stage says from where).
      if (!(await repo.find(id, null))) throw goneDuringUpload(id);
      throw err;
    }
    const received = rec.received + len;
    const next = {
      received,
      parts: [...rec.parts.filter((p) => p.partNumber !== partNumber), part],
      hashState: digests.saveState(),
      head: head?.bytes ? toHex(head.bytes) : rec.head,
      updatedAt: now(),
    };
    if (!(await staging.advance(id, rec.received, next))) {
      if (!(await repo.find(id, null))) throw goneDuringUpload(id);
      throw conflict(`Another chunk for bytes from ${range.start} of image ${id} was staged first.`);
    }
    // Glance records the staged size on the image; only once all bytes are there.
    const sized = { from: "uploading", to: "uploading", fields: { size: received } } as const;
    if (received === rec.total && !(await repo.transition(id, sized, now()))) throw goneDuringUpload(id);
    return { received, total: rec.total! };
  }
}

function checkChunk(rec: StagingRecord, range: ContentRange, len: number): void {
  const chunkSize = rec.chunkSize!;
  if (range.total !== rec.total)
    throw rangeNotSatisfiable(`The Content-Range total ${range.total} differs from this stage's total ${rec.total}.`);
  if (range.start < rec.received)
    throw conflict(`Bytes from ${range.start} are already staged; the next chunk must start at byte ${rec.received}.`);
  if (range.start > rec.received)
    throw rangeNotSatisfiable(`The next chunk must start at byte ${rec.received}, not ${range.start}.`);
  const last = range.end + 1 === range.total;
  if (last ? len > chunkSize : len !== chunkSize)
    throw badRequest(
      `Every chunk but the last must be exactly ${chunkSize} bytes (the first chunk's size) and the last at most that; this chunk has ${len}.`,
    );
}
