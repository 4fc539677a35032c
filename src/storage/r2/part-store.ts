// R2PartStore: streams one multipart part of known length (FixedLengthStream) and reports object sizes.
import type { PartStreamStore, PartWriter } from "../../services/import-ports";
import type { BlobPart } from "../../services/ports";
import { fixedLengthWriter } from "./fixed-length-writer";

export class R2PartStore implements PartStreamStore {
  constructor(private readonly bucket: R2Bucket) {}

  partWriter(key: string, uploadId: string, partNumber: number, length: number): PartWriter {
    // Streaming the part lets us hash blocks on their way in instead of buffering a whole (up to 64 MiB) chunk.
    const upload = this.bucket.resumeMultipartUpload(key, uploadId);
    const w = fixedLengthWriter(length, (body) => upload.uploadPart(partNumber, body), {
      call: "R2 part upload",
      abandoned: "part abandoned",
    });
    return {
      ...w,
      close: async (): Promise<BlobPart> => {
        const part = await w.close();
        return { partNumber: part.partNumber, etag: part.etag };
      },
    };
  }

  async sizeOf(key: string): Promise<number | null> {
    return (await this.bucket.head(key))?.size ?? null;
  }
}
