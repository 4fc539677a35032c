// The digests Glance records for image data (checksum = MD5, os_hash_value = SHA-512), computed as a pump tap.
import { toHex } from "../../lib/hex";
import type { BlockTap } from "./pump";

export interface Digests {
  /** Lowercase hex, as Glance stores `checksum`. */
  md5: string;
  /** Lowercase hex, as Glance stores `os_hash_value` for `os_hash_algo` sha512. */
  sha512: string;
}

/**
 * workerd's native DigestStreams, fed whole blocks (per-chunk overhead dominates hashing with small chunks).
 * Their state cannot leave the request, so a chunked stage hashes with lib/resumable-digests (WebAssembly) instead.
 */
export class NativeDigests implements BlockTap {
  private readonly md5 = new crypto.DigestStream("MD5");
  private readonly sha512 = new crypto.DigestStream("SHA-512");
  private readonly md5w = this.md5.getWriter();
  private readonly sha512w = this.sha512.getWriter();

  constructor() {
    // abort() rejects these; that outcome is expected and nobody waits for it.
    this.md5.digest.catch(() => {});
    this.sha512.digest.catch(() => {});
  }

  async write(block: Uint8Array): Promise<void> {
    await Promise.all([this.md5w.write(block), this.sha512w.write(block)]);
  }

  /** Hex digests of everything written; call once, after the last block. */
  async result(): Promise<Digests> {
    await Promise.all([this.md5w.close(), this.sha512w.close()]);
    const [md5, sha512] = await Promise.all([this.md5.digest, this.sha512.digest]);
    return { md5: toHex(new Uint8Array(md5)), sha512: toHex(new Uint8Array(sha512)) };
  }

  async abort(): Promise<void> {
    await Promise.allSettled([this.md5w.abort(), this.sha512w.abort()]);
  }
}
