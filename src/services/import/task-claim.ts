// TaskClaim: one queue delivery's hold on an import task, kept fresh so other deliveries do not take it over.

import { TaskLost } from "./outcome";
import type { Task, TaskRepository } from "./ports";

/** Ended tasks stay listed this long (Glance's task_time_to_live, 48 h). */
const TASK_TTL_MS = 48 * 3600 * 1000;

export class TaskClaim {
  constructor(
    private readonly tasks: Pick<TaskRepository, "update">,
    private readonly timeoutMs: number,
    private readonly now: () => number,
    public task: Task,
  ) {}

  /** Refreshes updated_at when a quarter of the timeout has passed (or now, when forced). */
  async beat(force = false): Promise<void> {
    const at = Math.max(this.now(), this.task.updatedAt + 1);
    if (!force && at - this.task.updatedAt < this.timeoutMs / 4) return;
    if (!(await this.tasks.update(this.task.id, this.task, { updatedAt: at }))) throw new TaskLost();
    this.task = { ...this.task, updatedAt: at };
  }

  async end(status: "success" | "failure", message: string): Promise<void> {
    const at = Math.max(this.now(), this.task.updatedAt + 1);
    const result = status === "success" ? { image_id: this.task.imageId } : null;
    await this.tasks.update(this.task.id, this.task, {
      status,
      message,
      result,
      updatedAt: at,
      expiresAt: at + TASK_TTL_MS,
    });
  }
}
