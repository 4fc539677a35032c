// Recognises a disk image's format from its first bytes, for uploads that arrive without disk_format.

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
