// The pure-JS resumable MD5/SHA-512 the chunked stage used before the WebAssembly one: kept as a test reference (its saved states are what lib/legacy-digest-state.ts reads).
import { crc32Hex, HashStateError, type ImageDigests } from "../../src/lib/hash-state";
import { fromHex, toHex } from "../../src/lib/hex";
import { md5Blocks } from "./md5-blocks";
import { sha512Blocks } from "./sha512-blocks";

export { HashStateError, type ImageDigests };

const STATE_VERSION = "1";
const _TWO_POW_32 = 4294967296;

// ---------------------------------------------------------------------------------------------------
// Shared plumbing: buffering of partial blocks, length accounting, state (de)serialisation.
// ---------------------------------------------------------------------------------------------------

/** Processes as many whole blocks of `data[pos, end)` as fit into `h`; returns the position after them. */
type BlockFn = (h: Int32Array, data: Uint8Array, pos: number, end: number) => number;

interface Algorithm {
  readonly id: string;
  readonly blockSize: number;
  /** Size of the trailing length field in the final block, in bytes (8 for MD5, 16 for SHA-512). */
  readonly lengthBytes: number;
  readonly init: Int32Array;
  readonly blocks: BlockFn;
  /** Writes the bit length (given as two 32-bit halves) into the last bytes of the final block. */
  readonly writeLength: (block: Uint8Array, bitsHi: number, bitsLo: number) => void;
  /** State words → digest bytes (byte order is the algorithm's). */
  readonly output: (h: Int32Array) => Uint8Array;
}

// Why not crypto.subtle / DigestStream: their state cannot be exported, and a chunked upload spans many
// requests. Why not a WASM library: Workers refuse to compile WebAssembly from bytes at runtime.
// Hashes are for integrity/identity of image data (Glance `checksum`, `os_hash_value`), not secrecy,
// so constant-time behaviour is irrelevant here.
abstract class ResumableHash {
  /** Chaining state: MD5 a,b,c,d; SHA-512 H0..H7 as (hi, lo) pairs. */
  protected readonly h: Int32Array;
  /** Bytes of the current partial block; always exactly `total % blockSize` of them are meaningful. */
  protected readonly pending: Uint8Array;
  protected total = 0;

  protected constructor(protected readonly alg: Algorithm) {
    this.h = alg.init.slice();
    this.pending = new Uint8Array(alg.blockSize);
  }

  /** Number of bytes hashed so far (the upload offset a resumed request must continue from). */
  get length(): number {
    return this.total;
  }

  update(data: Uint8Array): this {
    const { blockSize, blocks } = this.alg;
    const len = data.length;
    if (len === 0) return this;
    const total = this.total + len;
    // Lengths are plain numbers; 2^53 bytes (8 PiB) is far beyond any image, but never wrap silently.
    if (!Number.isSafeInteger(total)) throw new RangeError("hash input length exceeds 2^53 bytes");
    let fill = this.total % blockSize;
    this.total = total;
    let pos = 0;
    if (fill > 0) {
      const take = Math.min(blockSize - fill, len);
      this.pending.set(take === len ? data : data.subarray(0, take), fill);
      fill += take;
      pos = take;
      if (fill < blockSize) return this;
      blocks(this.h, this.pending, 0, blockSize);
    }
    // Whole blocks are hashed straight from the caller's bytes: no copy on the hot path.
    pos = blocks(this.h, data, pos, len);
    if (pos < len) this.pending.set(data.subarray(pos), 0);
    return this;
  }

  /** The digest of everything hashed so far. Does not finalise: more data may still be added after it. */
  digest(): Uint8Array {
    const { blockSize, lengthBytes, blocks, writeLength, output } = this.alg;
    const fill = this.total % blockSize;
    // 0x80 then zeros, leaving room for the length field; that needs a second block if the first is too full.
    const blocksNeeded = fill + 1 + lengthBytes <= blockSize ? 1 : 2;
    const tail = new Uint8Array(blocksNeeded * blockSize);
    tail.set(this.pending.subarray(0, fill));
    tail[fill] = 0x80;
    // Bit length as 64 bits: split before multiplying by 8 so no precision is lost above 2^50 bytes.
    writeLength(tail, Math.floor(this.total / 0x20000000), (this.total % 0x20000000) * 8);
    const h = this.h.slice();
    blocks(h, tail, 0, tail.length);
    return output(h);
  }

  digestHex(): string {
    return toHex(this.digest());
  }

  /**
   * `<alg>:1:<length>:<state words hex>:<pending bytes hex>:<crc32>`, at most ~420 characters (SHA-512).
   * The CRC turns a damaged row into an error instead of a plausible but wrong digest.
   */
  saveState(): string {
    const fill = this.total % this.alg.blockSize;
    let words = "";
    for (let i = 0; i < this.h.length; i++) words += (this.h[i]! >>> 0).toString(16).padStart(8, "0");
    const body = `${this.alg.id}:${STATE_VERSION}:${this.total}:${words}:${toHex(this.pending.subarray(0, fill))}`;
    return `${body}:${crc32Hex(body)}`;
  }

