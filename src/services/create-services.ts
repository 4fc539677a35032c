// Composition root: the only file that names the concrete D1 and R2 adapters.
import type { Config } from "../config";
import { D1ImageRepository } from "../storage/d1/image-repository";
import { R2BlobStore } from "../storage/r2/blob-store";
import { ImageDataService } from "./image-data-service";
import { ImageService } from "./image-service";
import { MemberService } from "./member-service";

export interface Services {
  images: ImageService;
  imageData: ImageDataService;
  members: MemberService;
}

export function createServices(env: { DB: D1Database; IMAGES: R2Bucket }, config: Config): Services {
  const repo = new D1ImageRepository(env.DB);
  const imageData = new ImageDataService({
    repo,
    blobs: new R2BlobStore(env.IMAGES),
    settings: { ...config.upload, sizeCap: config.imageSizeCap },
    now: () => Date.now(),
  });
  const images = new ImageService({
    repo,
    limits: config.limits,
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    data: imageData,
  });
  const members = new MemberService({ repo, images, memberQuota: config.limits.members, now: () => Date.now() });
  return { images, imageData, members };
}
