// The import pipeline: runs one queued import task, idempotently (claim by CAS, takeover after a timeout),
// through its method (glance-direct, web-download or glance-download) to an active image, or gives the data up.
import { DomainError } from "../../domain/errors";
import type { FormatSettings } from "../../domain/image-format";
import { assertWithinLimits, type Limits } from "../../domain/properties";
import { logFailure } from "../../lib/log-failure";
import { dropData, type GiveUpOutcome, giveUpData } from "../data/give-up";
import type { BlobStore, ImageRepository, StoredImage } from "../ports";
import type { QuotaPolicy } from "../quota";
import { finishStaged } from "./glance-direct";
import { checkGlanceSource, type GlanceCredential, glanceDownload } from "./glance-download";
import { FAILED_PROPERTY, IMPORTING_PROPERTY, LOCK_PROPERTY, STORE_ID, unlock } from "./import-lock";
import { type ImportedData, ImportFailure, TaskLost } from "./outcome";
import type { CredentialSeal, ImportMessage, StagingRepository, TaskRepository } from "./ports";
import { TaskClaim } from "./task-claim";
import { webDownload } from "./web-download";

export interface ImportRunnerDeps {
  repo: ImageRepository;
  /** web-download bytes count against the owner's storage quota, like uploads. */
  quota: Pick<QuotaPolicy, "admitData" | "reservation">;
  staging: StagingRepository;
  tasks: TaskRepository;
  blobs: BlobStore;
  fetch: typeof fetch;
  /** Opens glance-download's sealed credential (null: glance-download is not offered here). */
  seal: CredentialSeal | null;
  settings: {
    sizeCap: number;
    partSize: number;
    allowHosts: string[];
    taskTimeoutMs: number;
    formats: FormatSettings;
    /** Property prefixes glance-download copies from the remote image. */
    glanceDownloadProperties: readonly string[];
    /** The property quota holds for the properties glance-download copies. */
    limits: Limits;
  };
  now: () => number;
}

const ATTEMPTS = 5;

export class ImportRunner {
  constructor(private readonly d: ImportRunnerDeps) {}

  /** "ack" when the message is done with (including duplicates); "retry" when it must come back later. */
  async run(msg: ImportMessage): Promise<"ack" | "retry"> {
    const { tasks, now, settings } = this.d;
    const task = await tasks.find(msg.taskId);
    if (!task || task.status === "success" || task.status === "failure") return "ack";
    // A fresh `processing` task is being run by another delivery; look again after the timeout.
    if (task.status === "processing" && now() - task.updatedAt < settings.taskTimeoutMs) return "retry";
    const claimedAt = Math.max(now(), task.updatedAt + 1);
    if (!(await tasks.update(task.id, task, { status: "processing", updatedAt: claimedAt }))) return "retry";
    const claim = new TaskClaim(tasks, settings.taskTimeoutMs, now, {
      ...task,
      status: "processing",
      updatedAt: claimedAt,
    });
    try {
      await this.execute(claim, msg);
    } catch (err) {
      if (err instanceof TaskLost) return "ack";
      throw err;
    }
    return "ack";
  }

  private async execute(claim: TaskClaim, msg: ImportMessage): Promise<void> {
    const task = claim.task;
    const imageId = task.imageId!;
    const found = await this.d.repo.find(imageId, null);
    if (!found) {
      await dropData(this.d, imageId);
      return claim.end("failure", `Image ${imageId} was deleted during import.`);
    }
    const image = found.image;
    // A crashed earlier run may have activated the image before it could close the task.
    if (image.status === "active" && image.properties[LOCK_PROPERTY] === undefined) return claim.end("success", "");
    if (image.status !== "importing" || image.properties[LOCK_PROPERTY] !== task.id)
      return claim.end("failure", `Image ${imageId} is not being imported by this task.`);
    const req = task.input?.import_req as { method?: Record<string, unknown> } | undefined;
    let data: ImportedData;
    try {
      const method = req?.method ?? {};
      if (method.name === "web-download") data = await webDownload(this.d, claim, image, String(method.uri ?? ""));
      else if (method.name === "glance-download") data = await this.glanceDownload(claim, image, method, msg);
      else data = await finishStaged({ ...this.d, ...this.d.settings }, claim, image);
    } catch (err) {
      if (err instanceof TaskLost) throw err;
      const message = err instanceof ImportFailure ? err.message : "Image import failed.";
      if (!(err instanceof ImportFailure)) logFailure("import", imageId, err);
      await this.fail(claim, imageId, message);
      return;
    }
    await this.activate(claim, imageId, data);
  }

