// POST /v2/images/{id}/import: Glance's checks, a task row, the image to `importing`, one queue message.
import { badRequest, conflict, DomainError } from "../../domain/errors";
import { authorize } from "../../domain/policy";
import type { RequestContext } from "../../domain/request-context";
import { checkImportUri } from "../../domain/uri-filter";
import { logFailure } from "../../lib/log-failure";
import { loadImage } from "../load-image";
import type { ImageRepository, StoredImage } from "../ports";
import { checkGlanceSource, findGlanceEndpoint, type GlanceCredential, type GlanceSource } from "./glance-download";
import { FAILED_PROPERTY, IMPORTING_PROPERTY, LOCK_PROPERTY, TASK_TYPE, unlock } from "./import-lock";
import type { CredentialSeal, ImportMessage, ImportQueue, Task, TaskRepository } from "./ports";

export type ImportMethod = "glance-direct" | "web-download" | "glance-download";

/**
 * The methods this site offers, in the order /v2/info/import and the create header list them (Glance's
 * order). glance-download needs the caller's Keystone token and catalog, so it is offered only in Keystone mode.
 */
export function importMethods(opts: { glanceDownload: boolean }): readonly ImportMethod[] {
  return opts.glanceDownload ? ["glance-direct", "web-download", "glance-download"] : ["glance-direct", "web-download"];
}

export interface ImportRequest {
  method: ImportMethod;
  /** web-download only. */
  uri: string | null;
  /** The whole request body, kept as the task's `import_req`. */
  body: Record<string, unknown>;
}

export interface ImportServiceDeps {
  repo: ImageRepository;
  tasks: TaskRepository;
  queue: ImportQueue | null;
  allowHosts: string[];
  /** Seals glance-download's token into its queue message; null when glance-download is not offered. */
  seal: CredentialSeal | null;
  now: () => number;
  newId: () => string;
}

const ATTEMPTS = 3;

export class ImportService {
  /** What /v2/info/import and the create header offer, and what POST /import accepts. */
  readonly methods: readonly ImportMethod[];

  constructor(private readonly d: ImportServiceDeps) {
    this.methods = importMethods({ glanceDownload: d.seal !== null });
  }

  /** Validates, records the task and hands it to the queue; the caller answers 202. */
  async start(ctx: RequestContext, id: string, req: ImportRequest): Promise<void> {
    const { repo, tasks, now } = this.d;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { image, membership } = await loadImage(repo, ctx, id, "get_image");
      // Glance judges the image's state (409) before the caller's right to modify it (403).
      checkState(image, req.method);
      // glance-download's fields are judged after the state and before the caller's rights, as in Glance.
      const glance = req.method === "glance-download" ? checkGlanceSource(methodOf(req)) : null;
      authorize(ctx, image, membership, "modify_image");
      if (req.method === "web-download") {
        const check = checkImportUri(req.uri ?? "", { allowHosts: this.d.allowHosts });
        if (!check.ok) throw badRequest(`URI for web-download does not pass filtering: ${req.uri ?? "None"}`);
      }
      const credential = glance ? await this.credential(ctx, glance) : null;
      const at = now();
      const task = newTask(ctx, image, req, this.d.newId(), at);
      await tasks.insert(task);
      // The status change is the import lock: a second import now fails the state rules with 409.
      const properties = {
        ...image.properties,
        [LOCK_PROPERTY]: task.id,
        [IMPORTING_PROPERTY]: "",
        [FAILED_PROPERTY]: "",
      };
      const change = { from: image.status, to: "importing", properties, revision: image.revision } as const;
      if (!(await repo.transition(id, change, at))) {
        await tasks.remove(task.id);
        continue; // the image changed between read and write: judge it again
      }
      const message: ImportMessage = credential === null ? { taskId: task.id } : { taskId: task.id, credential };
      await this.enqueue(task, message, { ...image, status: "importing", properties, revision: image.revision + 1 });
      return;
    }
    throw conflict("The image was changed by another request; please retry.");
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
      const back = method === "glance-direct" ? "uploading" : "queued";
      const change = { from: "importing", to: back, properties, revision: image.revision } as const;
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
  if (image.status === "active") throw conflict("Image with status active cannot be target for import");
  if ((method === "web-download" || method === "glance-download") && image.status !== "queued")
    throw conflict(`Image needs to be in 'queued' state to use '${method}' method`);
  if (method === "glance-direct" && image.status !== "uploading")
    throw conflict("Image needs to be staged before 'glance-direct' method can be used");
  if (image.containerFormat == null) throw conflict("'container_format' needs to be set before import");
  if (image.diskFormat == null) throw conflict("'disk_format' needs to be set before import");
}

function newTask(ctx: RequestContext, image: StoredImage, req: ImportRequest, id: string, at: number): Task {
  return {
    id,
    type: TASK_TYPE,
    status: "pending",
    // Glance's task owner is the caller's project (an admin importing another's image owns the task).
    owner: ctx.projectId,
    imageId: image.id,
    requestId: ctx.requestId,
    userId: ctx.userId,
    // Single store: Glance records the target backends as [None].
    input: { image_id: image.id, import_req: req.body, backend: [null] },
    result: null,
    message: "",
    createdAt: at,
    updatedAt: at,
    expiresAt: null,
  };
}
