// BlockReader: a body in large blocks via workerd's BYOB readAtLeast (copying fallback for JS-built streams).

/**
 * Per-chunk overhead dominates with small chunks (request bodies arrive in ~4 KiB pieces), so blocks come
 * from readAtLeast; pump() hands each block to its taps (digests, format checks) and the sink. Each block is
 * a fresh buffer because R2 may still hold the previous one.
 */
export class BlockReader {
  private readonly byob: ReadableStreamBYOBReader | null = null;
  private readonly plain: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private carry: Uint8Array | null = null;
  private ended = false;
  size = 0;

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (!body) {
      this.ended = true;
      return;
    }
    try {
      this.byob = body.getReader({ mode: "byob" });
    } catch {
      // Streams built in JS (tests) are not byte streams; they get the copying path below.
      this.plain = body.getReader();
    }
  }

  /** The next block: exactly `max` bytes unless the body ends first; null once it has ended. */
  async read(max: number): Promise<Uint8Array | null> {
    if (this.ended) return null;
    const block = this.byob ? await this.readByob(max) : await this.readPlain(max);
    if (block === null || block.byteLength === 0) {
      this.ended = true;
      return null;
    }
    this.size += block.byteLength;
    return block;
  }

  private async readByob(max: number): Promise<Uint8Array | null> {
    const { value, done } = await this.byob!.readAtLeast(max, new Uint8Array(max));
    if (done) this.ended = true;
    return value && value.byteLength > 0 ? value : null;
  }

  private async readPlain(max: number): Promise<Uint8Array | null> {
    const block = new Uint8Array(max);
    let filled = 0;
    while (filled < max) {
      let chunk = this.carry;
      this.carry = null;
      if (!chunk) {
        const { value, done } = await this.plain!.read();
        if (done) {
          this.ended = true;
          break;
        }
        chunk = value;
      }
      const take = Math.min(chunk.byteLength, max - filled);
      block.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take < chunk.byteLength) this.carry = chunk.subarray(take);
    }
    return filled > 0 ? block.subarray(0, filled) : null;
  }

  async cancel(): Promise<void> {
    this.ended = true;
    await (this.byob ?? this.plain)?.cancel().catch(() => {});
  }

  /**
   * Stops reading but leaves the rest of the body to the runtime instead of cancelling it. A cancelled
   * request body makes workerd close the connection at once with bytes unread; the reset can lose the answer
   * on its way (wrangler dev's proxy), and the proxy may reuse the connection (the next request hangs). A
   * released one is drained or closed after the answer. workerd refuses to release a reader with a read in
   * flight: then the body is cancelled, which also ends that read.
   */
  async release(): Promise<void> {
    this.ended = true;
    const reader = this.byob ?? this.plain;
    try {
      reader?.releaseLock();
    } catch {
      await reader?.cancel().catch(() => {});
    }
  }
}
