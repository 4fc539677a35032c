// POST /v2/images/{id}/import: Glance's checks, a task row, the image to `importing`, one queue message.
import { badRequest, conflict, DomainError } from "../../domain/errors";
import { authorize } from "../../domain/policy";
import type { RequestContext } from "../../domain/request-context";
import { importTargets, inConfigOrder, type StoreCatalog } from "../../domain/stores";
import { checkImportUri } from "../../domain/uri-filter";
import { logFailure } from "../../lib/log-failure";
import { loadImage } from "../load-image";
import type { ImageRepository, StoredImage } from "../ports";
import { checkGlanceSource, findGlanceEndpoint, type GlanceCredential, type GlanceSource } from "./glance-download";
import { FAILED_PROPERTY, IMPORTING_PROPERTY, LOCK_PROPERTY, TASK_TYPE, unlock } from "./import-lock";
import type { CredentialSeal, ImportMessage, ImportQueue, Task, TaskRepository } from "./ports";

export type ImportMethod = "glance-direct" | "web-download" | "copy-image" | "glance-download";

/**
 * The methods this site offers, in Glance's order (the order /v2/info/import and the create header list them).
 * copy-image needs a second store to copy to; glance-download needs the caller's Keystone token and catalog, so
 * it is offered only in Keystone mode.
 */
export function importMethods(opts: { multiStore: boolean; glanceDownload: boolean }): readonly ImportMethod[] {
  const methods: ImportMethod[] = ["glance-direct", "web-download"];
  if (opts.multiStore) methods.push("copy-image");
  if (opts.glanceDownload) methods.push("glance-download");
  return methods;
}

export interface ImportRequest {
  method: ImportMethod;
  /** web-download only. */
  uri: string | null;
  /** The whole request body, kept as the task's `import_req`. */
  body: Record<string, unknown>;
  /** X-Image-Meta-Store, which names the one target store when the body names none. */
  storeHeader?: string | null;
}

export interface ImportServiceDeps {
  repo: ImageRepository;
  stores: StoreCatalog;
  /** Seals glance-download's token into its queue message; null when glance-download is not offered. */
  seal: CredentialSeal | null;
  tasks: TaskRepository;
  queue: ImportQueue | null;
  allowHosts: string[];
  now: () => number;
  newId: () => string;
}

const ATTEMPTS = 3;

export class ImportService {
  /** What /v2/info/import and the create header offer, and what POST /import accepts. */
  readonly methods: readonly ImportMethod[];

  constructor(private readonly d: ImportServiceDeps) {
    this.methods = importMethods({ multiStore: d.stores.multi, glanceDownload: d.seal !== null });
  }

