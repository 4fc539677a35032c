// Composition root: the only file that names the concrete D1 and R2 adapters.
import type { Config } from "../config";
import { ImportWorker } from "../queue/import-worker";
import { D1ImageRepository } from "../storage/d1/image-repository";
import { D1StagingRepository } from "../storage/d1/staging-repository";
import { D1TaskRepository } from "../storage/d1/task-repository";
import { R2BlobStore } from "../storage/r2/blob-store";
import { R2PartStore } from "../storage/r2/part-store";
import { ImageDataService } from "./image-data-service";
import { ImageService } from "./image-service";
import type { ImportQueue } from "./import-ports";
import { ImportService } from "./import-service";
import { MemberService } from "./member-service";
import { QuotaPolicy } from "./quota";
import { StageService } from "./stage-service";
import { TaskService } from "./task-service";

export interface Services {
  images: ImageService;
  imageData: ImageDataService;
  members: MemberService;
  stage: StageService;
  imports: ImportService;
  tasks: TaskService;
  quotas: QuotaPolicy;
}

type StorageEnv = { DB: D1Database; IMAGES: R2Bucket; IMPORT_QUEUE?: Queue<unknown> };

export function createServices(env: StorageEnv, config: Config): Services {
  const repo = new D1ImageRepository(env.DB);
  const blobs = new R2BlobStore(env.IMAGES);
  const staging = new D1StagingRepository(env.DB);
  const taskRepo = new D1TaskRepository(env.DB);
  const quotas = new QuotaPolicy(repo, config.quotas);
  const imageData = new ImageDataService({
    repo,
    blobs,
    settings: { ...config.upload, sizeCap: config.imageSizeCap },
    quota: quotas,
    now: () => Date.now(),
  });
  const images = new ImageService({
    repo,
    limits: config.limits,
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
    quota: quotas,
    // Deleting an image also drops its staging record (the bytes go with the image's key and upload id).
    data: {
      discard: async (image) => Promise.all([imageData.discard(image), staging.remove(image.id)]).then(() => {}),
    },
  });
  const members = new MemberService({ repo, images, memberQuota: config.limits.members, now: () => Date.now() });
  const stage = new StageService({
    repo,
    blobs,
    parts: new R2PartStore(env.IMAGES),
    staging,
    settings: { ...config.upload, sizeCap: config.imageSizeCap, stageChunkMax: config.imports.stageChunkMax },
    quota: quotas,
    now: () => Date.now(),
  });
  const queue: ImportQueue | null = env.IMPORT_QUEUE
    ? { send: async (m) => void (await env.IMPORT_QUEUE!.send(m, { contentType: "json" })) }
    : null;
  const imports = new ImportService({
    repo,
    writer: staging,
    tasks: taskRepo,
    queue,
    allowHosts: config.imports.allowHosts,
    now: () => Date.now(),
    newId: () => crypto.randomUUID(),
  });
  const tasks = new TaskService({ tasks: taskRepo, images, now: () => Date.now() });
  return { images, imageData, members, stage, imports, tasks, quotas };
}

/** The queue consumer's side: runs import tasks against the same storage. */
export function createImportWorker(env: StorageEnv, config: Config): ImportWorker {
  const staging = new D1StagingRepository(env.DB);
  const repo = new D1ImageRepository(env.DB);
  return new ImportWorker({
    repo,
    quota: new QuotaPolicy(repo, config.quotas),
    writer: staging,
    staging,
    tasks: new D1TaskRepository(env.DB),
    blobs: new R2BlobStore(env.IMAGES),
    parts: new R2PartStore(env.IMAGES),
    // Looked up at call time so tests can stub the global fetch.
    fetch: (input, init) => fetch(input, init),
    settings: {
      sizeCap: config.imageSizeCap,
      partSize: config.upload.partSize,
      allowHosts: config.imports.allowHosts,
      taskTimeoutMs: config.imports.taskTimeoutSeconds * 1000,
    },
    now: () => Date.now(),
  });
}
