// Composition root: the only file that names the concrete D1, R2 and Queues adapters behind the services.
import type { Config } from "./config";
import { SealedBox } from "./lib/sealed-box";
import { ImageDataService } from "./services/data/image-data-service";
import { ImageService } from "./services/image-service";
import { ImportRunner } from "./services/import/import-runner";
import { ImportService } from "./services/import/import-service";
import type { ImportQueue } from "./services/import/ports";
import { StageService } from "./services/import/stage-service";
import { MemberService } from "./services/member-service";
import { MetadefContentService } from "./services/metadef-contents";
import { MetadefNamespaceService } from "./services/metadef-namespaces";
import { MetadefTagService } from "./services/metadef-tags";
import { QuotaPolicy } from "./services/quota";
import { TaskService } from "./services/task-service";
import { D1ImageRepository } from "./storage/d1/image-repository";
import { D1MetadefRepository } from "./storage/d1/metadef-repository";
import { D1StagingRepository } from "./storage/d1/staging-repository";
import { D1TaskRepository } from "./storage/d1/task-repository";
import { r2StoreSet } from "./storage/r2/store-set";

export interface Services {
  images: ImageService;
  imageData: ImageDataService;
  members: MemberService;
  stage: StageService;
  imports: ImportService;
  tasks: TaskService;
  quotas: QuotaPolicy;
  metadefNamespaces: MetadefNamespaceService;
  metadefContents: MetadefContentService;
  metadefTags: MetadefTagService;
}

type StorageEnv = { DB: D1Database; IMAGES: R2Bucket; IMPORT_QUEUE?: Queue<unknown> };

const now = () => Date.now();

/**
 * glance-download's token crosses the queue sealed with a key derived from the Keystone service password
 * (a secret every Keystone-mode deployment has); without glance-download there is nothing to seal.
 */
function credentialSeal(config: Config): SealedBox | null {
  if (!config.imports.glanceDownload.enabled || !config.keystone) return null;
  return new SealedBox(config.keystone.servicePassword, "glance-download credential v1");
}

/** The adapters every use case shares, for one request or one queue batch. */
function storage(env: StorageEnv, config: Config) {
  const repo = new D1ImageRepository(env.DB);
  const stores = r2StoreSet(env, config.stores);
  return {
    repo,
    stores,
    // The default store: stages, and uploads and imports without a named store.
    blobs: stores.primary,
    staging: new D1StagingRepository(env.DB),
    tasks: new D1TaskRepository(env.DB),
    quotas: new QuotaPolicy(repo, config.quotas),
  };
}

export function createServices(env: StorageEnv, config: Config): Services {
  const { repo, blobs, stores, staging, tasks: taskRepo, quotas } = storage(env, config);
  const upload = { ...config.upload, sizeCap: config.imageSizeCap, formats: config.formats };
  const imageData = new ImageDataService({ repo, blobs, stores, staging, settings: upload, quota: quotas, now });
  const images = new ImageService({
    repo,
    limits: config.limits,
    now,
    newId: () => crypto.randomUUID(),
    quota: quotas,
    data: imageData,
  });
  const members = new MemberService({ repo, images, memberQuota: config.limits.members, now });
  const stage = new StageService({
    repo,
    blobs,
    stores,
    staging,
    settings: { ...upload, stageChunkMax: config.imports.stageChunkMax, stageParallel: config.imports.stageParallel },
    quota: quotas,
    now,
  });
  const queue: ImportQueue | null = env.IMPORT_QUEUE
    ? { send: async (m) => void (await env.IMPORT_QUEUE!.send(m, { contentType: "json" })) }
    : null;
  const imports = new ImportService({
    repo,
    stores: stores.catalog,
    tasks: taskRepo,
    queue,
    allowHosts: config.imports.allowHosts,
    seal: credentialSeal(config),
    now,
    newId: () => crypto.randomUUID(),
  });
  const tasks = new TaskService({ tasks: taskRepo, images, now });
  const catalog = { repo: new D1MetadefRepository(env.DB), now };
  return {
    images,
    imageData,
    members,
    stage,
    imports,
    tasks,
    quotas,
    metadefNamespaces: new MetadefNamespaceService(catalog),
    metadefContents: new MetadefContentService(catalog),
    metadefTags: new MetadefTagService(catalog),
  };
}

/** The queue consumer's side: runs import tasks against the same storage. */
export function createImportRunner(env: StorageEnv, config: Config): ImportRunner {
  const { repo, blobs, stores, staging, tasks, quotas } = storage(env, config);
  return new ImportRunner({
    repo,
    quota: quotas,
    staging,
    tasks,
    blobs,
    stores,
    // Looked up at call time so tests can stub the global fetch.
    fetch: (input, init) => fetch(input, init),
    seal: credentialSeal(config),
    settings: {
      sizeCap: config.imageSizeCap,
      partSize: config.upload.partSize,
      singlePutMax: config.upload.singlePutMax,
      allowHosts: config.imports.allowHosts,
      taskTimeoutMs: config.imports.taskTimeoutSeconds * 1000,
      formats: config.formats,
      glanceDownloadProperties: config.imports.glanceDownload.properties,
      limits: config.limits,
    },
    now,
  });
}
