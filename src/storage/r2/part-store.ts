// R2PartStore: streams one multipart part of known length (FixedLengthStream) and reports object sizes.
import type { PartStreamStore, PartWriter } from "../../services/import-ports";
import type { BlobPart } from "../../services/ports";

export class R2PartStore implements PartStreamStore {
  constructor(private readonly bucket: R2Bucket) {}

  partWriter(key: string, uploadId: string, partNumber: number, length: number): PartWriter {
    // uploadPart needs a body of known length; a FixedLengthStream lets us hash blocks on their way in
    // instead of buffering a whole (up to 64 MiB) chunk.
    const fixed = new FixedLengthStream(length);
    const writer = fixed.writable.getWriter();
    const stored = this.bucket.resumeMultipartUpload(key, uploadId).uploadPart(partNumber, fixed.readable);
    // A part upload that fails early must fail the pending write too, not leave it waiting for a reader.
    const broken = stored.then(() => {
      throw new Error("R2 part upload ended before all bytes were written");
    });
    stored.catch(() => {});
    broken.catch(() => {});
    return {
      write: (block) => Promise.race([writer.write(block), broken]),
      close: async (): Promise<BlobPart> => {
        await writer.close();
        const part = await stored;
        return { partNumber: part.partNumber, etag: part.etag };
      },
      abort: async () => {
        await writer.abort(new Error("part abandoned")).catch(() => {});
        await stored.catch(() => {});
      },
    };
  }

  async sizeOf(key: string): Promise<number | null> {
    return (await this.bucket.head(key))?.size ?? null;
  }
}
