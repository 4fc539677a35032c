// Little readers for on-disk structures: fixed-width integers of either byte order, ASCII tags, GUIDs, CRC-32.

/** Whether `bytes` holds the ASCII text `tag` (a JS string of char codes 0..255) at `offset`. */
export function hasTag(bytes: Uint8Array, offset: number, tag: string): boolean {
  if (bytes.length < offset + tag.length) return false;
  for (let i = 0; i < tag.length; i++) if (bytes[offset + i] !== tag.charCodeAt(i)) return false;
  return true;
}

export function u16le(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

export function u16be(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

export function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/**
 * A 64-bit field as a JS number, or NaN when it does not fit in 2^53 (no real image size does; NaN then fails
 * every comparison and `Number.isSafeInteger`, so a hostile value can never pass for a small one).
 */
export function u64le(b: Uint8Array, o: number): number {
  return safe(u32le(b, o + 4), u32le(b, o));
}

export function u64be(b: Uint8Array, o: number): number {
  return safe(u32be(b, o), u32be(b, o + 4));
}

function safe(hi: number, lo: number): number {
  return hi >= 0x200000 ? Number.NaN : hi * 0x100000000 + lo;
}

/** Whether all eight bytes of a 64-bit field are 0xff (the "see the footer" sentinel of VMDK). */
export function allOnes64(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 8; i++) if (b[o + i] !== 0xff) return false;
  return true;
}

/** The 16 on-disk bytes of a Microsoft GUID "AABBCCDD-EEFF-GGHH-...": first three groups little-endian. */
export function guidBytes(text: string): Uint8Array {
  const hex = text.replaceAll("-", "");
  const raw = Uint8Array.from({ length: 16 }, (_, i) => Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  const order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
  return Uint8Array.from(order, (i) => raw[i]!);
}

export function equalAt(b: Uint8Array, o: number, expected: Uint8Array): boolean {
  if (b.length < o + expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (b[o + i] !== expected[i]) return false;
  return true;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Resumable CRC-32 (IEEE, as GPT uses): start with 0, feed slices, the running value is the CRC so far. */
export function crc32(crc: number, bytes: Uint8Array): number {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
