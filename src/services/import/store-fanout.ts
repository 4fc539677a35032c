// The per-store phase of an import or copy-image: the data is in one store; copy it to every other target
// store, recording each store's outcome on the image as it ends (Glance's _ImportToStore for each backend).
//
// Rules (Glance's api_image_import flow):
//  * os_glance_importing_to_stores loses each store when it ends; a failed one is added to os_glance_failed_import.
//  * all_stores_must_succeed (default): an import becomes active only once every store has the data; one failure
//    gives the import up (every copy dropped, image back to queued). For copy-image it removes the copies this
//    task made, and the image stays active where it was.
//  * all_stores_must_succeed false: an import becomes active with its first store; failures are only recorded;
//    with no store at all the import is given up.
//  * Copies are reserved against the storage quota before they are made (pending_copies, one CAS that judges
//    the owner's usage, so parallel imports and copies cannot overrun it); a refusal fails those stores.
//  * Idempotent under redelivery: stores that already hold the data are skipped, a copy rewrites the whole key.
import { editList, holdingStores, READ_ONLY_STORE, storeById } from "../../domain/stores";
import { logFailure } from "../../lib/log-failure";
import { type CopyExpectation, CopyFailed, copyData } from "../data/copy";
import { dataKey } from "../data/keys";
import type { BlobStore, ImageDataFields, ImageRepository, StatusChange, StoredImage, StoreSet } from "../ports";
import type { QuotaPolicy } from "../quota";
import { FAILED_PROPERTY, IMPORTING_PROPERTY, LOCK_PROPERTY, released } from "./import-lock";
import { type ImportedData, TaskLost } from "./outcome";
import type { TaskClaim } from "./task-claim";

export interface FanOutDeps {
  repo: Pick<ImageRepository, "find" | "transition">;
  stores: StoreSet;
  quota: Pick<QuotaPolicy, "reservation">;
  settings: { partSize: number; singlePutMax: number };
  now: () => number;
}

export interface FanOutPlan {
  /** The store whose object is the data to copy from. */
  source: string;
  /** Target stores in the request's order. */
  targets: string[];
  mustSucceed: boolean;
  /** Present for an import (the image is `importing` until activation); absent for copy-image. */
  data?: ImportedData;
}

/** How the phase ended: "ok" (the task succeeds), "failed" (give the import up), or "lost" (not ours any more). */
export type FanOutResult =
  | { outcome: "ok" }
  | { outcome: "failed"; message: string; failed: string[] }
  | { outcome: "lost" };

const ATTEMPTS = 5;

export class StoreFanOut {
  constructor(private readonly d: FanOutDeps) {}

  async run(claim: TaskClaim, imageId: string, plan: FanOutPlan): Promise<FanOutResult> {
    const { stores } = this.d;
    let image = await this.current(claim, imageId);
    if (!image) return { outcome: "lost" };
    const importing = plan.data !== undefined && image.status === "importing";
    // Redelivered after activation (or copy-image): the stores recorded already hold the data.
    const already = importing
      ? plan.targets.includes(plan.source)
        ? [plan.source]
        : []
      : holdingStores(stores.catalog, image);
    const todo = plan.targets.filter((t) => !already.includes(t));
    const size = importing ? plan.data!.size : (image.size ?? 0);
    const expect = importing
      ? { size, md5: plan.data!.md5, sha512: plan.data!.sha512 }
      : { size, md5: image.checksum, sha512: image.osHashValue };
    const made: string[] = [];
    const failed: string[] = [];
    let message = "";

    // The landing store ends first; the copies are reserved against the quota in the same statement.
    const reserved = await this.update(claim, imageId, (img) => {
      const props = {
        ...img.properties,
        [IMPORTING_PROPERTY]: editList(img.properties[IMPORTING_PROPERTY], [], already),
      };
      const fields: ImageDataFields = { pendingCopies: todo.length };
      if (importing) fields.stores = already;
      const activate = importing && !plan.mustSucceed && already.length > 0;
      const extra = Math.max(0, todo.length - img.pendingCopies);
      const reserve = this.d.quota.reservation(img.owner, extra > 0 ? size * extra : null, false);
      return {
        to: activate ? "active" : img.status,
        fields: activate ? { ...fields, ...activeFields(plan.data!) } : fields,
        properties: activate ? withCopied(props, plan.data!) : props,
        reserve,
      };
    });
    if (reserved === "lost") return { outcome: "lost" };
    const quotaRefused = reserved === "refused";
    if (quotaRefused) message = "Image exceeds the storage quota: the copies to further stores do not fit.";

    for (const target of todo) {
      let why: string | null = null;
      const store = storeById(stores.catalog, target);
      const to = stores.get(target);
      if (quotaRefused) why = message;
      else if (!store || !to) why = `Store ${target} is not configured.`;
      else if (store.readOnly) why = READ_ONLY_STORE;
      else why = await this.copy(claim, plan.source, to, imageId, expect);
      if (why !== null) {
        message = why;
        failed.push(target);
        if (plan.mustSucceed) break;
      } else made.push(target);
      const ok = why === null;
      const outcome = await this.update(claim, imageId, (img) => {
        const props = {
          ...img.properties,
          [IMPORTING_PROPERTY]: editList(img.properties[IMPORTING_PROPERTY], [], [target]),
          [FAILED_PROPERTY]: ok
            ? (img.properties[FAILED_PROPERTY] ?? "")
            : editList(img.properties[FAILED_PROPERTY], [target]),
        };
        const fields: ImageDataFields = { pendingCopies: Math.max(0, img.pendingCopies - 1) };
        if (ok) fields.stores = [...new Set([...img.stores, target])];
        const activate = ok && img.status === "importing" && !plan.mustSucceed;
        return {
          to: activate ? "active" : img.status,
          fields: activate ? { ...fields, ...activeFields(plan.data!) } : fields,
          properties: activate ? withCopied(props, plan.data!) : props,
        };
      });
      if (outcome !== "done") {
        // Deleted or taken over meanwhile: the copy we just made is nobody's.
        if (ok) await to!.delete(dataKey(imageId));
        return { outcome: "lost" };
      }
    }

    image = await this.current(claim, imageId);
    if (!image) return { outcome: "lost" };
    if (failed.length > 0 && plan.mustSucceed) {
      if (!importing) await this.undoCopies(claim, imageId, made);
      return { outcome: "failed", message, failed };
    }
    if (importing && image.status === "importing" && !plan.mustSucceed)
      return { outcome: "failed", message, failed: [] };
    return { outcome: "ok" };
  }

