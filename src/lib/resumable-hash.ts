// Incremental MD5 (RFC 1321) and SHA-512 (FIPS 180-4) whose state survives between requests as a short string.

/** A saved state string that is malformed, corrupted, from another algorithm or from another version. */
export class HashStateError extends Error {
  override readonly name = "HashStateError";
}

const STATE_VERSION = "1";
const TWO_POW_32 = 4294967296;

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
    const [algId, version, lengthText, words, pendingHex, crc] = parts as [string, string, string, string, string, string];
    if (algId !== id) throw new HashStateError(`hash state is for '${algId.slice(0, 20)}', not '${id}'`);
    if (version !== STATE_VERSION) throw new HashStateError(`unsupported ${id} state version '${version.slice(0, 20)}'`);
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

// ---------------------------------------------------------------------------------------------------
// MD5 (RFC 1321)
// ---------------------------------------------------------------------------------------------------

// One compression per 64-byte block, fully unrolled with the 16 little-endian message words in locals.
// Written out by hand rather than with step helpers: V8 stops inlining after a budget of ~1 KB of bytecode,
// so 64 helper calls would mostly stay real calls and run several times slower. T[i] = floor(|sin(i)| * 2^32)
// (RFC 1321 §3.4) is written `(0x… | 0)` so the additions stay in int32 instead of falling back to doubles.
function md5Blocks(h: Int32Array, m: Uint8Array, pos: number, end: number): number {
  let h0 = h[0]!, h1 = h[1]!, h2 = h[2]!, h3 = h[3]!;
  while (end - pos >= 64) {
    const x0 = m[pos]! | (m[pos + 1]! << 8) | (m[pos + 2]! << 16) | (m[pos + 3]! << 24);
    const x1 = m[pos + 4]! | (m[pos + 5]! << 8) | (m[pos + 6]! << 16) | (m[pos + 7]! << 24);
    const x2 = m[pos + 8]! | (m[pos + 9]! << 8) | (m[pos + 10]! << 16) | (m[pos + 11]! << 24);
    const x3 = m[pos + 12]! | (m[pos + 13]! << 8) | (m[pos + 14]! << 16) | (m[pos + 15]! << 24);
    const x4 = m[pos + 16]! | (m[pos + 17]! << 8) | (m[pos + 18]! << 16) | (m[pos + 19]! << 24);
    const x5 = m[pos + 20]! | (m[pos + 21]! << 8) | (m[pos + 22]! << 16) | (m[pos + 23]! << 24);
    const x6 = m[pos + 24]! | (m[pos + 25]! << 8) | (m[pos + 26]! << 16) | (m[pos + 27]! << 24);
    const x7 = m[pos + 28]! | (m[pos + 29]! << 8) | (m[pos + 30]! << 16) | (m[pos + 31]! << 24);
    const x8 = m[pos + 32]! | (m[pos + 33]! << 8) | (m[pos + 34]! << 16) | (m[pos + 35]! << 24);
    const x9 = m[pos + 36]! | (m[pos + 37]! << 8) | (m[pos + 38]! << 16) | (m[pos + 39]! << 24);
    const x10 = m[pos + 40]! | (m[pos + 41]! << 8) | (m[pos + 42]! << 16) | (m[pos + 43]! << 24);
    const x11 = m[pos + 44]! | (m[pos + 45]! << 8) | (m[pos + 46]! << 16) | (m[pos + 47]! << 24);
    const x12 = m[pos + 48]! | (m[pos + 49]! << 8) | (m[pos + 50]! << 16) | (m[pos + 51]! << 24);
    const x13 = m[pos + 52]! | (m[pos + 53]! << 8) | (m[pos + 54]! << 16) | (m[pos + 55]! << 24);
    const x14 = m[pos + 56]! | (m[pos + 57]! << 8) | (m[pos + 58]! << 16) | (m[pos + 59]! << 24);
    const x15 = m[pos + 60]! | (m[pos + 61]! << 8) | (m[pos + 62]! << 16) | (m[pos + 63]! << 24);
    let a = h0, b = h1, c = h2, d = h3;
    // Round 1: F
    a = (a + ((b & c) | (~b & d)) + x0 + (0xd76aa478 | 0)) | 0;
    a = (((a << 7) | (a >>> 25)) + b) | 0;
    d = (d + ((a & b) | (~a & c)) + x1 + (0xe8c7b756 | 0)) | 0;
    d = (((d << 12) | (d >>> 20)) + a) | 0;
    c = (c + ((d & a) | (~d & b)) + x2 + (0x242070db | 0)) | 0;
    c = (((c << 17) | (c >>> 15)) + d) | 0;
    b = (b + ((c & d) | (~c & a)) + x3 + (0xc1bdceee | 0)) | 0;
    b = (((b << 22) | (b >>> 10)) + c) | 0;
    a = (a + ((b & c) | (~b & d)) + x4 + (0xf57c0faf | 0)) | 0;
    a = (((a << 7) | (a >>> 25)) + b) | 0;
    d = (d + ((a & b) | (~a & c)) + x5 + (0x4787c62a | 0)) | 0;
    d = (((d << 12) | (d >>> 20)) + a) | 0;
    c = (c + ((d & a) | (~d & b)) + x6 + (0xa8304613 | 0)) | 0;
    c = (((c << 17) | (c >>> 15)) + d) | 0;
    b = (b + ((c & d) | (~c & a)) + x7 + (0xfd469501 | 0)) | 0;
    b = (((b << 22) | (b >>> 10)) + c) | 0;
    a = (a + ((b & c) | (~b & d)) + x8 + (0x698098d8 | 0)) | 0;
    a = (((a << 7) | (a >>> 25)) + b) | 0;
    d = (d + ((a & b) | (~a & c)) + x9 + (0x8b44f7af | 0)) | 0;
    d = (((d << 12) | (d >>> 20)) + a) | 0;
    c = (c + ((d & a) | (~d & b)) + x10 + (0xffff5bb1 | 0)) | 0;
    c = (((c << 17) | (c >>> 15)) + d) | 0;
    b = (b + ((c & d) | (~c & a)) + x11 + (0x895cd7be | 0)) | 0;
    b = (((b << 22) | (b >>> 10)) + c) | 0;
    a = (a + ((b & c) | (~b & d)) + x12 + (0x6b901122 | 0)) | 0;
    a = (((a << 7) | (a >>> 25)) + b) | 0;
    d = (d + ((a & b) | (~a & c)) + x13 + (0xfd987193 | 0)) | 0;
    d = (((d << 12) | (d >>> 20)) + a) | 0;
    c = (c + ((d & a) | (~d & b)) + x14 + (0xa679438e | 0)) | 0;
    c = (((c << 17) | (c >>> 15)) + d) | 0;
    b = (b + ((c & d) | (~c & a)) + x15 + (0x49b40821 | 0)) | 0;
    b = (((b << 22) | (b >>> 10)) + c) | 0;
    // Round 2: G
    a = (a + ((b & d) | (c & ~d)) + x1 + (0xf61e2562 | 0)) | 0;
    a = (((a << 5) | (a >>> 27)) + b) | 0;
    d = (d + ((a & c) | (b & ~c)) + x6 + (0xc040b340 | 0)) | 0;
    d = (((d << 9) | (d >>> 23)) + a) | 0;
    c = (c + ((d & b) | (a & ~b)) + x11 + (0x265e5a51 | 0)) | 0;
    c = (((c << 14) | (c >>> 18)) + d) | 0;
    b = (b + ((c & a) | (d & ~a)) + x0 + (0xe9b6c7aa | 0)) | 0;
    b = (((b << 20) | (b >>> 12)) + c) | 0;
    a = (a + ((b & d) | (c & ~d)) + x5 + (0xd62f105d | 0)) | 0;
    a = (((a << 5) | (a >>> 27)) + b) | 0;
    d = (d + ((a & c) | (b & ~c)) + x10 + (0x02441453 | 0)) | 0;
    d = (((d << 9) | (d >>> 23)) + a) | 0;
    c = (c + ((d & b) | (a & ~b)) + x15 + (0xd8a1e681 | 0)) | 0;
    c = (((c << 14) | (c >>> 18)) + d) | 0;
    b = (b + ((c & a) | (d & ~a)) + x4 + (0xe7d3fbc8 | 0)) | 0;
    b = (((b << 20) | (b >>> 12)) + c) | 0;
    a = (a + ((b & d) | (c & ~d)) + x9 + (0x21e1cde6 | 0)) | 0;
    a = (((a << 5) | (a >>> 27)) + b) | 0;
    d = (d + ((a & c) | (b & ~c)) + x14 + (0xc33707d6 | 0)) | 0;
    d = (((d << 9) | (d >>> 23)) + a) | 0;
    c = (c + ((d & b) | (a & ~b)) + x3 + (0xf4d50d87 | 0)) | 0;
    c = (((c << 14) | (c >>> 18)) + d) | 0;
    b = (b + ((c & a) | (d & ~a)) + x8 + (0x455a14ed | 0)) | 0;
    b = (((b << 20) | (b >>> 12)) + c) | 0;
    a = (a + ((b & d) | (c & ~d)) + x13 + (0xa9e3e905 | 0)) | 0;
    a = (((a << 5) | (a >>> 27)) + b) | 0;
    d = (d + ((a & c) | (b & ~c)) + x2 + (0xfcefa3f8 | 0)) | 0;
    d = (((d << 9) | (d >>> 23)) + a) | 0;
    c = (c + ((d & b) | (a & ~b)) + x7 + (0x676f02d9 | 0)) | 0;
    c = (((c << 14) | (c >>> 18)) + d) | 0;
    b = (b + ((c & a) | (d & ~a)) + x12 + (0x8d2a4c8a | 0)) | 0;
    b = (((b << 20) | (b >>> 12)) + c) | 0;
    // Round 3: H
    a = (a + (b ^ c ^ d) + x5 + (0xfffa3942 | 0)) | 0;
    a = (((a << 4) | (a >>> 28)) + b) | 0;
    d = (d + (a ^ b ^ c) + x8 + (0x8771f681 | 0)) | 0;
    d = (((d << 11) | (d >>> 21)) + a) | 0;
    c = (c + (d ^ a ^ b) + x11 + (0x6d9d6122 | 0)) | 0;
    c = (((c << 16) | (c >>> 16)) + d) | 0;
    b = (b + (c ^ d ^ a) + x14 + (0xfde5380c | 0)) | 0;
    b = (((b << 23) | (b >>> 9)) + c) | 0;
    a = (a + (b ^ c ^ d) + x1 + (0xa4beea44 | 0)) | 0;
    a = (((a << 4) | (a >>> 28)) + b) | 0;
    d = (d + (a ^ b ^ c) + x4 + (0x4bdecfa9 | 0)) | 0;
    d = (((d << 11) | (d >>> 21)) + a) | 0;
    c = (c + (d ^ a ^ b) + x7 + (0xf6bb4b60 | 0)) | 0;
    c = (((c << 16) | (c >>> 16)) + d) | 0;
    b = (b + (c ^ d ^ a) + x10 + (0xbebfbc70 | 0)) | 0;
    b = (((b << 23) | (b >>> 9)) + c) | 0;
    a = (a + (b ^ c ^ d) + x13 + (0x289b7ec6 | 0)) | 0;
    a = (((a << 4) | (a >>> 28)) + b) | 0;
    d = (d + (a ^ b ^ c) + x0 + (0xeaa127fa | 0)) | 0;
    d = (((d << 11) | (d >>> 21)) + a) | 0;
    c = (c + (d ^ a ^ b) + x3 + (0xd4ef3085 | 0)) | 0;
    c = (((c << 16) | (c >>> 16)) + d) | 0;
    b = (b + (c ^ d ^ a) + x6 + (0x04881d05 | 0)) | 0;
    b = (((b << 23) | (b >>> 9)) + c) | 0;
    a = (a + (b ^ c ^ d) + x9 + (0xd9d4d039 | 0)) | 0;
    a = (((a << 4) | (a >>> 28)) + b) | 0;
    d = (d + (a ^ b ^ c) + x12 + (0xe6db99e5 | 0)) | 0;
    d = (((d << 11) | (d >>> 21)) + a) | 0;
    c = (c + (d ^ a ^ b) + x15 + (0x1fa27cf8 | 0)) | 0;
    c = (((c << 16) | (c >>> 16)) + d) | 0;
    b = (b + (c ^ d ^ a) + x2 + (0xc4ac5665 | 0)) | 0;
    b = (((b << 23) | (b >>> 9)) + c) | 0;
    // Round 4: I
    a = (a + (c ^ (b | ~d)) + x0 + (0xf4292244 | 0)) | 0;
    a = (((a << 6) | (a >>> 26)) + b) | 0;
    d = (d + (b ^ (a | ~c)) + x7 + (0x432aff97 | 0)) | 0;
    d = (((d << 10) | (d >>> 22)) + a) | 0;
    c = (c + (a ^ (d | ~b)) + x14 + (0xab9423a7 | 0)) | 0;
    c = (((c << 15) | (c >>> 17)) + d) | 0;
    b = (b + (d ^ (c | ~a)) + x5 + (0xfc93a039 | 0)) | 0;
    b = (((b << 21) | (b >>> 11)) + c) | 0;
    a = (a + (c ^ (b | ~d)) + x12 + (0x655b59c3 | 0)) | 0;
    a = (((a << 6) | (a >>> 26)) + b) | 0;
    d = (d + (b ^ (a | ~c)) + x3 + (0x8f0ccc92 | 0)) | 0;
    d = (((d << 10) | (d >>> 22)) + a) | 0;
    c = (c + (a ^ (d | ~b)) + x10 + (0xffeff47d | 0)) | 0;
    c = (((c << 15) | (c >>> 17)) + d) | 0;
    b = (b + (d ^ (c | ~a)) + x1 + (0x85845dd1 | 0)) | 0;
    b = (((b << 21) | (b >>> 11)) + c) | 0;
    a = (a + (c ^ (b | ~d)) + x8 + (0x6fa87e4f | 0)) | 0;
    a = (((a << 6) | (a >>> 26)) + b) | 0;
    d = (d + (b ^ (a | ~c)) + x15 + (0xfe2ce6e0 | 0)) | 0;
    d = (((d << 10) | (d >>> 22)) + a) | 0;
    c = (c + (a ^ (d | ~b)) + x6 + (0xa3014314 | 0)) | 0;
    c = (((c << 15) | (c >>> 17)) + d) | 0;
    b = (b + (d ^ (c | ~a)) + x13 + (0x4e0811a1 | 0)) | 0;
    b = (((b << 21) | (b >>> 11)) + c) | 0;
    a = (a + (c ^ (b | ~d)) + x4 + (0xf7537e82 | 0)) | 0;
    a = (((a << 6) | (a >>> 26)) + b) | 0;
    d = (d + (b ^ (a | ~c)) + x11 + (0xbd3af235 | 0)) | 0;
    d = (((d << 10) | (d >>> 22)) + a) | 0;
    c = (c + (a ^ (d | ~b)) + x2 + (0x2ad7d2bb | 0)) | 0;
    c = (((c << 15) | (c >>> 17)) + d) | 0;
    b = (b + (d ^ (c | ~a)) + x9 + (0xeb86d391 | 0)) | 0;
    b = (((b << 21) | (b >>> 11)) + c) | 0;

    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    pos += 64;
  }
  h[0] = h0;
  h[1] = h1;
  h[2] = h2;
  h[3] = h3;
  return pos;
}

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

