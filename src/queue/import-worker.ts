// ImportWorker: runs one import task from the queue, idempotently (claim by CAS, takeover after a timeout).

import { logFailure } from "../lib/log-failure";
import { dropBlob, NO_DATA } from "../services/blob-sink";
import { dataKey, virtualSizeOf } from "../services/image-data-service";
import type {
  ImportImageWriter,
  ImportMessage,
  PartStreamStore,
  StagingRepository,
  Task,
  TaskRepository,
} from "../services/import-ports";
import { FAILED_PROPERTY, IMPORTING_PROPERTY, LOCK_PROPERTY, unlock } from "../services/import-service";
import type { BlobStore, ImageRepository, StoredImage } from "../services/ports";
import type { QuotaPolicy } from "../services/quota";
import { finishStaged } from "./staged-import";
import { webDownload } from "./web-download";

export interface ImportWorkerDeps {
  repo: ImageRepository;
  /** web-download bytes count against the owner's storage quota, like uploads. */
  quota: Pick<QuotaPolicy, "admitData">;
  writer: ImportImageWriter;
  staging: StagingRepository;
  tasks: TaskRepository;
  blobs: BlobStore;
  parts: PartStreamStore;
  fetch: typeof fetch;
  settings: { sizeCap: number; partSize: number; allowHosts: string[]; taskTimeoutMs: number };
  now: () => number;
}

/** What the import produced, ready for the image row. */
export interface ImportedData {
  size: number;
  md5: string;
  sha512: string;
  head: Uint8Array | null;
}

/** A failure that ends the task with this message (anything else gets a generic one). */
export class ImportFailure extends Error {
  override readonly name = "ImportFailure";
}

/** Another delivery took the task over: stop without touching anything. */
export class TaskLost extends Error {
  override readonly name = "TaskLost";
}

/** Single store: the id recorded in os_glance_failed_import when an import fails. */
export const STORE_ID = "default";
const TASK_TTL_MS = 48 * 3600 * 1000;

/** Keeps a claimed task's updated_at fresh so other deliveries do not take it over. */
export class TaskClaim {
  constructor(
    private readonly d: ImportWorkerDeps,
    public task: Task,
  ) {}

  async beat(force = false): Promise<void> {
    const at = Math.max(this.d.now(), this.task.updatedAt + 1);
    if (!force && at - this.task.updatedAt < this.d.settings.taskTimeoutMs / 4) return;
    if (!(await this.d.tasks.update(this.task.id, this.task, { updatedAt: at }))) throw new TaskLost();
    this.task = { ...this.task, updatedAt: at };
  }

  async end(status: "success" | "failure", message: string): Promise<void> {
    const at = Math.max(this.d.now(), this.task.updatedAt + 1);
    const result = status === "success" ? { image_id: this.task.imageId } : null;
    await this.d.tasks.update(this.task.id, this.task, {
      status,
      message,
      result,
      updatedAt: at,
      expiresAt: at + TASK_TTL_MS,
    });
  }
}

export class ImportWorker {
  constructor(readonly d: ImportWorkerDeps) {}

  /** "ack" when the message is done with (including duplicates); "retry" when it must come back later. */
  async run(msg: ImportMessage): Promise<"ack" | "retry"> {
    const { tasks, now, settings } = this.d;
    const task = await tasks.find(msg.taskId);
    if (!task || task.status === "success" || task.status === "failure") return "ack";
    // A fresh `processing` task is being run by another delivery; look again after the timeout.
    if (task.status === "processing" && now() - task.updatedAt < settings.taskTimeoutMs) return "retry";
    const claimedAt = Math.max(now(), task.updatedAt + 1);
    if (!(await tasks.update(task.id, task, { status: "processing", updatedAt: claimedAt }))) return "retry";
    const claim = new TaskClaim(this.d, { ...task, status: "processing", updatedAt: claimedAt });
    try {
      await this.execute(claim);
    } catch (err) {
      if (err instanceof TaskLost) return "ack";
      throw err;
    }
    return "ack";
  }

