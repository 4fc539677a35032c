// Where pump() writes: one streamed put for a known size, equal multipart parts otherwise, or one staged part.
import type { BlobPart, BlobStore, BlobWriter } from "../ports";
import { imageTooLarge } from "./errors";

/** R2 allows at most this many parts in one multipart upload. */
export const MAX_PARTS = 10_000;
/** R2's minimum size for every part but the last. */
export const MIN_PART = 5 * 1024 * 1024;
/** Block size of the streamed paths: big enough that per-block overhead does not matter. */
const STREAM_BLOCK = 1024 * 1024;

/** A writer plus what pump() must know about it. */
export interface BlobSink<T = void> extends BlobWriter<T> {
  /** Size of the blocks to write (every block but the last must be exactly this big). */
  blockSize: number;
  /** Multipart upload id, or null for a single put. */
  uploadId: string | null;
}

export interface SinkSettings {
  partSize: number;
  singlePutMax: number;
}

/** One streamed put of exactly `length` bytes (R2 needs the length up front). */
export function singlePutSink(blobs: BlobStore, key: string, length: number): BlobSink {
  return { ...blobs.putKnownLength(key, length), blockSize: STREAM_BLOCK, uploadId: null };
}

/**
 * Equal-sized parts of an existing multipart upload (R2: all but the last the same size, >= 5 MiB). Each
 * block is one whole part: with the total unknown, only a full block shows whether more is to come.
 */
export function multipartSink(blobs: BlobStore, key: string, uploadId: string, partSize: number): BlobSink {
  const parts: BlobPart[] = [];
  const putPart = async (block: Uint8Array) => {
    const w = blobs.partWriter(key, uploadId, parts.length + 1, block.byteLength);
    try {
      await w.write(block);
      parts.push(await w.close());
    } catch (err) {
      await w.abort();
      throw err;
    }
  };
  return {
    blockSize: partSize,
    uploadId,
    write: async (block) => {
      if (parts.length === MAX_PARTS) throw imageTooLarge();
      await putPart(block);
    },
    close: async () => {
      // An empty body still needs one (empty) part to complete.
      if (parts.length === 0) await putPart(new Uint8Array(0));
      await blobs.completeMultipart(key, uploadId, parts);
    },
    abort: async () => {
      await blobs.abortMultipart(key, uploadId).catch(() => {});
    },
  };
}

/** One part of exactly `length` bytes, streamed block by block (a chunk of a resumable stage). */
export function partSink(
  blobs: BlobStore,
  key: string,
  uploadId: string,
  partNumber: number,
  length: number,
): BlobSink<BlobPart> {
  const blockSize = Math.max(1, Math.min(STREAM_BLOCK, length));
  return { ...blobs.partWriter(key, uploadId, partNumber, length), blockSize, uploadId };
}

/** Reads that need no copy (the rest of a chunked stage hashed at import): blocks go through the taps only. */
export function discardSink(): BlobSink {
  return {
    blockSize: STREAM_BLOCK,
    uploadId: null,
    write: async () => {},
    close: async () => {},
    abort: async () => {},
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
