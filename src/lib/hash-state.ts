// What the resumable hashers share: the digest pair of an image, the error for a bad saved state, its CRC-32.

/** Glance's `checksum` (MD5) and `os_hash_value` (SHA-512) of an image's bytes, lowercase hex. */
export interface ImageDigests {
  md5: string;
  sha512: string;
}

/** A saved hash state that is malformed, corrupted, from another algorithm or from another version. */
export class HashStateError extends Error {
  override readonly name = "HashStateError";
}

// CRC-32 (IEEE 802.3, reflected 0xEDB88320): detects truncation and bit rot in a stored state; it is not
// meant to resist deliberate tampering (states are server-side only).
let table: Int32Array | undefined;

export function crc32(bytes: Uint8Array): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let j = 0; j < 8; j++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/** CRC-32 of a state text (ASCII when well-formed) as 8 hex digits: the checksum field of text states. */
export function crc32Hex(text: string): string {
  return crc32(new TextEncoder().encode(text)).toString(16).padStart(8, "0");
}