  /** Shared by the subclasses' static `restore`: validates every field before touching `this`. */
  protected load(state: string): this {
    const { id, blockSize } = this.alg;
    if (typeof state !== "string") throw new HashStateError(`${id} state must be a string`);
    const parts = state.split(":");
    if (parts.length !== 6) throw new HashStateError(`not a ${id} hash state (expected 6 ':'-separated fields)`);
    const [algId, version, lengthText, words, pendingHex, crc] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    if (algId !== id) throw new HashStateError(`hash state is for '${algId.slice(0, 20)}', not '${id}'`);
    if (version !== STATE_VERSION)
      throw new HashStateError(`unsupported ${id} state version '${version.slice(0, 20)}'`);
    if (crc !== crc32Hex(state.slice(0, state.length - crc.length - 1))) {
      throw new HashStateError(`${id} state is corrupt (checksum mismatch)`);
    }
    if (!/^(0|[1-9][0-9]{0,15})$/.test(lengthText) || !Number.isSafeInteger(Number(lengthText))) {
      throw new HashStateError(`${id} state has an invalid length '${lengthText.slice(0, 20)}'`);
    }
    const total = Number(lengthText);
    if (words.length !== this.h.length * 8 || !/^[0-9a-f]*$/.test(words)) {
      throw new HashStateError(`${id} state has malformed state words`);
    }
    // The pending block must hold exactly the bytes after the last whole block: a cross-check on the length.
    if (pendingHex.length !== (total % blockSize) * 2 || !/^[0-9a-f]*$/.test(pendingHex)) {
      throw new HashStateError(`${id} state's pending bytes do not match its length`);
    }
    for (let i = 0; i < this.h.length; i++) this.h[i] = parseInt(words.slice(i * 8, i * 8 + 8), 16) | 0;
    this.pending.fill(0);
    this.pending.set(fromHex(pendingHex));
    this.total = total;
    return this;
  }
}

// MD5 (RFC 1321): the unrolled compression function is in md5-blocks.ts.

const MD5: Algorithm = {
  id: "md5",
  blockSize: 64,
  lengthBytes: 8,
  init: Int32Array.of(0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476),
  blocks: md5Blocks,
  writeLength(block, hi, lo) {
    const p = block.length - 8;
    for (let i = 0; i < 4; i++) {
      block[p + i] = lo >>> (8 * i);
      block[p + 4 + i] = hi >>> (8 * i);
    }
  },
  output(h) {
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = h[i >> 2]! >>> (8 * (i & 3));
    return out;
  },
};

export class ResumableMd5 extends ResumableHash {
  constructor() {
    super(MD5);
  }

  /** Rebuilds a hasher from `saveState()` output; throws HashStateError for anything else. */
  static restore(state: string): ResumableMd5 {
    return new ResumableMd5().load(state);
  }
}

// SHA-512 (FIPS 180-4): the compression function on (hi, lo) int32 pairs is in sha512-blocks.ts.

const SHA512: Algorithm = {
  id: "sha512",
  blockSize: 128,
  lengthBytes: 16,
  // H(0) (§5.3.5): fractional parts of the square roots of the first 8 primes.
  init: Int32Array.from([
    0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1, 0x510e527f,
    0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
  ]),
  blocks: sha512Blocks,
  // 128-bit big-endian bit length; the top 64 bits stay zero because lengths are below 2^53 bytes.
  writeLength(block, hi, lo) {
    const p = block.length - 8;
    for (let i = 0; i < 4; i++) {
      block[p + i] = hi >>> (24 - 8 * i);
      block[p + 4 + i] = lo >>> (24 - 8 * i);
    }
  },
  output(h) {
    const out = new Uint8Array(64);
    for (let i = 0; i < 64; i++) out[i] = h[i >> 2]! >>> (24 - 8 * (i & 3));
    return out;
  },
};

export class ResumableSha512 extends ResumableHash {
  constructor() {
    super(SHA512);
  }

  /** Rebuilds a hasher from `saveState()` output; throws HashStateError for anything else. */
  static restore(state: string): ResumableSha512 {
    return new ResumableSha512().load(state);
  }
}

// ---------------------------------------------------------------------------------------------------
// Both at once: what an image upload needs (Glance `checksum` = MD5, `os_hash_value` = SHA-512).
// ---------------------------------------------------------------------------------------------------

export class ResumableDigests {
  private constructor(
    readonly md5: ResumableMd5,
    readonly sha512: ResumableSha512,
  ) {}

  static create(): ResumableDigests {
    return new ResumableDigests(new ResumableMd5(), new ResumableSha512());
  }

  /** Parses `saveState()` output; both halves must have seen the same number of bytes. */
  static restore(state: string): ResumableDigests {
    if (typeof state !== "string") throw new HashStateError("digests state must be a string");
    const parts = state.split("|");
    if (parts.length !== 3 || parts[0] !== `digests${STATE_VERSION}`) {
      throw new HashStateError("not a ResumableDigests state");
    }
    const md5 = ResumableMd5.restore(parts[1]!);
    const sha512 = ResumableSha512.restore(parts[2]!);
    if (md5.length !== sha512.length) throw new HashStateError("digests state is inconsistent (lengths differ)");
    return new ResumableDigests(md5, sha512);
  }

  get length(): number {
    return this.md5.length;
  }

  update(data: Uint8Array): this {
    this.md5.update(data);
    this.sha512.update(data);
    return this;
  }

  digestHex(): ImageDigests {
    return { md5: this.md5.digestHex(), sha512: this.sha512.digestHex() };
  }

  /** `digests1|<md5 state>|<sha512 state>`, under 650 characters: fits a D1 TEXT column comfortably. */
  saveState(): string {
    return `digests${STATE_VERSION}|${this.md5.saveState()}|${this.sha512.saveState()}`;
  }
}
