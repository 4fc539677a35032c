// R2BlobStore: the BlobStore port on an R2 bucket.
import type { BlobStore } from "../../services/ports";

export class R2BlobStore implements BlobStore {
  constructor(private readonly bucket: R2Bucket) {}

  async delete(key: string): Promise<void> {
    await this.bucket.delete(key);
  }
}
