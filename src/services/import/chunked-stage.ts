// Resumable chunked stage (our extension): images larger than one Worker request body, one R2 part per chunk,
// chunks in any order and in parallel.
//
// Contract (PUT /v2/images/{id}/stage with `Content-Range: bytes START-END/TOTAL`):
//  * Content-Type application/octet-stream (415); owner/admin (403; 404 when hidden); Content-Length is
//    required and must equal END-START+1 (400). Each chunk is at most STAGE_CHUNK_MAX bytes (413), and
//    TOTAL at most image_size_cap (413).
//  * The first chunk (START 0) moves the image queued -> uploading and opens an R2 multipart upload; its
//    size is the session's chunk size. Unless it is also the last chunk it must be >= 5 MiB (R2's part
//    minimum) (400). Every later chunk but the last must have exactly that size, the last the rest (400).
//    TOTAL must stay the same for the whole session (416), and TOTAL/chunk size must not need more than
//    10,000 parts (413). The first chunk reserves TOTAL against the owner's storage and stage quotas and
//    checks the uploading-image count (413, image stays queued).
//  * After the first, chunks may come in any order and at the same time: START must be a multiple of the
//    chunk size (416); a chunk already stored -> 409; END >= TOTAL -> 416. Image not queued/uploading, or
//    uploading through a single-request stage -> 409.
//  * Success -> 204 with `OpenStack-Image-Stage-Received: <bytes stored>` and `OpenStack-Image-Stage-Total`.
//    Of two copies of one chunk racing, the first recorded wins; the other gets 409.
//  * A chunk that fails (client gone, short body) changes nothing: GET /v2/images/{id}/stage -> 200
//    {"received", "total", "chunk_size", "missing": [[start, end], ...], "parallel": K} tells what is left and
//    how many chunks to send at once (404 when no chunked session exists). Sessions do not expire; DELETE the
//    image to give up.
//  * MD5/SHA-512 of the chunks that come in order are computed on the way in (ResumableDigests, state saved
//    between requests); glance-direct completes the multipart upload and hashes the rest by reading it back.
import { badRequest, conflict, payloadTooLarge, rangeNotSatisfiable } from "../../domain/errors";
import { assertTransition } from "../../domain/image-status";
import { logFailure } from "../../lib/log-failure";
import { ResumableDigests } from "../../lib/resumable-digests";
import { claimData } from "../data/claim";
import { watchDeletion } from "../data/deletion-watch";
import { goneDuringUpload, imageTooLarge } from "../data/errors";
import { giveUpData } from "../data/give-up";
import { dataKey } from "../data/keys";
import { type BlockTap, pump } from "../data/pump";
import { MAX_PARTS, MIN_PART, partSink } from "../data/sinks";
import type { BlobStore, ImageRepository, StoredImage, StoreSet } from "../ports";
import type { QuotaPolicy } from "../quota";
import type { StagedPart, StagingRecord, StagingRepository } from "./ports";

export interface StageSettings {
  sizeCap: number;
  partSize: number;
  singlePutMax: number;
  stageChunkMax: number;
  /** How many chunks of one stage a client is told to send at once (GET /stage `parallel`). */
  stageParallel: number;
  staleSeconds: number;
}

/** What staging needs, chunked or in one request (StageService passes its own deps through). */
export interface StageDeps {
  repo: ImageRepository;
  /** The default store: staged data waits there for its import (the staging area). */
  blobs: BlobStore;
  /** Every store (a given-up stage's key is dropped from all of them). */
  stores?: Pick<StoreSet, "all">;
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

/** GET /stage: where a chunked stage stands. */
export interface StageStatus extends StageProgress {
  chunkSize: number;
  /** Byte ranges [start, end] (inclusive) not stored yet, in order. */
  missing: [number, number][];
  parallel: number;
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
    const partNumber = checkChunk(rec, range, len);
    // Claimed before a byte is read: a second copy of this chunk cannot overwrite the part in R2 meanwhile.
    const claimedAt = this.d.now();
    if (!(await this.d.staging.claimPart(rec.imageId, partNumber, len, claimedAt, claimedAt - PART_CLAIM_STALE_MS)))
      throw alreadyStaged(range.start);
    return this.store(rec, body, range, len, partNumber, claimedAt);
  }

  /** GET /stage for an image in `uploading`: null unless a chunked session exists. */
  async status(image: StoredImage): Promise<StageStatus | null> {
    const rec = image.status === "uploading" ? await this.d.staging.find(image.id) : null;
    if (!rec || rec.uploadId === null || rec.total === null || rec.chunkSize === null) return null;
    const parts = await this.d.staging.parts(image.id);
    return {
      received: rec.received,
      total: rec.total,
      chunkSize: rec.chunkSize,
      missing: missingRanges(parts, rec.chunkSize, rec.total),
      parallel: this.d.settings.stageParallel,
    };
  }

