// The disk format a file shows, with the server's own inspector (src/domain/image-format), reading only the
// parts of the file the probes ask for.
import { inferDiskFormat, inspectRanges } from "../../../src/domain/image-format";

export async function detectFileFormat(file: Blob): Promise<string> {
  const read = async (offset: number, length: number) =>
    new Uint8Array(await file.slice(offset, offset + length).arrayBuffer());
  return inferDiskFormat(await inspectRanges(file.size, read));
}