// ---------------------------------------------------------------------------------------------------
// SHA-512 (FIPS 180-4 §6.4). Every 64-bit word is a (hi, lo) pair of int32: BigInt or float maths in the
// round loop would be an order of magnitude slower.
// ---------------------------------------------------------------------------------------------------

// K[t] (§4.2.3): first 64 bits of the fractional parts of the cube roots of the first 80 primes, as hi, lo.
const K512 = Int32Array.from([
  0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd,
  0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc,
  0x3956c25b, 0xf348b538, 0x59f111f1, 0xb605d019,
  0x923f82a4, 0xaf194f9b, 0xab1c5ed5, 0xda6d8118,
  0xd807aa98, 0xa3030242, 0x12835b01, 0x45706fbe,
  0x243185be, 0x4ee4b28c, 0x550c7dc3, 0xd5ffb4e2,
  0x72be5d74, 0xf27b896f, 0x80deb1fe, 0x3b1696b1,
  0x9bdc06a7, 0x25c71235, 0xc19bf174, 0xcf692694,
  0xe49b69c1, 0x9ef14ad2, 0xefbe4786, 0x384f25e3,
  0x0fc19dc6, 0x8b8cd5b5, 0x240ca1cc, 0x77ac9c65,
  0x2de92c6f, 0x592b0275, 0x4a7484aa, 0x6ea6e483,
  0x5cb0a9dc, 0xbd41fbd4, 0x76f988da, 0x831153b5,
  0x983e5152, 0xee66dfab, 0xa831c66d, 0x2db43210,
  0xb00327c8, 0x98fb213f, 0xbf597fc7, 0xbeef0ee4,
  0xc6e00bf3, 0x3da88fc2, 0xd5a79147, 0x930aa725,
  0x06ca6351, 0xe003826f, 0x14292967, 0x0a0e6e70,
  0x27b70a85, 0x46d22ffc, 0x2e1b2138, 0x5c26c926,
  0x4d2c6dfc, 0x5ac42aed, 0x53380d13, 0x9d95b3df,
  0x650a7354, 0x8baf63de, 0x766a0abb, 0x3c77b2a8,
  0x81c2c92e, 0x47edaee6, 0x92722c85, 0x1482353b,
  0xa2bfe8a1, 0x4cf10364, 0xa81a664b, 0xbc423001,
  0xc24b8b70, 0xd0f89791, 0xc76c51a3, 0x0654be30,
  0xd192e819, 0xd6ef5218, 0xd6990624, 0x5565a910,
  0xf40e3585, 0x5771202a, 0x106aa070, 0x32bbd1b8,
  0x19a4c116, 0xb8d2d0c8, 0x1e376c08, 0x5141ab53,
  0x2748774c, 0xdf8eeb99, 0x34b0bcb5, 0xe19b48a8,
  0x391c0cb3, 0xc5c95a63, 0x4ed8aa4a, 0xe3418acb,
  0x5b9cca4f, 0x7763e373, 0x682e6ff3, 0xd6b2b8a3,
  0x748f82ee, 0x5defb2fc, 0x78a5636f, 0x43172f60,
  0x84c87814, 0xa1f0ab72, 0x8cc70208, 0x1a6439ec,
  0x90befffa, 0x23631e28, 0xa4506ceb, 0xde82bde9,
  0xbef9a3f7, 0xb2c67915, 0xc67178f2, 0xe372532b,
  0xca273ece, 0xea26619c, 0xd186b8c7, 0x21c0c207,
  0xeada7dd6, 0xcde0eb1e, 0xf57d4f7f, 0xee6ed178,
  0x06f067aa, 0x72176fba, 0x0a637dc5, 0xa2c898a6,
  0x113f9804, 0xbef90dae, 0x1b710b35, 0x131c471b,
  0x28db77f5, 0x23047d84, 0x32caab7b, 0x40c72493,
  0x3c9ebe0a, 0x15c9bebc, 0x431d67c4, 0x9c100d4c,
  0x4cc5d4be, 0xcb3e42b6, 0x597f299c, 0xfc657e2a,
  0x5fcb6fab, 0x3ad6faec, 0x6c44198c, 0x4a475817,
]);

