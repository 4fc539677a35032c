// The import pipeline: runs one queued import task, idempotently (claim by CAS, takeover after a timeout),
// through its method (glance-direct, web-download or glance-download) into its first store, then to every other target store
// (store-fanout.ts; copy-image is that phase alone), to an active image, or gives the data up.
import { DomainError } from "../../domain/errors";
import type { FormatSettings } from "../../domain/image-format";
import { assertWithinLimits, type Limits } from "../../domain/properties";
import { holdingStores, READ_ONLY_STORE, readOrder, storeById } from "../../domain/stores";
import { logFailure } from "../../lib/log-failure";
import { dropData, type GiveUpOutcome, giveUpData } from "../data/give-up";
import type { BlobStore, ImageRepository, StoredImage, StoreSet } from "../ports";
import type { QuotaPolicy } from "../quota";
import { finishStaged } from "./glance-direct";
import { checkGlanceSource, type GlanceCredential, glanceDownload } from "./glance-download";
import { LOCK_PROPERTY, released } from "./import-lock";
import { type ImportedData, ImportFailure, TaskLost } from "./outcome";
import type { CredentialSeal, ImportMessage, StagingRepository, TaskRepository } from "./ports";
import { type FanOutPlan, holds, StoreFanOut } from "./store-fanout";
import { TaskClaim } from "./task-claim";
import { webDownload } from "./web-download";

