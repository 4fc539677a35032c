// /v2/tasks (admin-only by default, as Glance's tasks_api_access): list and show; DELETE is always 405.
import { Hono } from "hono";
import { badRequest, DomainError } from "../../domain/errors";
import { UUID_RE } from "../../domain/image";
import { assertTasksApi } from "../../services/task-service";
import type { AppEnv } from "../context";
import { parseSortDir } from "../requests/list-images";
import { toTaskDoc } from "../responses/task";

export const tasks = new Hono<AppEnv>();

const STATUSES = ["pending", "processing", "success", "failure"];

tasks.get("/", async (c) => {
  assertTasksApi(c.var.ctx);
  const url = new URL(c.req.url);
  const q = url.searchParams;
  const limitText = q.get("limit") ?? "25";
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText)) throw badRequest("limit param must be an integer");
  const sortDir = parseSortDir(q.get("sort_dir") ?? "desc");
  const sortKey = q.get("sort_key") ?? "created_at";
  if (sortKey !== "created_at") throw badRequest(`Invalid sort key: ${sortKey}. Only created_at is supported.`);
  const status = q.get("status") ?? undefined;
  if (status !== undefined && !STATUSES.includes(status)) throw badRequest(`Invalid status value: ${status}`);
  const type = q.get("type") ?? undefined;
  const marker = q.get("marker") ?? undefined;
  if (marker !== undefined && !UUID_RE.test(marker)) throw badRequest("Invalid marker format");
  const pageSize = Math.min(limit, 1000);
  const page = await c.var.services.tasks.list(c.var.ctx, { limit: pageSize, sortDir, status, type, marker });
  const body: Record<string, unknown> = {
    tasks: page.map((t) => toTaskDoc(t, false)),
    first: "/v2/tasks",
    schema: "/v2/schemas/tasks",
  };
  if (limit > 0 && page.length === pageSize) {
    const next = new URLSearchParams(q);
    next.set("marker", page[page.length - 1]!.id);
    body.next = `/v2/tasks?${next}`;
  }
  return c.json(body);
});

tasks.get("/:taskId", async (c) =>
  c.json(toTaskDoc(await c.var.services.tasks.show(c.var.ctx, c.req.param("taskId")))),
);

tasks.delete("/:taskId", () => {
  throw new DomainError(
    "method_not_allowed",
    "This operation is currently not permitted on Glance Tasks. They are auto deleted after reaching the time based on their expires_at property.",
    { headers: { Allow: "GET" } },
  );
});
