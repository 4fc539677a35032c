// Task reads: an image's tasks (visible image -> its tasks) and the admin-only /v2/tasks API.
import { badRequest, forbidden, notFound } from "../domain/errors";
import type { RequestContext } from "../domain/request-context";
import type { ImageService } from "./image-service";
import type { Task, TaskListQuery, TaskRepository } from "./import/ports";

export interface TaskServiceDeps {
  tasks: TaskRepository;
  images: Pick<ImageService, "load">;
  now: () => number;
}

export class TaskService {
  constructor(private readonly d: TaskServiceDeps) {}

  /** GET /v2/images/{id}/tasks: 404 (plain) unless the image is visible; admins see every project's tasks. */
  async forImage(ctx: RequestContext, imageId: string): Promise<Task[]> {
    await this.d.images.load(ctx, imageId, "get_image", () => notFound());
    return this.d.tasks.listForImage(imageId, ctx.isAdmin ? null : ctx.projectId, this.d.now());
  }

  /** GET /v2/tasks (tasks_api_access is admin-only by default). */
  async list(ctx: RequestContext, q: Omit<TaskListQuery, "marker"> & { marker?: string }): Promise<Task[]> {
    assertTasksApi(ctx);
    let marker: Task | null = null;
    if (q.marker !== undefined) {
      marker = await this.d.tasks.find(q.marker);
      if (!marker) throw badRequest("Invalid marker. Task could not be found.");
    }
    return this.d.tasks.list({ ...q, marker });
  }

  async show(ctx: RequestContext, id: string): Promise<Task> {
    assertTasksApi(ctx);
    const task = await this.d.tasks.find(id);
    if (!task) throw notFound(`Failed to find task ${id}`);
    return task;
  }
}

export function assertTasksApi(ctx: RequestContext): void {
  if (!ctx.isAdmin) throw forbidden("You are not authorized to complete tasks_api_access action.");
}
