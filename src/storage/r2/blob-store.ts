// R2BlobStore: the BlobStore port on an R2 bucket.
import type { BlobBody, BlobPart, BlobStore, BlobWriter, ByteRange } from "../../services/ports";

export class R2BlobStore implements BlobStore {
  constructor(private readonly bucket: R2Bucket) {}

  putKnownLength(key: string, length: number): BlobWriter {
    // R2 only accepts a stream of known length; a FixedLengthStream supplies it for bytes we write ourselves.
    const fixed = new FixedLengthStream(length);
    const writer = fixed.writable.getWriter();
    const stored = this.bucket.put(key, fixed.readable);
    // If the put fails (or ends early) a pending write must fail too instead of waiting for a reader.
    const broken = stored.then(() => {
      throw new Error("R2 put ended before all bytes were written");
    });
    stored.catch(() => {});
    broken.catch(() => {});
    return {
      write: (block) => Promise.race([writer.write(block), broken]),
      close: async () => {
        await writer.close();
        await stored;
      },
      abort: async () => {
        await writer.abort(new Error("upload abandoned")).catch(() => {});
        await stored.catch(() => {});
      },
    };
  }

  async beginMultipart(key: string): Promise<string> {
    return (await this.bucket.createMultipartUpload(key)).uploadId;
  }

  async putPart(key: string, uploadId: string, partNumber: number, bytes: Uint8Array): Promise<BlobPart> {
    const part = await this.bucket.resumeMultipartUpload(key, uploadId).uploadPart(partNumber, bytes);
    return { partNumber: part.partNumber, etag: part.etag };
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

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }
}
