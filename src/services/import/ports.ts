// Storage and messaging ports of the import feature: stage records, tasks and the task queue.
import type { BlobPart } from "../ports";

/** Staged data of one image in `uploading`. Single-request stages carry digests; chunked ones carry a session. */
export interface StagingRecord {
  imageId: string;
  /** R2 multipart upload of a chunked stage; null for a single-request stage (its object is complete). */
  uploadId: string | null;
  total: number | null;
  chunkSize: number | null;
  /** Bytes stored so far (a chunked stage: the sum of its stored parts, in whatever order they came). */
  received: number;
  /** Chunked: ResumableDigests.saveState() after the first `hashed` bytes, the prefix that came in order. */
  hashState: string | null;
  hashed: number;
  checksum: string | null;
  osHashValue: string | null;
  updatedAt: number;
}

/** A stored part of a chunked stage, with its size. */
export interface StagedPart extends BlobPart {
  size: number;
}

export interface StagingRepository {
  find(imageId: string): Promise<StagingRecord | null>;
  /** Inserts or replaces the record (and forgets any parts of an earlier session). */
  put(record: StagingRecord): Promise<void>;
  /**
   * Claims a part for the chunk about to upload it: false when the part is stored already, or claimed by
   * another request since `staleBefore` or later (a claim older than that belongs to a request that died).
   */
  claimPart(imageId: string, partNumber: number, size: number, now: number, staleBefore: number): Promise<boolean>;
  /**
   * Records our claimed part as stored, with the session's new `received`, in one atomic batch. `added` is
   * false when the claim was taken over meanwhile (the part is someone else's now).
   */
  storePart(imageId: string, part: StagedPart, claimedAt: number): Promise<{ added: boolean; received: number }>;
  /** Gives our claim up (the chunk failed), so the chunk can be sent again at once. */
  releasePart(imageId: string, partNumber: number, claimedAt: number): Promise<void>;
  /** The session's stored parts in part order. */
  parts(imageId: string): Promise<StagedPart[]>;
  /** Compare-and-swap on `hashed`: the in-order prefix grew by a chunk whose bytes were hashed on the way in. */
  advanceHash(
    imageId: string,
    expectedHashed: number,
    next: Pick<StagingRecord, "hashed" | "hashState" | "updatedAt">,
  ): Promise<boolean>;
  /** Removes the record and its parts. */
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
  /** glance-download: the caller's token and the remote endpoint, sealed (CredentialSeal); never stored in D1. */
  credential?: string;
}

/** Seals what a queue message must carry but nobody reading the queue may learn (lib/sealed-box). */
export interface CredentialSeal {
  seal(plain: string): Promise<string>;
  /** null when the text was not sealed by this service's secret. */
  open(sealed: string): Promise<string | null>;
}

export interface ImportQueue {
  send(message: ImportMessage): Promise<void>;
}
