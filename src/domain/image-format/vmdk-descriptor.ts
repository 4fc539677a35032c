// The VMDK text descriptor: collected as it streams by (up to its first NUL, at most qemu's 1 MiB - 1) and
// checked line by line the way oslo.utils does, so no extent can name a host path.
import type { ByteTap } from "./byte-tap";

/** qemu reads at most this much descriptor text (block/vmdk.c). */
export const DESCRIPTOR_MAX = (1 << 20) - 1;
const CHUNK = 64 * 1024;
export const SAFE_TYPES = ["monolithicsparse", "streamoptimized"];
const EXTENT_ACCESS = ["rw", "rdonly", "noaccess"];

/** Python's str.isspace on ASCII (what oslo.utils' strip() and "is text" test use). */
const isSpace = (c: number) => (c >= 9 && c <= 13) || (c >= 28 && c <= 32);
const isText = (c: number) => isSpace(c) || (c >= 0x20 && c < 0x7f);

/**
 * Collects descriptor bytes up to the first NUL. With `textOnly` (a descriptor file, no binary header) the
 * first 512 bytes must be printable text and the rest ASCII, else this is not a descriptor and collection
 * stops; an embedded descriptor only records that it is not ASCII (oslo then finds no descriptor).
 */
export class DescriptorText {
  private chunks: Uint8Array[] = [];
  private length = 0;
  /** False once a byte ruled the data out as a descriptor file (textOnly) or as ASCII. */
  ascii = true;
  /** True once the descriptor's end (a NUL, the region's end, or a byte no descriptor has) was seen. */
  ended = false;

  constructor(
    private readonly tap: ByteTap,
    private readonly textOnly: boolean,
  ) {}

  /** Registers [start, start + length) on the tap; false if that region lies behind the stream. */
  collect(start: number, length: number): boolean {
    return this.tap.stream(
      start,
      length,
      (slice, at) => this.take(slice, at),
      () => {
        this.ended = true;
      },
    );
  }

  private take(slice: Uint8Array, at: number): boolean {
    let n = 0;
    // A descriptor file is text from its first byte: its first sector holds printable ASCII and spaces only.
    if (this.textOnly) {
      const head = Math.min(slice.length, Math.max(0, 512 - at));
      for (; n < head; n++) if (!isText(slice[n]!)) return this.notText();
    }
    for (; n < slice.length; n++) {
      const c = slice[n]!;
      if (c === 0) break;
      if (c >= 0x80) return this.notText();
    }
    this.append(slice.subarray(0, n));
    if (n === slice.length) return true;
    this.ended = true;
    return false;
  }

  /** Seen enough: this is no ASCII descriptor (oslo.utils then finds none). */
  private notText(): false {
    this.ascii = false;
    this.ended = true;
    return false;
  }

  private append(bytes: Uint8Array): void {
    let from = 0;
    while (from < bytes.length) {
      let last = this.chunks.at(-1);
      const used = this.length % CHUNK;
      if (!last || used === 0) {
        last = this.tap.alloc(Math.min(CHUNK, DESCRIPTOR_MAX - this.length));
        this.chunks.push(last);
      }
      const n = Math.min(bytes.length - from, last.length - used);
      last.set(bytes.subarray(from, from + n), used);
      from += n;
      this.length += n;
    }
  }

  /** The descriptor, lower-cased as oslo.utils reads it (case-insensitive ASCII); null if not ASCII text. */
  text(): string | null {
    if (!this.ascii) return null;
    // ASCII only by now, so UTF-8 decoding is byte-for-char.
    const decoder = new TextDecoder();
    let s = "";
    let left = this.length;
    for (const c of this.chunks) {
      const n = Math.min(left, c.length);
      s += decoder.decode(c.subarray(0, n));
      left -= n;
    }
    return s.toLowerCase();
  }
}

/** The createType value, or null (oslo's "formatnotfound"): missing, unterminated or implausibly long. */
export function createType(text: string): string | null {
  const key = 'createtype="';
  const from = text.indexOf(key);
  if (from < 0) return null;
  const to = text.indexOf('"', from + key.length);
  if (to < 0 || to - (from + key.length) >= 64) return null;
  return text.slice(from + key.length, to);
}

function strip(line: string): string {
  let a = 0;
  let b = line.length;
  while (a < b && isSpace(line.charCodeAt(a))) a++;
  while (b > a && isSpace(line.charCodeAt(b - 1))) b--;
  return line.slice(a, b);
}

/**
 * oslo.utils' check_descriptor: a safe createType, every line a comment, blank, ddb entry, `key=value` header
 * field or extent, extents present and none with a "/" in it. Returns the failure message, or null.
 */
export function descriptorProblem(text: string | null): string | null {
  if (!text) return "No descriptor found";
  const type = createType(text);
  if (!type || !SAFE_TYPES.includes(type)) return "Unsupported subformat";
  const extents: string[] = [];
  for (const raw of text.split("\n")) {
    const line = strip(raw);
    if (line === "" || line.startsWith("#") || line.startsWith("ddb")) continue;
    const eq = line.indexOf("=");
    if (eq >= 0 && !line.slice(0, eq).includes(" ")) continue;
    if (!EXTENT_ACCESS.includes(line.split(" ")[0]!)) return "Invalid VMDK descriptor data";
    extents.push(line);
  }
  if (extents.some((e) => e.includes("/"))) return "Invalid extent filenames found";
  return extents.length ? null : "No extents found";
}