  /** The final activation of a must-succeed import: every target holds the data. */
  async activate(claim: TaskClaim, imageId: string, data: ImportedData): Promise<"done" | "lost"> {
    return this.update(claim, imageId, (img) => ({
      to: "active",
      fields: { ...activeFields(data), pendingCopies: 0 },
      properties: withCopied(img.properties, data),
    })) as Promise<"done" | "lost">;
  }

  /**
   * The end of the phase for an image that is active: the lock goes, and the source object too when the
   * source is not one of the image's stores (glance-direct staged in the default store, which was not a target).
   */
  async release(claim: TaskClaim, imageId: string, source: string): Promise<"done" | "lost"> {
    const outcome = await this.update(claim, imageId, (img) => ({
      to: img.status,
      fields: { pendingCopies: 0 },
      properties: released(img.properties),
    }));
    if (outcome !== "done") return "lost";
    const img = (await this.d.repo.find(imageId, null))?.image;
    if (img && !holdingStores(this.d.stores.catalog, img).includes(source))
      await this.d.stores.get(source)?.delete(dataKey(imageId));
    return "done";
  }

  /** copy-image with all_stores_must_succeed: one store failed, so the copies this task made go again. */
  private async undoCopies(claim: TaskClaim, imageId: string, made: string[]): Promise<void> {
    if (made.length === 0) return;
    const outcome = await this.update(claim, imageId, (img) => ({
      to: img.status,
      fields: { stores: img.stores.filter((s) => !made.includes(s)) },
      properties: img.properties,
    }));
    if (outcome !== "done") return;
    for (const s of made) await this.d.stores.get(s)?.delete(dataKey(imageId));
  }

  /** One copy; null when it worked, else why it failed (the target keeps nothing of it). */
  private async copy(
    claim: TaskClaim,
    source: string,
    to: BlobStore,
    imageId: string,
    expect: CopyExpectation,
  ): Promise<string | null> {
    const from = this.d.stores.get(source);
    if (!from) return `Store ${source} is not configured.`;
    try {
      await copyData(from, to, imageId, expect, { ...this.d.settings, beforeWrite: () => claim.beat() });
      return null;
    } catch (err) {
      if (err instanceof CopyFailed) return err.message;
      if (err instanceof TaskLost) throw err;
      logFailure("copy to store", imageId, err);
      await to.delete(dataKey(imageId)).catch(() => {});
      return `Copying image ${imageId} failed.`;
    }
  }

  /** The image while this task holds its import lock (importing, or active for copies), else null. */
  private async current(claim: TaskClaim, imageId: string): Promise<StoredImage | null> {
    const image = (await this.d.repo.find(imageId, null))?.image;
    return image && holds(claim, image) ? image : null;
  }

  /** A CAS on the row we hold, retried across unrelated revision bumps. "refused": the reservation did not fit. */
  private async update(
    claim: TaskClaim,
    imageId: string,
    next: (image: StoredImage) => Omit<StatusChange, "from" | "revision">,
  ): Promise<"done" | "lost" | "refused"> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const image = await this.current(claim, imageId);
      if (!image) return "lost";
      const change = next(image);
      if (
        await this.d.repo.transition(imageId, { ...change, from: image.status, revision: image.revision }, this.d.now())
      )
        return "done";
      if (change.reserve) {
        const again = await this.current(claim, imageId);
        if (again && again.revision === image.revision) {
          // Same row, so the reservation did not fit: the stores fail, the rest of the change still applies.
          const { reserve: _r, ...rest } = change;
          const fields = { ...rest.fields, pendingCopies: 0 };
          const ok = await this.d.repo.transition(
            imageId,
            { ...rest, fields, from: image.status, revision: image.revision },
            this.d.now(),
          );
          return ok ? "refused" : "lost";
        }
      }
    }
    return "lost";
  }
}

/** The data fields an import's activation writes. */
function activeFields(data: ImportedData): ImageDataFields {
  return {
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
}

/** The properties an activating image ends with: glance-download adds those it copied from the remote image. */
function withCopied(properties: Record<string, string>, data: ImportedData): Record<string, string> {
  return data.metadata ? { ...properties, ...data.metadata.properties } : properties;
}

/** The image is still this task's: its lock, while importing or (copies after activation) active. */
export function holds(claim: TaskClaim, image: StoredImage): boolean {
  return (
    (image.status === "importing" || image.status === "active") && image.properties[LOCK_PROPERTY] === claim.task.id
  );
}
