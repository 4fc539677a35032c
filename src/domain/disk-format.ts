// A disk image's format from its first bytes (for uploads without disk_format) and its virtual size.

/** How many leading bytes `detectDiskFormat` looks at (an ISO 9660 signature sits at 0x8001). */
export const FORMAT_PROBE_BYTES = 0x8006;

const ascii = (head: Uint8Array, offset: number, text: string) =>
  head.byteLength >= offset + text.length && [...text].every((ch, i) => head[offset + i] === ch.charCodeAt(0));

/**
 * The disk_format the bytes carry: qcow2, vmdk (sparse extent), vhdx, vdi, vhd (dynamic copy header), iso,
 * else raw. Only magic numbers are read; nothing here parses or trusts the rest of a header.
 */
export function detectDiskFormat(head: Uint8Array): string {
  if (ascii(head, 0, "QFI\xfb")) return "qcow2";
  if (ascii(head, 0, "KDMV")) return "vmdk";
  if (ascii(head, 0, "vhdxfile")) return "vhdx";
  if (ascii(head, 0, "conectix")) return "vhd";
  // VirtualBox: little-endian 0xbeda107f at offset 0x40.
  if (
    head.byteLength >= 0x44 &&
    head[0x40] === 0x7f &&
    head[0x41] === 0x10 &&
    head[0x42] === 0xda &&
    head[0x43] === 0xbe
  )
    return "vdi";
  if (ascii(head, 0x8001, "CD001")) return "iso";
  return "raw";
}

/** Leading bytes virtualSizeOf needs (the qcow2 header's size field ends at byte 32). */
export const VIRTUAL_SIZE_HEAD_BYTES = 32;

/**
 * Glance computes virtual_size only for bare containers: raw is the data itself, qcow2 has it in its header
 * (big-endian uint64 at offset 24 after the magic "QFI\xfb"); other formats stay null.
 */
export function virtualSizeOf(
  image: { containerFormat: string | null; diskFormat: string | null },
  size: number,
  head: Uint8Array | null,
): number | null {
  if (image.containerFormat !== "bare") return null;
  if (image.diskFormat === "raw") return size;
  if (image.diskFormat !== "qcow2" || !head || head.byteLength < VIRTUAL_SIZE_HEAD_BYTES) return null;
  if (head[0] !== 0x51 || head[1] !== 0x46 || head[2] !== 0x49 || head[3] !== 0xfb) return null;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength).getBigUint64(24);
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
}
