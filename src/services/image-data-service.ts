// Image data use cases (upload, download, discard): bytes in the BlobStore, status changes by CAS.
import type { Image } from "../domain/image";
import type { BlobStore } from "./ports";

export interface ImageDataServiceDeps {
  blobs: BlobStore;
}

/** The R2 key of an image's data. One object per image; ids are never reused, so keys are never reused. */
export const dataKey = (imageId: string) => `images/${imageId}`;

export class ImageDataService {
  constructor(private readonly d: ImageDataServiceDeps) {}

  /** Removes whatever bytes an image has (called after the image row became a tombstone). */
  async discard(image: Pick<Image, "id">): Promise<void> {
    await this.d.blobs.delete(dataKey(image.id));
  }
}
