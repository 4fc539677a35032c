// R2BlobStore: the BlobStore port on an R2 bucket.
import type { BlobBody, BlobPart, BlobStore, BlobWriter, ByteRange } from "../../services/ports";
import { fixedLengthWriter } from "./fixed-length-writer";

export class R2BlobStore implements BlobStore {
  constructor(private readonly bucket: R2Bucket) {}

  putKnownLength(key: string, length: number): BlobWriter {
    const w = fixedLengthWriter(length, (body) => this.bucket.put(key, body), {
      call: "R2 put",
      abandoned: "upload abandoned",
    });
    return {
      ...w,
      close: async () => {
        await w.close();
      },
    };
  }

  async beginMultipart(key: string): Promise<string> {
    return (await this.bucket.createMultipartUpload(key)).uploadId;
  }

  partWriter(key: string, uploadId: string, partNumber: number, length: number): BlobWriter<BlobPart> {
    // Streamed: a part's blocks can be hashed on their way in instead of buffering a whole (up to 64 MiB) part.
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

  async completeMultipart(key: string, uploadId: string, parts: BlobPart[]): Promise<void> {
    await this.bucket.resumeMultipartUpload(key, uploadId).complete(parts);
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    // R2 answers an abort of a completed or already aborted upload with success.
    await this.bucket.resumeMultipartUpload(key, uploadId).abort();
  }

  async get(key: string, range?: ByteRange): Promise<BlobBody | null> {
    const obj = await this.bucket.get(key, range ? { range } : undefined);
    return obj ? { size: obj.size, body: obj.body } : null;
  }

  async sizeOf(key: string): Promise<number | null> {
    return (await this.bucket.head(key))?.size ?? null;
  }

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }
}
