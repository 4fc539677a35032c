// The one streaming loop: upload, stage, stage chunks and web-download all move their bytes with pump().
import { badRequest } from "../../domain/errors";
import { logFailure } from "../../lib/log-failure";
import type { QuotaMeter } from "../quota";
import { BlockReader } from "./block-reader";
import { BodyCutOff, imageTooLarge } from "./errors";
import type { BlobSink } from "./sinks";

/** Sees every block, in order, before it is stored: digests, format checks, the leading bytes. */
export interface BlockTap {
  write(block: Uint8Array): void | Promise<void>;
  /** The pump gave up; drop any state. Never throws. */
  abort?(): void | Promise<void>;
}

export interface PumpLimits {
  /** Glance's image_size_cap: 413 as soon as the stream passes it. */
  sizeCap: number;
  /** Caps the stream at what the project's quotas allowed when it started. */
  meter?: QuotaMeter;
  /** The announced size: the body must have exactly this many bytes. */
  declared: number | null;
  /** Runs before each block is stored (an upload refreshes its lease, an import its task, here). */
  beforeWrite?: () => Promise<void>;
  /**
   * A client's request body: on failure it is released, not cancelled (BlockReader.release). So is a body that
   * never reaches pump(): the runtime discards what is left after the answer and closes the connection.
   */
  requestBody?: boolean;
  /** Stops the pump at once, even in the middle of a slow read; pump throws the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Streams `body` into `sink` in the sink's block size, enforcing the limits as bytes arrive: a block that
 * crosses one is never stored. A body that cannot be read to its end is refused (BodyCutOff), never taken for
 * a shorter image. On any failure the body is cancelled, the sink and the taps aborted, and
 * the error rethrown; the caller then gives up on the image's data (services/data/give-up).
 */
export async function pump<T>(
  body: ReadableStream<Uint8Array> | null,
  sink: BlobSink<T>,
  taps: readonly BlockTap[],
  lim: PumpLimits,
): Promise<{ size: number; stored: T }> {
  const { declared } = lim;
  const reader = new BlockReader(body);
  const { signal } = lim;
  const stop = () => void reader.release();
  signal?.addEventListener("abort", stop, { once: true });
  const next = async () => {
    signal?.throwIfAborted();
    let block: Uint8Array | null;
    try {
      block = await reader.read(sink.blockSize);
    } catch (err) {
      signal?.throwIfAborted();
      // A read error is the body's end arriving broken, whatever the runtime calls it: refuse the data.
      logFailure("body read", `${reader.size} bytes in`, err);
      throw new BodyCutOff(reader.size);
    }
    // Stopped while the read was in flight: what it returned is not the body's end.
    signal?.throwIfAborted();
    return block;
  };
  try {
    for (let block = await next(); block !== null; block = await next()) {
      if (reader.size > lim.sizeCap) throw imageTooLarge();
      lim.meter?.(reader.size);
      if (declared !== null && reader.size > declared)
        throw badRequest(`Size exceeds: expected ${declared} bytes, got ${reader.size} bytes`);
      for (const tap of taps) await tap.write(block);
      await lim.beforeWrite?.();
      await sink.write(block);
    }
    if (declared !== null && reader.size !== declared)
      throw badRequest(`Size mismatch: expected ${declared} bytes, got ${reader.size} bytes`);
    return { size: reader.size, stored: await sink.close() };
  } catch (err) {
    await (lim.requestBody ? reader.release() : reader.cancel());
    await sink.abort();
    for (const tap of taps) await tap.abort?.();
    throw err;
  } finally {
    signal?.removeEventListener("abort", stop);
  }
}
