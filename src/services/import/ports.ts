// Storage and messaging ports of the import feature: stage records, tasks and the task queue.
import type { BlobPart } from "../ports";

/** Staged data of one image in `uploading`. Single-request stages carry digests; chunked ones carry a session. */
export interface StagingRecord {
  imageId: string;
  /** R2 multipart upload of a chunked stage; null for a single-request stage (its object is complete). */
  uploadId: string | null;
  total: number | null;
  chunkSize: number | null;
  received: number;
  parts: BlobPart[];
  /** ResumableDigests.saveState() after `received` bytes (chunked). */
  hashState: string | null;
  checksum: string | null;
  osHashValue: string | null;
  /** Hex of the first bytes of the data, for virtual_size. */
  head: string | null;
  updatedAt: number;
}

export interface StagingRepository {
  find(imageId: string): Promise<StagingRecord | null>;
  /** Inserts or replaces the record. */
  put(record: StagingRecord): Promise<void>;
  /** Compare-and-swap on `received`: applies `next` only if the row still has `expectedReceived`. */
  advance(
    imageId: string,
    expectedReceived: number,
    next: Pick<StagingRecord, "received" | "parts" | "hashState" | "head" | "updatedAt">,
  ): Promise<boolean>;
  remove(imageId: string): Promise<void>;
}

export type TaskStatus = "pending" | "processing" | "success" | "failure";

export interface Task {
  id: string;
  type: string;
  status: TaskStatus;
  owner: string | null;
  imageId: string | null;
  requestId: string | null;
  userId: string | null;
  input: Record<string, unknown> | null;
  result: Record<string, unknown> | null;
  message: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number | null;
}

export interface TaskListQuery {
  limit: number;
  marker: Task | null;
  sortDir: "asc" | "desc";
  status?: string;
  type?: string;
}

export interface TaskRepository {
  insert(task: Task): Promise<void>;
  find(id: string): Promise<Task | null>;
  /** Non-expired tasks of an image, oldest first; `owner` restricts to that project unless null (admin). */
  listForImage(imageId: string, owner: string | null, now: number): Promise<Task[]>;
  list(query: TaskListQuery): Promise<Task[]>;
  /** Compare-and-swap on (status, updated_at): the claim/heartbeat primitive of the queue consumer. */
  update(id: string, expected: Pick<Task, "status" | "updatedAt">, next: Partial<Task>): Promise<boolean>;
  remove(id: string): Promise<void>;
}

/** The message the import endpoint enqueues; the consumer loads everything else from D1. */
export interface ImportMessage {
  taskId: string;
}

export interface ImportQueue {
  send(message: ImportMessage): Promise<void>;
}
