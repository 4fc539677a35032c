// D1TaskRepository: import tasks in D1 (claim/heartbeat by compare-and-swap on status and updated_at).
import { and, asc, desc, eq, gt, isNull, lt, or, type SQL } from "drizzle-orm";
import { type DrizzleD1Database, drizzle } from "drizzle-orm/d1";
import type { Task, TaskListQuery, TaskRepository, TaskStatus } from "../../services/import/ports";
import { type TaskRow, tasks } from "./schema";

/** A row is a Task plus its soft-delete columns. */
const toTask = ({ deleted: _d, deletedAt: _at, ...task }: TaskRow): Task => ({
  ...task,
  status: task.status as TaskStatus,
});

export class D1TaskRepository implements TaskRepository {
  private readonly db: DrizzleD1Database;
  constructor(d1: D1Database) {
    this.db = drizzle(d1);
  }

  async insert(task: Task): Promise<void> {
    await this.db.insert(tasks).values(task).run();
  }

  async find(id: string): Promise<Task | null> {
    const rows = await this.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.id, id), eq(tasks.deleted, false)))
      .limit(1);
    return rows[0] ? toTask(rows[0]) : null;
  }

  async listForImage(imageId: string, owner: string | null, now: number): Promise<Task[]> {
    const conds: SQL[] = [eq(tasks.imageId, imageId), eq(tasks.deleted, false)];
    // Expired tasks are gone for Glance (it purges them); we just stop showing them.
    conds.push(or(isNull(tasks.expiresAt), gt(tasks.expiresAt, now))!);
    if (owner !== null) conds.push(eq(tasks.owner, owner));
    const rows = await this.db
      .select()
      .from(tasks)
      .where(and(...conds))
      .orderBy(asc(tasks.createdAt), asc(tasks.id));
    return rows.map(toTask);
  }

  async list(q: TaskListQuery): Promise<Task[]> {
    const conds: SQL[] = [eq(tasks.deleted, false)];
    if (q.status !== undefined) conds.push(eq(tasks.status, q.status));
    if (q.type !== undefined) conds.push(eq(tasks.type, q.type));
    const m = q.marker;
    if (m) {
      // Keyset pagination on (created_at, id) in the requested direction.
      const after = q.sortDir === "desc" ? lt : gt;
      conds.push(
        or(after(tasks.createdAt, m.createdAt), and(eq(tasks.createdAt, m.createdAt), after(tasks.id, m.id)))!,
      );
    }
    const dir = q.sortDir === "desc" ? desc : asc;
    const rows = await this.db
      .select()
      .from(tasks)
      .where(and(...conds))
      .orderBy(dir(tasks.createdAt), dir(tasks.id))
      .limit(q.limit);
    return rows.map(toTask);
  }

  async update(id: string, expected: Pick<Task, "status" | "updatedAt">, next: Partial<Task>): Promise<boolean> {
    const res = await this.db
      .update(tasks)
      .set(next)
      .where(and(eq(tasks.id, id), eq(tasks.status, expected.status), eq(tasks.updatedAt, expected.updatedAt)))
      .run();
    return res.meta.changes === 1;
  }

  async remove(id: string): Promise<void> {
    await this.db.delete(tasks).where(eq(tasks.id, id)).run();
  }
}
