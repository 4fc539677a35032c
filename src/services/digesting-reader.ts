// DigestingReader: reads a body in large blocks while computing its size, MD5 and SHA-512 in the same pass.
import { toHex } from "../lib/resumable-hash";
import { BlockReader } from "./block-reader";

export interface Digests {
  size: number;
  /** Lowercase hex, as Glance stores `checksum`. */
  md5: string;
  /** Lowercase hex, as Glance stores `os_hash_value` for `os_hash_algo` sha512. */
  sha512: string;
}

/**
 * Per-chunk overhead dominates hashing with small chunks (request bodies arrive in ~4 KiB pieces), so blocks
 * come from BlockReader (workerd's BYOB readAtLeast) and each whole block feeds workerd's DigestStreams.
 */
export class DigestingReader {
  private readonly blocks: BlockReader;
  private readonly md5 = new crypto.DigestStream("MD5");
  private readonly sha512 = new crypto.DigestStream("SHA-512");
  private readonly md5w = this.md5.getWriter();
  private readonly sha512w = this.sha512.getWriter();

  constructor(body: ReadableStream<Uint8Array> | null) {
    // cancel() aborts the digests, which rejects these; that outcome is expected and nobody waits for it.
    this.md5.digest.catch(() => {});
    this.sha512.digest.catch(() => {});
    this.blocks = new BlockReader(body);
  }

  /** Bytes read so far. */
  get size(): number {
    return this.blocks.size;
  }

  /** The next block: exactly `max` bytes unless the body ends first; null once the body has ended. */
  async read(max: number): Promise<Uint8Array | null> {
    const block = await this.blocks.read(max);
    if (block) await Promise.all([this.md5w.write(block), this.sha512w.write(block)]);
    return block;
  }

  /** Size and hex digests of everything read; call once, after read() returned null. */
  async digests(): Promise<Digests> {
    await Promise.all([this.md5w.close(), this.sha512w.close()]);
    const [md5, sha512] = await Promise.all([this.md5.digest, this.sha512.digest]);
    return { size: this.size, md5: toHex(new Uint8Array(md5)), sha512: toHex(new Uint8Array(sha512)) };
  }

  /** Stops reading the body (the client gets no more reads) and drops the digests. */
  async cancel(): Promise<void> {
    await Promise.allSettled([this.blocks.cancel(), this.md5w.abort(), this.sha512w.abort()]);
  }
}