export interface ImportRunnerDeps {
  repo: ImageRepository;
  /** web-download bytes count against the owner's storage quota, like uploads; so does every further copy. */
  quota: Pick<QuotaPolicy, "admitData" | "reservation">;
  staging: StagingRepository;
  tasks: TaskRepository;
  /** The default store: staged data (glance-direct) is read from there. */
  blobs: BlobStore;
  stores: StoreSet;
  fetch: typeof fetch;
  /** Opens glance-download's sealed credential (null: glance-download is not offered here). */
  seal: CredentialSeal | null;
  settings: {
    sizeCap: number;
    partSize: number;
    singlePutMax: number;
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

type ImportReq = {
  method?: { name?: string; uri?: string } & Record<string, unknown>;
  all_stores_must_succeed?: boolean;
};

export class ImportRunner {
  private readonly fanOut: StoreFanOut;

  constructor(private readonly d: ImportRunnerDeps) {
    this.fanOut = new StoreFanOut(d);
  }

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
    const req = task.input?.import_req as ImportReq | undefined;
    const method = req?.method?.name;
    const targets = this.targetsOf(task.input?.backend);
    const mustSucceed = req?.all_stores_must_succeed !== false;
    const locked = image.properties[LOCK_PROPERTY] === task.id;
    // A crashed earlier run may have activated the image (and released it) before it could close the task.
    if (
      image.status === "active" &&
      !locked &&
      method !== "copy-image" &&
      image.properties[LOCK_PROPERTY] === undefined
    )
      return claim.end("success", "");
    if (!locked || (image.status !== "importing" && image.status !== "active"))
      return claim.end("failure", `Image ${imageId} is not being imported by this task.`);
    // copy-image, or an import redelivered after its first store made it active: only copies are left.
    if (image.status === "active") {
      const source = readOrder(this.d.stores.catalog, holdingStores(this.d.stores.catalog, image))[0];
      if (source === undefined) return this.fail(claim, imageId, `Image ${imageId} has no data to copy.`, targets);
      return this.finish(claim, imageId, { source, targets, mustSucceed: mustSucceed && method === "copy-image" });
    }
    // The data lands in one store first: glance-direct's staging area (the default store), else the first target.
    const landing = method === "glance-direct" ? this.d.stores.catalog.defaultId : this.firstWritable(targets);
    if (landing === null) return this.fail(claim, imageId, READ_ONLY_STORE, targets);
    const via = { ...this.d, blobs: this.d.stores.get(landing)! };
    let data: ImportedData;
    try {
      data = await this.land(via, claim, image, req, msg);
    } catch (err) {
      if (err instanceof TaskLost) throw err;
      const message = err instanceof ImportFailure ? err.message : "Image import failed.";
      if (!(err instanceof ImportFailure)) logFailure("import", imageId, err);
      await this.fail(claim, imageId, message, targets);
      return;
    }
    await this.finish(claim, imageId, { source: landing, targets, mustSucceed, data });
  }

  /** The method's own work: bring the data into the landing store (`via.blobs`), hashed and inspected. */
  private land(
    via: ImportRunnerDeps,
    claim: TaskClaim,
    image: StoredImage,
    req: ImportReq | undefined,
    msg: ImportMessage,
  ): Promise<ImportedData> {
    const method = req?.method;
    if (method?.name === "web-download") return webDownload(via, claim, image, String(method.uri ?? ""));
    if (method?.name === "glance-download") return this.glanceDownload(via, claim, image, method, msg);
    return finishStaged({ ...via, ...via.settings }, claim, image);
  }

  private async glanceDownload(
    via: ImportRunnerDeps,
    claim: TaskClaim,
    image: StoredImage,
    method: Record<string, unknown>,
    msg: ImportMessage,
  ): Promise<ImportedData> {
    const source = failsTheTask(() => checkGlanceSource({ ...method }));
    const opened = msg.credential && this.d.seal ? await this.d.seal.open(msg.credential) : null;
    if (opened === null) throw new ImportFailure("The credentials of this glance-download import could not be read.");
    const credential = JSON.parse(opened) as GlanceCredential;
    const deps = { ...via, copyPrefixes: via.settings.glanceDownloadProperties };
    const data = await glanceDownload(deps, claim, image, source, credential);
    // Copied properties count against the property quota like any others.
    const properties = { ...image.properties, ...data.metadata?.properties };
    failsTheTask(() => assertWithinLimits({ tags: image.tags, properties }, this.d.settings.limits));
    return data;
  }

  /** The per-store phase, then the task's end: success, or the import given up. */
  private async finish(claim: TaskClaim, imageId: string, plan: FanOutPlan): Promise<void> {
    const result = await this.fanOut.run(claim, imageId, plan);
    if (result.outcome === "lost") return this.lost(claim, imageId);
    if (result.outcome === "failed") {
      if (plan.data) return this.fail(claim, imageId, result.message, result.failed);
      // copy-image: the image stays active where it was; the failed stores are recorded, the lock goes.
      await this.unlockWith(claim, imageId, result.failed);
      return claim.end("failure", result.message);
    }
    if (plan.data) {
      const image = (await this.d.repo.find(imageId, null))?.image;
      if (image?.status === "importing" && (await this.fanOut.activate(claim, imageId, plan.data)) !== "done")
        return this.lost(claim, imageId);
      await this.d.staging.remove(imageId);
    }
    if ((await this.fanOut.release(claim, imageId, plan.source)) !== "done") return this.lost(claim, imageId);
    return claim.end("success", "");
  }

  /** Deleted while we imported (the bytes we stored are nobody's), or changed under us every time. */
  private async lost(claim: TaskClaim, imageId: string): Promise<void> {
    const outcome = await this.giveUp(claim, imageId, []);
    const why = outcome === "deleted" ? "was deleted" : "changed";
    await claim.end("failure", `Image ${imageId} ${why} during import.`);
  }

  /** Failure: every byte dropped, image back to queued with the failed stores recorded, task `failure`. */
  private async fail(claim: TaskClaim, imageId: string, message: string, failed: string[]): Promise<void> {
    await this.giveUp(claim, imageId, failed);
    await claim.end("failure", message);
  }

  /**
   * We drop staged data on failure instead of keeping it for a retry as Glance may: a failed image goes
   * back to queued, and nothing is left in R2 that no row points to.
   */
  private giveUp(claim: TaskClaim, imageId: string, failed: string[]): Promise<GiveUpOutcome> {
    return giveUpData(this.d, imageId, {
      from: "importing",
      owns: (image) => holds(claim, image),
      properties: (image) => released(image.properties, failed),
    });
  }

  /** copy-image's end after a failure: lock released, failed stores recorded, status untouched. */
  private async unlockWith(claim: TaskClaim, imageId: string, failed: string[]): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const image = (await this.d.repo.find(imageId, null))?.image;
      if (!image || !holds(claim, image)) return;
      const properties = released(image.properties, failed);
      const fields = { pendingCopies: 0 };
      const change = { from: image.status, to: image.status, fields, properties, revision: image.revision };
      if (await this.d.repo.transition(imageId, change, this.d.now())) return;
    }
  }

  /** The task's target stores; a single-store task records [null], the one store. */
  private targetsOf(backend: unknown): string[] {
    const ids = Array.isArray(backend) ? backend.filter((b): b is string => typeof b === "string") : [];
    return ids.length > 0 ? ids : [this.d.stores.catalog.defaultId];
  }

  private firstWritable(targets: string[]): string | null {
    const { catalog } = this.d.stores;
    const writable = (t: string) => storeById(catalog, t)?.readOnly === false && this.d.stores.get(t) !== null;
    return targets.find(writable) ?? null;
  }
}

/** Runs a domain check inside the consumer: the 400 it would answer in a request fails the task instead. */
function failsTheTask<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof DomainError) throw new ImportFailure(err.explanation ?? err.message);
    throw err;
  }
}
