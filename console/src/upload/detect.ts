// The disk format a file's first bytes show, with the server's own rule (src/domain/disk-format.ts).
import { detectDiskFormat, FORMAT_PROBE_BYTES } from "../../../src/domain/disk-format";

export async function detectFileFormat(file: Blob): Promise<string> {
  return detectDiskFormat(new Uint8Array(await file.slice(0, FORMAT_PROBE_BYTES).arrayBuffer()));
}