  private async glanceDownload(
    claim: TaskClaim,
    image: StoredImage,
    method: Record<string, unknown>,
    msg: ImportMessage,
  ): Promise<ImportedData> {
    let source: ReturnType<typeof checkGlanceSource>;
    try {
      source = checkGlanceSource({ ...method });
    } catch (err) {
      if (err instanceof DomainError) throw new ImportFailure(err.explanation ?? err.message);
      throw err;
    }
    const opened = msg.credential && this.d.seal ? await this.d.seal.open(msg.credential) : null;
    if (opened === null) throw new ImportFailure("The credentials of this glance-download import could not be read.");
    const credential = JSON.parse(opened) as GlanceCredential;
    const deps = { ...this.d, copyPrefixes: this.d.settings.glanceDownloadProperties };
    const data = await glanceDownload(deps, claim, image, source, credential);
    // Copied properties count against the property quota like any others.
    const properties = { ...image.properties, ...data.metadata?.properties };
    try {
      assertWithinLimits({ tags: image.tags, properties }, this.d.settings.limits);
    } catch (err) {
      if (err instanceof DomainError) throw new ImportFailure(err.explanation ?? err.message);
      throw err;
    }
    return data;
  }

  /** importing -> active with the data fields and the lock removed, then the task succeeds. */
  private async activate(claim: TaskClaim, imageId: string, data: ImportedData): Promise<void> {
    const { repo, staging, now } = this.d;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const found = await repo.find(imageId, null);
      if (!found || !this.holds(claim, found.image)) break;
      const image = found.image;
      const fields = {
        size: data.size,
        virtualSize: data.virtualSize,
        checksum: data.md5,
        osHashAlgo: "sha512",
        osHashValue: data.sha512,
        uploadId: null,
        uploadStartedAt: null,
        uploadSize: null,
        // glance-download: the remote image's formats, as Glance's _ImportMetadata sets them.
        ...(data.metadata && { diskFormat: data.metadata.diskFormat, containerFormat: data.metadata.containerFormat }),
      };
      const copied = data.metadata?.properties;
      const properties = { ...unlock(image.properties), ...copied, [IMPORTING_PROPERTY]: "" };
      const change = { from: "importing", to: "active", fields, properties, revision: image.revision } as const;
      if (await repo.transition(imageId, change, now())) {
        await staging.remove(imageId);
        return claim.end("success", "");
      }
    }
    // Deleted while we imported (the bytes we stored are nobody's), or changed under us every time.
    const outcome = await this.giveUp(claim, imageId);
    const why = outcome === "deleted" ? "was deleted" : "changed";
    await claim.end("failure", `Image ${imageId} ${why} during import.`);
  }

  /** Failure: every byte dropped, image back to queued with the failed store recorded, task `failure`. */
  private async fail(claim: TaskClaim, imageId: string, message: string): Promise<void> {
    await this.giveUp(claim, imageId);
    await claim.end("failure", message);
  }

  /**
   * We drop staged data on failure instead of keeping it for a retry as Glance may: a failed image goes
   * back to queued, and nothing is left in R2 that no row points to.
   */
  private giveUp(claim: TaskClaim, imageId: string): Promise<GiveUpOutcome> {
    return giveUpData(this.d, imageId, {
      from: "importing",
      owns: (image) => this.holds(claim, image),
      properties: (image) => ({ ...unlock(image.properties), [IMPORTING_PROPERTY]: "", [FAILED_PROPERTY]: STORE_ID }),
    });
  }

  /** The image is still being imported by this task (a DELETE or a takeover ends that). */
  private holds(claim: TaskClaim, image: StoredImage): boolean {
    return image.status === "importing" && image.properties[LOCK_PROPERTY] === claim.task.id;
  }
}
