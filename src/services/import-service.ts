// POST /v2/images/{id}/import: Glance's checks, a task row, the image to `importing`, one queue message.
import { badRequest, conflict, DomainError, forbidden, imageNotFound } from "../domain/errors";
import { canMutate, canView } from "../domain/policy";
import type { RequestContext } from "../domain/request-context";
import { checkImportUri } from "../domain/uri-filter";
import { logFailure } from "../lib/log-failure";
import type { ImportImageWriter, ImportQueue, Task, TaskRepository } from "./import-ports";
import type { ImageRepository, StoredImage } from "./ports";

export type ImportMethod = "glance-direct" | "web-download";

/** The methods this site offers, in the order /v2/info/import and the create header list them. */
export const IMPORT_METHODS: readonly ImportMethod[] = ["glance-direct", "web-download"];

export interface ImportRequest {
  method: ImportMethod;
  /** web-download only. */
  uri: string | null;
  /** The whole request body, kept as the task's `import_req`. */
  body: Record<string, unknown>;
}

export interface ImportServiceDeps {
  repo: ImageRepository;
  writer: ImportImageWriter;
  tasks: TaskRepository;
  queue: ImportQueue | null;
  allowHosts: string[];
  now: () => number;
  newId: () => string;
}

export const TASK_TYPE = "api_image_import";
/** Image properties of an import (Glance's names); os_glance_* is reserved, so users cannot set them. */
export const LOCK_PROPERTY = "os_glance_import_task";
export const IMPORTING_PROPERTY = "os_glance_importing_to_stores";
export const FAILED_PROPERTY = "os_glance_failed_import";
const ATTEMPTS = 3;

export class ImportService {
  constructor(private readonly d: ImportServiceDeps) {}

  /** Validates, records the task and hands it to the queue; the caller answers 202. */
  async start(ctx: RequestContext, id: string, req: ImportRequest): Promise<void> {
    const { repo, writer, tasks, now } = this.d;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const found = await repo.find(id, ctx.projectId);
      if (!found || !canView(ctx, found.image, found.membership)) throw imageNotFound(id);
      const image = found.image;
      checkState(image, req.method);
      if (!canMutate(ctx, image)) throw forbidden("You are not authorized to complete modify_image action.");
      if (req.method === "web-download") {
        const check = checkImportUri(req.uri ?? "", { allowHosts: this.d.allowHosts });
        if (!check.ok) throw badRequest(`URI for web-download does not pass filtering: ${req.uri ?? "None"}`);
      }
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
      if (!(await writer.finish(image, image.status, "importing", {}, properties, at))) {
        await tasks.remove(task.id);
        continue; // the image changed between read and write: judge it again
      }
      await this.enqueue(task, { ...image, status: "importing", properties, revision: image.revision + 1 });
      return;
    }
    throw conflict("The image was changed by another request; please retry.");
  }

  /** Sends the task; if the queue refuses, undo the status change so the image is not stuck importing. */
  private async enqueue(task: Task, image: StoredImage): Promise<void> {
    const { writer, tasks, queue, now } = this.d;
    try {
      if (!queue) throw new Error("IMPORT_QUEUE is not bound");
      await queue.send({ taskId: task.id });
    } catch (err) {
      const previous = image.properties[LOCK_PROPERTY] === task.id ? unlock(image.properties) : image.properties;
      const back =
        (task.input?.import_req as { method?: { name?: string } } | undefined)?.method?.name === "glance-direct"
          ? "uploading"
          : "queued";
      await writer.finish(image, "importing", back, {}, previous, now()).catch(() => false);
      await tasks.update(task.id, task, {
        status: "failure",
        message: "The import could not be queued.",
        updatedAt: now(),
      });
      logFailure("import enqueue", image.id, err);
      throw new DomainError("service_unavailable", undefined);
    }
  }
}

/** Glance's 409 state rules, in its order. */
function checkState(image: StoredImage, method: ImportMethod): void {
  if (image.status === "active") throw conflict("Image with status active cannot be target for import");
  if (method === "web-download" && image.status !== "queued")
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

/** The image's properties without the import lock (what stays once an import ends). */
export function unlock(properties: Record<string, string>): Record<string, string> {
  const { [LOCK_PROPERTY]: _lock, ...rest } = properties;
  return rest;
}
