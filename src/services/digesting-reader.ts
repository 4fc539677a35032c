// DigestingReader: reads a body in large blocks while computing its size, MD5 and SHA-512 in the same pass.

export interface Digests {
  size: number;
  /** Lowercase hex, as Glance stores `checksum`. */
  md5: string;
  /** Lowercase hex, as Glance stores `os_hash_value` for `os_hash_algo` sha512. */
  sha512: string;
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");

/**
 * Per-chunk overhead dominates hashing with small chunks (request bodies arrive in ~4 KiB pieces), so blocks
 * come from workerd's BYOB readAtLeast. Each block is a fresh buffer: callers hand blocks to R2, which may
 * still hold them when the next one is read.
 */
export class DigestingReader {
  private readonly byob: ReadableStreamBYOBReader | null = null;
  private readonly plain: ReadableStreamDefaultReader<Uint8Array> | null = null;
  /** Bytes the plain reader received beyond the last block. */
  private carry: Uint8Array | null = null;
  private readonly md5 = new crypto.DigestStream("MD5");
  private readonly sha512 = new crypto.DigestStream("SHA-512");
  private readonly md5w = this.md5.getWriter();
  private readonly sha512w = this.sha512.getWriter();
  private ended = false;
  size = 0;

  constructor(body: ReadableStream<Uint8Array> | null) {
    // cancel() aborts the digests, which rejects these; that outcome is expected and nobody waits for it.
    this.md5.digest.catch(() => {});
    this.sha512.digest.catch(() => {});
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

  /** The next block: exactly `max` bytes unless the body ends first; null once the body has ended. */
  async read(max: number): Promise<Uint8Array | null> {
    if (this.ended) return null;
    const block = this.byob ? await this.readByob(max) : await this.readPlain(max);
    if (block === null || block.byteLength === 0) {
      this.ended = true;
      return null;
    }
    this.size += block.byteLength;
    await Promise.all([this.md5w.write(block), this.sha512w.write(block)]);
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

  /** Size and hex digests of everything read; call once, after read() returned null. */
  async digests(): Promise<Digests> {
    await Promise.all([this.md5w.close(), this.sha512w.close()]);
    const [md5, sha512] = await Promise.all([this.md5.digest, this.sha512.digest]);
    return { size: this.size, md5: hex(md5), sha512: hex(sha512) };
  }

  /** Stops reading the body (the client gets no more reads) and drops the digests. */
  async cancel(): Promise<void> {
    this.ended = true;
    await Promise.allSettled([
      (this.byob ?? this.plain)?.cancel(),
      this.md5w.abort(),
      this.sha512w.abort(),
    ]);
  }
}
