// Streams one object into the BlobStore (one put for a known small size, else equal multipart parts), and the
// limits, errors and reset fields that upload (PUT /file) and stage (PUT /stage) share.
import { badRequest, conflict, gone, payloadTooLarge } from "../domain/errors";
import type { ImageStatus } from "../domain/image";
import { logFailure } from "../lib/log-failure";
import type { DigestingReader, Digests } from "./digesting-reader";
import type { BlobPart, BlobStore, ImageDataFields, ImageRepository } from "./ports";
import type { QuotaMeter } from "./quota";

/** R2 allows at most this many parts in one multipart upload. */
export const MAX_PARTS = 10_000;
/** Block size of the single-put path: big enough that per-block overhead does not matter. */
const PUT_BLOCK = 1024 * 1024;

/** Glance's image_size_cap message, also used when an upload would need more parts than R2 allows. */
export const imageTooLarge = () => payloadTooLarge("The incoming image is too large: The provided image is too large.");

/** The answer when the image was deleted while its data was being written. */
export const goneDuringUpload = (id: string) =>
  gone(
    `Image ${id} could not be found after upload. The image may have been deleted during the upload, cleaning up the chunks uploaded.`,
  );

/** The answer for a request that lost the queued -> `target` race (410 when the image is gone meanwhile). */
export async function lostRace(repo: Pick<ImageRepository, "find">, id: string, target: ImageStatus): Promise<Error> {
  const found = await repo.find(id, null);
  if (!found) return goneDuringUpload(id);
  const status = found.image.status === "queued" ? target : found.image.status;
  return conflict(`Image status transition from ${status} to ${target} is not allowed`);
}

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
};

export interface BlobSink {
  /** Size of the blocks the caller should write (every block but the last must be exactly this big). */
  blockSize: number;
  /** Multipart upload id, or null for a single put. */
  uploadId: string | null;
  write(block: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Drops whatever was written; never fails. */
  abort(): Promise<void>;
}

export interface SinkSettings {
  partSize: number;
  singlePutMax: number;
}

/** One streamed put of exactly `length` bytes (R2 needs the length up front). */
export function singlePutSink(blobs: BlobStore, key: string, length: number): BlobSink {
  const writer = blobs.putKnownLength(key, length);
  return {
    blockSize: PUT_BLOCK,
    uploadId: null,
    write: (b) => writer.write(b),
    close: () => writer.close(),
    abort: () => writer.abort(),
  };
}

/** Equal-sized parts of an existing multipart upload (R2: all but the last part the same size, >= 5 MiB). */
export function multipartSink(blobs: BlobStore, key: string, uploadId: string, partSize: number): BlobSink {
  const parts: BlobPart[] = [];
  return {
    blockSize: partSize,
    uploadId,
    write: async (block) => {
      if (parts.length === MAX_PARTS) throw imageTooLarge();
      parts.push(await blobs.putPart(key, uploadId, parts.length + 1, block));
    },
    close: async () => {
      // An empty body still needs one (empty) part to complete.
      if (parts.length === 0) parts.push(await blobs.putPart(key, uploadId, 1, new Uint8Array(0)));
      await blobs.completeMultipart(key, uploadId, parts);
    },
    abort: async () => {
      await blobs.abortMultipart(key, uploadId).catch(() => {});
    },
  };
}

/**
 * Opens a sink for `key`. With `declared` up to singlePutMax the object is one streamed put; otherwise a
 * multipart upload whose id the caller should record (so a crash or a delete can abort it).
 */
export async function openBlobSink(
  blobs: BlobStore,
  key: string,
  declared: number | null,
  s: SinkSettings,
): Promise<BlobSink> {
  if (declared !== null && declared <= s.singlePutMax) return singlePutSink(blobs, key, declared);
  return multipartSink(blobs, key, await blobs.beginMultipart(key), s.partSize);
}

export const fromHexBytes = (h: string | null) =>
  h ? new Uint8Array((h.match(/../g) ?? []).map((x) => parseInt(x, 16))) : null;

export interface PumpLimits {
  sizeCap: number;
  meter: QuotaMeter;
  /** The announced size: the body must have exactly this many bytes. */
  declared: number | null;
  /** Leading bytes to keep for format detection and the qcow2 virtual size. */
  headBytes: number;
  /** Runs before each block is stored (an upload refreshes its lease here). */
  beforeWrite?: () => Promise<void>;
}

/** Streams the body into the sink, enforcing the size cap, quotas and declared size as bytes arrive. */
export async function pump(
  reader: DigestingReader,
  sink: BlobSink,
  lim: PumpLimits,
): Promise<{ digests: Digests; head: Uint8Array | null }> {
  const { sizeCap, meter, declared } = lim;
  let head: Uint8Array | null = null;
  for (let block = await reader.read(sink.blockSize); block !== null; block = await reader.read(sink.blockSize)) {
    // A block that crosses a limit is never stored.
    if (reader.size > sizeCap) throw imageTooLarge();
    meter(reader.size);
    if (declared !== null && reader.size > declared)
      throw badRequest(`Size exceeds: expected ${declared} bytes, got ${reader.size} bytes`);
    head ??= block.slice(0, lim.headBytes);
    await lim.beforeWrite?.();
    await sink.write(block);
  }
  if (declared !== null && reader.size !== declared)
    throw badRequest(`Size mismatch: expected ${declared} bytes, got ${reader.size} bytes`);
  await sink.close();
  return { digests: await reader.digests(), head };
}

/**
 * Drops everything stored under `key`: aborts the given multipart uploads, then deletes the object. An abort
 * that fails is logged, not thrown: this is cleanup, and an upload that is already gone is fine.
 */
export async function dropBlob(
  blobs: BlobStore,
  key: string,
  uploadIds: readonly (string | null | undefined)[] = [],
): Promise<void> {
  for (const uploadId of new Set(uploadIds)) {
    if (uploadId) await blobs.abortMultipart(key, uploadId).catch((e) => logFailure("multipart abort", key, e));
  }
  await blobs.delete(key);
}