  private async execute(claim: TaskClaim): Promise<void> {
    const { repo } = this.d;
    const task = claim.task;
    const imageId = task.imageId!;
    const found = await repo.find(imageId, null);
    if (!found) {
      await this.cleanup(imageId, null);
      return claim.end("failure", `Image ${imageId} was deleted during import.`);
    }
    const image = found.image;
    // A crashed earlier run may have activated the image before it could close the task.
    if (image.status === "active" && image.properties[LOCK_PROPERTY] === undefined) return claim.end("success", "");
    if (image.status !== "importing" || image.properties[LOCK_PROPERTY] !== task.id)
      return claim.end("failure", `Image ${imageId} is not being imported by this task.`);
    const req = task.input?.import_req as { method?: { name?: string; uri?: string } } | undefined;
    let data: ImportedData;
    try {
      data =
        req?.method?.name === "web-download"
          ? await webDownload(this, claim, image, String(req.method.uri ?? ""))
          : await finishStaged(this, claim, image);
    } catch (err) {
      if (err instanceof TaskLost) throw err;
      const message = err instanceof ImportFailure ? err.message : "Image import failed.";
      if (!(err instanceof ImportFailure)) logFailure("import", imageId, err);
      await this.fail(claim, imageId, message);
      return;
    }
    await this.activate(claim, imageId, data);
  }

  /** importing -> active with the data fields and the lock removed, then the task succeeds. */
  private async activate(claim: TaskClaim, imageId: string, data: ImportedData): Promise<void> {
    const { repo, writer, staging, now } = this.d;
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await repo.find(imageId, null);
      if (found?.image.status !== "importing") break;
      const image = found.image;
      const fields = {
        size: data.size,
        virtualSize: virtualSizeOf(image, data.size, data.head),
        checksum: data.md5,
        osHashAlgo: "sha512",
        osHashValue: data.sha512,
        uploadId: null,
        uploadStartedAt: null,
      };
      const properties = { ...unlock(image.properties), [IMPORTING_PROPERTY]: "" };
      if (await writer.finish(image, "importing", "active", fields, properties, now())) {
        await staging.remove(imageId);
        return claim.end("success", "");
      }
    }
    // Deleted (or moved away) while we imported: the bytes we stored are nobody's.
    await this.cleanup(imageId, null);
    await claim.end("failure", `Image ${imageId} was deleted during import.`);
  }

  /** Failure: drop every byte, image back to queued with the failed store recorded, task `failure`. */
  async fail(claim: TaskClaim, imageId: string, message: string): Promise<void> {
    const { repo, writer, now } = this.d;
    for (let attempt = 0; attempt < 5; attempt++) {
      const found = await repo.find(imageId, null);
      if (found?.image.status !== "importing") break;
      await this.cleanup(imageId, found.image);
      const properties = { ...unlock(found.image.properties), [IMPORTING_PROPERTY]: "", [FAILED_PROPERTY]: STORE_ID };
      if (await writer.finish(found.image, "importing", "queued", NO_DATA, properties, now()))
        return claim.end("failure", message);
    }
    // Deleted (or every CAS lost): drop whatever is left. After a successful reset we must not: the image is
    // queued again and a new stage may already be writing to its key.
    await this.cleanup(imageId, null);
    await claim.end("failure", message);
  }

  /**
   * Removes the image's object, its multipart uploads (the image's and the stage's) and the staging
   * record. We clean up staged data on failure instead of keeping it for a retry as Glance may: a failed
   * image goes back to queued, and nothing is left in R2 that no row points to.
   */
  async cleanup(imageId: string, image: StoredImage | null): Promise<void> {
    const { blobs, staging } = this.d;
    const key = dataKey(imageId);
    const rec = await staging.find(imageId);
    await dropBlob(blobs, key, [image?.uploadId, rec?.uploadId]);
    await staging.remove(imageId);
  }
}
