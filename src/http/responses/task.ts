// Task documents: the raw-row form of GET /v2/images/{id}/tasks and the /v2/tasks API form (api-spec §9.5-9.6).
import type { Task } from "../../services/import/ports";
import { isoTime } from "./image";

/** oslo's serialisation of a DB datetime: no zone, microseconds (always zero here). */
const rowTime = (ms: number) => `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}.000000`;

/** GET /v2/images/{id}/tasks element: the task row as Glance's DB layer returns it. */
export function toTaskRow(t: Task): Record<string, unknown> {
  return {
    id: t.id,
    type: t.type,
    status: t.status,
    owner: t.owner,
    expires_at: t.expiresAt === null ? null : rowTime(t.expiresAt),
    created_at: rowTime(t.createdAt),
    updated_at: rowTime(t.updatedAt),
    deleted_at: null,
    deleted: false,
    image_id: t.imageId,
    request_id: t.requestId,
    user_id: t.userId,
    input: t.input,
    result: t.result,
    message: t.message,
  };
}

/** /v2/tasks document; list items leave out input, result and message. */
export function toTaskDoc(t: Task, full = true): Record<string, unknown> {
  const doc: Record<string, unknown> = { id: t.id, type: t.type, status: t.status, owner: t.owner };
  if (full) Object.assign(doc, { input: t.input, result: t.result, message: t.message });
  Object.assign(doc, { created_at: isoTime(t.createdAt), updated_at: isoTime(t.updatedAt) });
  if (t.expiresAt !== null) doc.expires_at = isoTime(t.expiresAt);
  if (t.imageId !== null) doc.image_id = t.imageId;
  if (t.requestId !== null) doc.request_id = t.requestId;
  if (t.userId !== null) doc.user_id = t.userId;
  doc.self = `/v2/tasks/${t.id}`;
  doc.schema = "/v2/schemas/task";
  return doc;
}