  /** Validates, records the task and hands it to the queue; the caller answers 202. */
  async start(ctx: RequestContext, id: string, req: ImportRequest): Promise<void> {
    const { repo, tasks, now, stores } = this.d;
    const copy = req.method === "copy-image";
    const mustSucceed = req.body.all_stores_must_succeed ?? true;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { image, membership } = await loadImage(repo, ctx, id, "get_image");
      // Glance judges the image's state (409) before the caller's right to act on it (403).
      checkState(image, req.method);
      // glance-download's fields are judged after the state and before the caller's rights, as in Glance.
      const glance = req.method === "glance-download" ? checkGlanceSource(methodOf(req)) : null;
      authorize(ctx, image, membership, copy ? "copy_image" : "modify_image");
      const targets = stores.multi ? this.targets(image, req) : null;
      if (targets?.length === 0) return; // copy-image to all stores: already everywhere, nothing to do (Glance)
      if (!mustSucceed && !stores.multi)
        throw badRequest(`All_stores_must_succeed can only be set with enabled_backends ${req.uri ?? "None"}`);
      if (req.method === "web-download") {
        const check = checkImportUri(req.uri ?? "", { allowHosts: this.d.allowHosts });
        if (!check.ok) throw badRequest(`URI for web-download does not pass filtering: ${req.uri ?? "None"}`);
      }
      const credential = glance ? await this.credential(ctx, glance) : null;
      const at = now();
      const task = newTask(ctx, image, req, targets, this.d.newId(), at);
      await tasks.insert(task);
      // The lock property (and for the other methods the status change) makes a second import a 409.
      const properties = {
        ...image.properties,
        [LOCK_PROPERTY]: task.id,
        [IMPORTING_PROPERTY]: (targets ?? []).join(","),
        [FAILED_PROPERTY]: "",
      };
      // copy-image leaves the image active (its data stays readable), the other methods move it to importing.
      const to = copy ? "active" : "importing";
      const change = { from: image.status, to, properties, revision: image.revision } as const;
      if (!(await repo.transition(id, change, at))) {
        await tasks.remove(task.id);
        continue; // the image changed between read and write: judge it again
      }
      const message: ImportMessage = credential === null ? { taskId: task.id } : { taskId: task.id, credential };
      await this.enqueue(task, message, { ...image, status: to, properties, revision: image.revision + 1 });
      return;
    }
    throw conflict("The image was changed by another request; please retry.");
  }

  /** The stores an import writes to, in the order given; copy-image drops or refuses stores that have the image. */
  private targets(image: StoredImage, req: ImportRequest): string[] {
    const { stores } = this.d;
    const allStores = req.body.all_stores === true;
    const ids = importTargets(stores, { stores: req.body.stores, allStores, header: req.storeHeader ?? null });
    if (req.method !== "copy-image") return ids;
    const present = inConfigOrder(stores, image.stores.length > 0 ? image.stores : [stores.legacyId]);
    if (allStores) return ids.filter((s) => !present.includes(s));
    const there = present.find((s) => ids.includes(s));
    if (there !== undefined) throw badRequest(`Image is already present at store '${there}'`);
    return ids;
  }

  /**
   * Sends the task. If the queue refuses, the import never started: the lock is released and the image
   * goes back to where it was (its staged data kept), so it is not stuck importing.
   */
  private async enqueue(task: Task, message: ImportMessage, image: StoredImage): Promise<void> {
    const { repo, tasks, queue, now } = this.d;
    try {
      if (!queue) throw new Error("IMPORT_QUEUE is not bound");
      await queue.send(message);
    } catch (err) {
      const properties = image.properties[LOCK_PROPERTY] === task.id ? unlock(image.properties) : image.properties;
      const method = (task.input?.import_req as { method?: { name?: string } } | undefined)?.method?.name;
      const back = method === "glance-direct" ? "uploading" : method === "copy-image" ? "active" : "queued";
      const change = { from: image.status, to: back, properties, revision: image.revision } as const;
      await repo.transition(image.id, change, now()).catch(() => false);
      await tasks.update(task.id, task, {
        status: "failure",
        message: "The import could not be queued.",
        updatedAt: now(),
      });
      logFailure("import enqueue", image.id, err);
      throw new DomainError("service_unavailable", undefined);
    }
  }

  /**
   * The consumer runs without the request, so the caller's token and the endpoint its catalog names for
   * the region (looked up now, as Glance looks it up in the request's context) travel sealed in the message.
   */
  private async credential(ctx: RequestContext, source: GlanceSource): Promise<string> {
    if (!this.d.seal || ctx.authToken === null) throw new DomainError("service_unavailable", undefined);
    const endpoint = findGlanceEndpoint(ctx.imageEndpoints, source.region, source.serviceInterface);
    const credential: GlanceCredential = { token: ctx.authToken, endpoint };
    return this.d.seal.seal(JSON.stringify(credential));
  }
}

const methodOf = (req: ImportRequest) => req.body.method as Record<string, unknown>;

/** Glance's 409 state rules, in its order. */
function checkState(image: StoredImage, method: ImportMethod): void {
  if (method === "copy-image") {
    if (image.status !== "active") throw conflict("Only images with status active can be targeted for copying");
    if (image.properties[LOCK_PROPERTY] !== undefined) throw conflict("Image has active task");
    return;
  }
  if (image.status === "active") throw conflict("Image with status active cannot be target for import");
  if ((method === "web-download" || method === "glance-download") && image.status !== "queued")
    throw conflict(`Image needs to be in 'queued' state to use '${method}' method`);
  if (method === "glance-direct" && image.status !== "uploading")
    throw conflict("Image needs to be staged before 'glance-direct' method can be used");
  if (image.containerFormat == null) throw conflict("'container_format' needs to be set before import");
  if (image.diskFormat == null) throw conflict("'disk_format' needs to be set before import");
}

function newTask(
  ctx: RequestContext,
  image: StoredImage,
  req: ImportRequest,
  targets: string[] | null,
  id: string,
  at: number,
): Task {
  return {
    id,
    type: TASK_TYPE,
    status: "pending",
    // Glance's task owner is the caller's project (an admin importing another's image owns the task).
    owner: ctx.projectId,
    imageId: image.id,
    requestId: ctx.requestId,
    userId: ctx.userId,
    // The target stores, in order; a single-store site records them as [None], as Glance does.
    input: { image_id: image.id, import_req: req.body, backend: targets ?? [null] },
    result: null,
    message: "",
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
  };
}
