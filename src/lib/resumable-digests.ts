// Resumable MD5 + SHA-512 of an upload in WebAssembly (wasm/md5-sha512.c): state saved as 96-223 bytes.

import { crc32, HashStateError, type ImageDigests } from "./hash-state";
import { toHex } from "./hex";
import { isLegacyDigestState, parseLegacyDigestState, type RawDigestState } from "./legacy-digest-state";
import wasmModule from "./wasm/md5-sha512.wasm";

export { HashStateError, type ImageDigests };

// Why WebAssembly: crypto.subtle / DigestStream are native but their state cannot leave the request, and a
// chunked upload spans many requests; the pure-JS hasher (resumable-hash.ts) runs at a quarter of this speed.
// Hashes are for integrity and identity of image data (Glance `checksum`, `os_hash_value`), not secrecy, so
// constant-time behaviour is irrelevant here.

interface Exports {
  memory: WebAssembly.Memory;
  state_ptr(): number;
  input_ptr(): number;
  output_ptr(): number;
  input_size(): number;
  init(): void;
  update(length: number): void;
  digest(): void;
}

// state_t in md5-sha512.c: u64 length, u32 md5[4], u64 sha512[8], u8 pending[128], all little-endian.
const CORE_BYTES = 8 + 16 + 64;
const PENDING_AT = CORE_BYTES;

// Saved state, version 1: "GWD" 0x01 | length, md5, sha512 as state_t lays them out (88 bytes) |
// the length % 128 pending bytes | CRC-32 (little-endian) of everything before it.
const MAGIC = [0x47, 0x57, 0x44] as const;
const VERSION = 1;
const HEADER_BYTES = 4;
const MIN_STATE_BYTES = HEADER_BYTES + CORE_BYTES + 4;
/** The largest saved state in bytes (127 pending bytes); its base64 text form is at most 300 characters. */
export const MAX_DIGEST_STATE_BYTES = MIN_STATE_BYTES + 127;

export class ResumableDigests {
  readonly #exports: Exports;
  readonly #memory: Uint8Array;
  readonly #view: DataView;
  readonly #state: number;
  readonly #input: number;
  readonly #inputSize: number;
  #length = 0;

  // One small instance (128 KiB of memory) per hasher: nothing is shared between uploads or requests.
  private constructor() {
    const exports = new WebAssembly.Instance(wasmModule).exports as unknown as Exports;
    this.#exports = exports;
    // The module never grows its memory, so views of it stay valid for the hasher's life.
    this.#memory = new Uint8Array(exports.memory.buffer);
    this.#view = new DataView(exports.memory.buffer);
    this.#state = exports.state_ptr();
    this.#input = exports.input_ptr();
    this.#inputSize = exports.input_size();
    exports.init();
  }

  static create(): ResumableDigests {
    return new ResumableDigests();
  }

  /**
   * Rebuilds a hasher from saveState() text or saveStateBytes() bytes (as a Uint8Array or ArrayBuffer), or
   * from a state of the former pure-JS hasher; throws HashStateError for anything else, never a hasher that
   * would give a wrong digest.
   */
  static restore(state: string | Uint8Array | ArrayBuffer): ResumableDigests {
    if (typeof state === "string") {
      if (isLegacyDigestState(state)) return new ResumableDigests().#load(parseLegacyDigestState(state));
      return new ResumableDigests().#load(parseState(decodeBase64(state)));
    }
    // D1 hands a BLOB column back as an ArrayBuffer.
    if (state instanceof ArrayBuffer) return new ResumableDigests().#load(parseState(new Uint8Array(state)));
    if (state instanceof Uint8Array) return new ResumableDigests().#load(parseState(state));
    throw new HashStateError("digests state must be a string or bytes");
  }

  /** Number of bytes hashed so far (the upload offset a resumed request must continue from). */
  get length(): number {
    return this.#length;
  }