  /** The first chunk: queued -> uploading (CAS, recording the multipart upload id), then the session row. */
  private async open(image: StoredImage, range: ContentRange, len: number): Promise<StagingRecord> {
    const { blobs, staging, quota, now } = this.d;
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
      hashState: ResumableDigests.create().saveState(),
      hashed: 0,
      checksum: null,
      osHashValue: null,
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

  /**
   * Streams the chunk into its own R2 part, then records the part. A chunk that continues the in-order prefix
   * is hashed on the way in and advances the saved hash state; any other is hashed at import.
   */
  private async store(
    rec: StagingRecord,
    body: ReadableStream<Uint8Array> | null,
    range: ContentRange,
    len: number,
    partNumber: number,
    claimedAt: number,
  ): Promise<StageProgress> {
    const { repo, blobs, staging, now } = this.d;
    const id = rec.imageId;
    const inOrder = range.start === rec.hashed && rec.hashState !== null;
    const digests = inOrder ? ResumableDigests.restore(rec.hashState!) : null;
    const taps: BlockTap[] = digests ? [{ write: (b: Uint8Array) => void digests.update(b) }] : [];
    let part: StagedPart;
    // A DELETE meanwhile stops the chunk at once (410) instead of when its body ends.
    const watch = watchDeletion(repo, id, () => goneDuringUpload(id));
    try {
      const sink = partSink(blobs, dataKey(id), rec.uploadId!, partNumber, len);
      const limits = { sizeCap: Number.POSITIVE_INFINITY, declared: len, requestBody: true, signal: watch.signal };
      const { stored } = await pump(body, sink, taps, limits);
      part = { ...stored, size: len };
    } catch (err) {
      // The session is untouched: the client resends this chunk (GET /stage says what is missing).
      await staging.releasePart(id, partNumber, claimedAt);
      if (!(await repo.find(id, null))) throw goneDuringUpload(id);
      throw err;
    } finally {
      watch.stop();
    }
    const { added, received } = await staging.storePart(id, part, claimedAt);
    if (!added) {
      if (!(await repo.find(id, null))) throw goneDuringUpload(id);
      throw alreadyStaged(range.start);
    }
    if (digests) {
      const next = {
        hashed: range.start + len,
        hashState: digests.saveState(),
        updatedAt: now(),
      };
      await staging.advanceHash(id, rec.hashed, next);
    }
    // Glance records the staged size on the image; only once all bytes are there.
    const sized = { from: "uploading", to: "uploading", fields: { size: received } } as const;
    if (received === rec.total && !(await repo.transition(id, sized, now()))) throw goneDuringUpload(id);
    return { received, total: rec.total! };
  }
}

/**
 * A chunk's claim on its part lapses after this long without being stored (its request died, e.g. the isolate
 * was evicted); until then a second copy of the chunk gets 409. A client that is cut off releases it at once.
 */
const PART_CLAIM_STALE_MS = 15 * 60 * 1000;

const alreadyStaged = (start: number) =>
  conflict(`Bytes from ${start} are already staged, or being staged by another request.`);

/** The chunk's part number once its range fits the session: aligned to the chunk size, sized as it must be. */
function checkChunk(rec: StagingRecord, range: ContentRange, len: number): number {
  const chunkSize = rec.chunkSize!;
  if (range.total !== rec.total)
    throw rangeNotSatisfiable(`The Content-Range total ${range.total} differs from this stage's total ${rec.total}.`);
  if (range.start % chunkSize !== 0)
    throw rangeNotSatisfiable(
      `A chunk must start at a multiple of the chunk size ${chunkSize}, not at ${range.start}.`,
    );
  const last = range.end + 1 === range.total;
  if (last ? len > chunkSize : len !== chunkSize)
    throw badRequest(
      `Every chunk but the last must be exactly ${chunkSize} bytes (the first chunk's size) and the last at most that; this chunk has ${len}.`,
    );
  return range.start / chunkSize + 1;
}

/** The byte ranges no stored part covers, coalesced, in order. */
export function missingRanges(parts: readonly StagedPart[], chunkSize: number, total: number): [number, number][] {
  const have = new Set(parts.map((p) => p.partNumber));
  const missing: [number, number][] = [];
  const count = Math.ceil(total / chunkSize);
  for (let n = 1; n <= count; n++) {
    if (have.has(n)) continue;
    const start = (n - 1) * chunkSize;
    const end = Math.min(start + chunkSize, total) - 1;
    const prev = missing.at(-1);
    if (prev && prev[1] + 1 === start) prev[1] = end;
    else missing.push([start, end]);
  }
  return missing;
}