// Message schedule scratch shared by all hashers: JavaScript in an isolate is single-threaded and
// sha512Blocks never awaits, so calls cannot interleave, and no allocation is needed per block.
const W_HI = new Int32Array(80);
const W_LO = new Int32Array(80);

function be32(m: Uint8Array, p: number): number {
  return (m[p]! << 24) | (m[p + 1]! << 16) | (m[p + 2]! << 8) | m[p + 3]!;
}

// 64-bit additions: the low halves are summed as unsigned doubles (exact below 2^53), and the carry
// (sum / 2^32, at most 4 here) goes into the high half; `| 0` then wraps both to 32 bits.
function sha512Blocks(h: Int32Array, m: Uint8Array, pos: number, end: number): number {
  const wh = W_HI, wl = W_LO, k = K512;
  let h0h = h[0]!, h0l = h[1]!, h1h = h[2]!, h1l = h[3]!, h2h = h[4]!, h2l = h[5]!, h3h = h[6]!, h3l = h[7]!;
  let h4h = h[8]!, h4l = h[9]!, h5h = h[10]!, h5l = h[11]!, h6h = h[12]!, h6l = h[13]!, h7h = h[14]!, h7l = h[15]!;
  while (end - pos >= 128) {
    for (let t = 0; t < 16; t++) {
      wh[t] = be32(m, pos + t * 8);
      wl[t] = be32(m, pos + t * 8 + 4);
    }
    for (let t = 16; t < 80; t++) {
      // W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]
      let xh = wh[t - 2]!, xl = wl[t - 2]!;
      // σ1 = ROTR19 ^ ROTR61 ^ SHR6  (ROTR by n ≥ 32 swaps the halves and rotates by n - 32)
      const s1h = ((xh >>> 19) | (xl << 13)) ^ ((xl >>> 29) | (xh << 3)) ^ (xh >>> 6);
      const s1l = ((xl >>> 19) | (xh << 13)) ^ ((xh >>> 29) | (xl << 3)) ^ ((xl >>> 6) | (xh << 26));
      xh = wh[t - 15]!;
      xl = wl[t - 15]!;
      // σ0 = ROTR1 ^ ROTR8 ^ SHR7
      const s0h = ((xh >>> 1) | (xl << 31)) ^ ((xh >>> 8) | (xl << 24)) ^ (xh >>> 7);
      const s0l = ((xl >>> 1) | (xh << 31)) ^ ((xl >>> 8) | (xh << 24)) ^ ((xl >>> 7) | (xh << 25));
      const lo = (s1l >>> 0) + (wl[t - 7]! >>> 0) + (s0l >>> 0) + (wl[t - 16]! >>> 0);
      wh[t] = s1h + wh[t - 7]! + s0h + wh[t - 16]! + ((lo / TWO_POW_32) | 0);
      wl[t] = lo;
    }
    let ah = h0h, al = h0l, bh = h1h, bl = h1l, ch = h2h, cl = h2l, dh = h3h, dl = h3l;
    let eh = h4h, el = h4l, fh = h5h, fl = h5l, gh = h6h, gl = h6l, hh = h7h, hl = h7l;
    for (let t = 0; t < 80; t++) {
      // T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t];  Σ1 = ROTR14 ^ ROTR18 ^ ROTR41
      const sig1h = ((eh >>> 14) | (el << 18)) ^ ((eh >>> 18) | (el << 14)) ^ ((el >>> 9) | (eh << 23));
      const sig1l = ((el >>> 14) | (eh << 18)) ^ ((el >>> 18) | (eh << 14)) ^ ((eh >>> 9) | (el << 23));
      const chooseH = (eh & fh) ^ (~eh & gh);
      const chooseL = (el & fl) ^ (~el & gl);
      const t1lo = (hl >>> 0) + (sig1l >>> 0) + (chooseL >>> 0) + (k[t * 2 + 1]! >>> 0) + (wl[t]! >>> 0);
      const t1h = (hh + sig1h + chooseH + k[t * 2]! + wh[t]! + ((t1lo / TWO_POW_32) | 0)) | 0;
      const t1l = t1lo >>> 0;
      // T2 = Σ0(a) + Maj(a, b, c);  Σ0 = ROTR28 ^ ROTR34 ^ ROTR39
      const sig0h = ((ah >>> 28) | (al << 4)) ^ ((al >>> 2) | (ah << 30)) ^ ((al >>> 7) | (ah << 25));
      const sig0l = ((al >>> 28) | (ah << 4)) ^ ((ah >>> 2) | (al << 30)) ^ ((ah >>> 7) | (al << 25));
      const majH = (ah & bh) ^ (ah & ch) ^ (bh & ch);
      const majL = (al & bl) ^ (al & cl) ^ (bl & cl);
      hh = gh;
      hl = gl;
      gh = fh;
      gl = fl;
      fh = eh;
      fl = el;
      const elo = (dl >>> 0) + t1l;
      eh = (dh + t1h + ((elo / TWO_POW_32) | 0)) | 0;
      el = elo | 0;
      dh = ch;
      dl = cl;
      ch = bh;
      cl = bl;
      bh = ah;
      bl = al;
      const alo = t1l + (sig0l >>> 0) + (majL >>> 0);
      ah = (t1h + sig0h + majH + ((alo / TWO_POW_32) | 0)) | 0;
      al = alo | 0;
    }
    let lo: number;
    lo = (h0l >>> 0) + (al >>> 0); h0h = (h0h + ah + ((lo / TWO_POW_32) | 0)) | 0; h0l = lo | 0;
    lo = (h1l >>> 0) + (bl >>> 0); h1h = (h1h + bh + ((lo / TWO_POW_32) | 0)) | 0; h1l = lo | 0;
    lo = (h2l >>> 0) + (cl >>> 0); h2h = (h2h + ch + ((lo / TWO_POW_32) | 0)) | 0; h2l = lo | 0;
    lo = (h3l >>> 0) + (dl >>> 0); h3h = (h3h + dh + ((lo / TWO_POW_32) | 0)) | 0; h3l = lo | 0;
    lo = (h4l >>> 0) + (el >>> 0); h4h = (h4h + eh + ((lo / TWO_POW_32) | 0)) | 0; h4l = lo | 0;
    lo = (h5l >>> 0) + (fl >>> 0); h5h = (h5h + fh + ((lo / TWO_POW_32) | 0)) | 0; h5l = lo | 0;
    lo = (h6l >>> 0) + (gl >>> 0); h6h = (h6h + gh + ((lo / TWO_POW_32) | 0)) | 0; h6l = lo | 0;
    lo = (h7l >>> 0) + (hl >>> 0); h7h = (h7h + hh + ((lo / TWO_POW_32) | 0)) | 0; h7l = lo | 0;
    pos += 128;
  }
  h.set([h0h, h0l, h1h, h1l, h2h, h2l, h3h, h3l, h4h, h4l, h5h, h5l, h6h, h6l, h7h, h7l]);
  return pos;
}

const SHA512: Algorithm = {
  id: "sha512",
  blockSize: 128,
  lengthBytes: 16,
  // H(0) (§5.3.5): fractional parts of the square roots of the first 8 primes.
  init: Int32Array.from([
    0x6a09e667, 0xf3bcc908, 0xbb67ae85, 0x84caa73b, 0x3c6ef372, 0xfe94f82b, 0xa54ff53a, 0x5f1d36f1,
    0x510e527f, 0xade682d1, 0x9b05688c, 0x2b3e6c1f, 0x1f83d9ab, 0xfb41bd6b, 0x5be0cd19, 0x137e2179,
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

export interface ImageDigests {
  md5: string;
  sha512: string;
}

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

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

/** Callers have already checked that `hex` is an even-length run of [0-9a-f]. */
function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

// CRC-32 (IEEE 802.3, reflected 0xEDB88320) over the state text: detects truncation and bit rot in stored
// state; it is not meant to resist deliberate tampering (the state is server-side only).
let crcTable: Int32Array | undefined;

function crc32Hex(text: string): string {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < text.length; i++) crc = crcTable[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return ((crc ^ -1) >>> 0).toString(16).padStart(8, "0");
}