  update(data: Uint8Array): this {
    const total = this.#length + data.length;
    // 2^53 bytes (8 PiB) is far beyond any image, but never wrap silently.
    if (!Number.isSafeInteger(total)) throw new RangeError("hash input length exceeds 2^53 bytes");
    const { update } = this.#exports;
    for (let pos = 0; pos < data.length; pos += this.#inputSize) {
      const piece = data.subarray(pos, pos + this.#inputSize);
      this.#memory.set(piece, this.#input);
      update(piece.length);
    }
    this.#length = total;
    return this;
  }

  /** Both digests of everything hashed so far. Does not finalise: more data may still be added after it. */
  digest(): { md5: Uint8Array; sha512: Uint8Array } {
    this.#exports.digest();
    const out = this.#exports.output_ptr();
    return { md5: this.#memory.slice(out, out + 16), sha512: this.#memory.slice(out + 16, out + 80) };
  }

  digestHex(): ImageDigests {
    const { md5, sha512 } = this.digest();
    return { md5: toHex(md5), sha512: toHex(sha512) };
  }

  /** The state as bytes (96-223 of them), for a BLOB column. */
  saveStateBytes(): Uint8Array {
    const pending = this.#length % 128;
    const out = new Uint8Array(MIN_STATE_BYTES + pending);
    out.set(MAGIC);
    out[3] = VERSION;
    out.set(this.#memory.subarray(this.#state, this.#state + CORE_BYTES + pending), HEADER_BYTES);
    const crcAt = out.length - 4;
    new DataView(out.buffer).setUint32(crcAt, crc32(out.subarray(0, crcAt)), true);
    return out;
  }

  /** The state as base64 text (128-300 characters), for a TEXT column. */
  saveState(): string {
    return encodeBase64(this.saveStateBytes());
  }

  #load(raw: RawDigestState): this {
    const view = this.#view;
    const at = this.#state;
    view.setBigUint64(at, BigInt(raw.length), true);
    for (let i = 0; i < 4; i++) view.setUint32(at + 8 + 4 * i, raw.md5[i]!, true);
    for (let i = 0; i < 8; i++) {
      view.setUint32(at + 24 + 8 * i, raw.sha512[2 * i + 1]!, true);
      view.setUint32(at + 24 + 8 * i + 4, raw.sha512[2 * i]!, true);
    }
    this.#memory.fill(0, at + PENDING_AT, at + PENDING_AT + 128);
    this.#memory.set(raw.pending, at + PENDING_AT);
    this.#length = raw.length;
    return this;
  }
}

/** Checks a saved state (magic, version, CRC, length vs. pending bytes) and reads its fields. */
function parseState(bytes: Uint8Array): RawDigestState {
  if (bytes.length < HEADER_BYTES || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new HashStateError("not a ResumableDigests state");
  }
  if (bytes[3] !== VERSION) throw new HashStateError(`unsupported digests state version ${bytes[3]}`);
  if (bytes.length < MIN_STATE_BYTES || bytes.length > MAX_DIGEST_STATE_BYTES) {
    throw new HashStateError(`digests state has an impossible size (${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const crcAt = bytes.length - 4;
  if (view.getUint32(crcAt, true) !== crc32(bytes.subarray(0, crcAt))) {
    throw new HashStateError("digests state is corrupt (checksum mismatch)");
  }
  const length = view.getBigUint64(HEADER_BYTES, true);
  if (length > BigInt(Number.MAX_SAFE_INTEGER)) throw new HashStateError("digests state has an invalid length");
  const pending = bytes.subarray(HEADER_BYTES + CORE_BYTES, crcAt);
  if (pending.length !== Number(length % 128n)) {
    throw new HashStateError("digests state's pending bytes do not match its length");
  }
  const md5 = new Uint32Array(4);
  for (let i = 0; i < 4; i++) md5[i] = view.getUint32(HEADER_BYTES + 8 + 4 * i, true);
  const sha512 = new Uint32Array(16);
  for (let i = 0; i < 8; i++) {
    sha512[2 * i] = view.getUint32(HEADER_BYTES + 24 + 8 * i + 4, true);
    sha512[2 * i + 1] = view.getUint32(HEADER_BYTES + 24 + 8 * i, true);
  }
  return { length: Number(length), md5, sha512, pending };
}

function encodeBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function decodeBase64(text: string): Uint8Array {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new HashStateError("not a ResumableDigests state (not base64)");
  }
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
