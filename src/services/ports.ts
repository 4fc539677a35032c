// The storage interfaces the services depend on, written in domain words; storage/ implements them.
import type { Image, ImageStatus, MemberStatus } from "../domain/image";
import type { ListQuery } from "../domain/image-list";
import type { Membership } from "../domain/policy";
import type { StoreCatalog } from "../domain/stores";

/** An image as stored, with the revision used for optimistic concurrency. */
export interface StoredImage extends Image {
  revision: number;
  uploadStartedAt: number | null;
  uploadId: string | null;
  /** Copies reserved against the storage quota and not yet stored (an import or copy-image in progress). */
  pendingCopies: number;
}

export interface ImageMember {
  imageId: string;
  memberId: string;
  status: MemberStatus;
  createdAt: number;
  updatedAt: number;
}

/** Fields a data upload/import sets together with a status change. */
export type ImageDataFields = Partial<
  Pick<Image, "size" | "virtualSize" | "checksum" | "osHashAlgo" | "osHashValue" | "diskFormat" | "containerFormat"> &
    Pick<StoredImage, "uploadStartedAt" | "uploadId" | "stores" | "pendingCopies"> & {
      /** Declared size of the upload/stage in progress: counted as used by the storage quota until it ends. */
      uploadSize: number | null;
    }
>;

/** One compare-and-swap status change of an image row, with what changes along with it. */
export interface StatusChange {
  from: ImageStatus;
  to: ImageStatus;
  fields?: ImageDataFields;
  /** Replaces the extra properties (an import takes or releases its lock in the same statement). */
  properties?: Record<string, string>;
  /** The row must still have this revision (we change exactly the state we looked at). */
  revision?: number;
  /** Bytes the change reserves: it happens only if they fit the owner's quotas, judged in the same statement. */
  reserve?: Reservation | null;
}

/**
 * A declared size held against the owner's quotas as its image enters saving/uploading/importing. Checked and
 * recorded by one statement, so parallel uploads cannot all see the same remaining quota (D1 runs one
 * statement at a time).
 */
export interface Reservation {
  owner: string;
  bytes: number;
  /** Bytes of image data the owner may hold in all (USER_STORAGE_QUOTA); null = unlimited. */
  storageLimit: number | null;
  /** Bytes the owner may hold staged (IMAGE_STAGE_TOTAL); null = unlimited or not a stage. */
  stageLimit: number | null;
}

/** What a project uses, as the quotas count it (services/quota.ts). */
export interface ProjectUsage {
  /** Bytes of image data (staged too) plus the declared sizes of uploads in progress. */
  storedBytes: number;
  /** Bytes in uploading/importing, including the announced totals of chunked stages. */
  stagedBytes: number;
  /** Images not killed/deleted/pending_delete. */
  images: number;
  /** Images in saving/uploading/importing. */
  uploading: number;
}

export type InsertOutcome = "inserted" | "id_taken" | "over_quota";

export interface ListCaller {
  projectId: string | null;
  isAdmin: boolean;
}

export interface ImageRepository {
  /** A live image and the given project's membership on it (null when absent or deleted). */
  find(id: string, projectId: string | null): Promise<{ image: StoredImage; membership: Membership } | null>;
  /**
   * Inserts a new image unless its id is taken, including by a deleted image (ids are never reused), or its
   * owner already has `maxOwned` counted images (null = no limit); the count and the insert are one statement.
   */
  insert(image: Image, maxOwned?: number | null): Promise<InsertOutcome>;
  /** The project's current usage of everything the quotas limit. */
  usageOf(projectId: string): Promise<ProjectUsage>;
  /** Writes every user-settable field if the stored revision still equals `image.revision`. */
  save(image: StoredImage): Promise<boolean>;
  /** Compare-and-swap on status: true when the row was in `change.from` (and had `change.revision`, if given). */
  transition(id: string, change: StatusChange, now: number): Promise<boolean>;
  /** Soft-deletes the image and its members. */
  markDeleted(id: string, now: number): Promise<boolean>;
  /**
   * One page in the query's order, `limit` rows at most, after `query.marker` if set. `markerFound` is false
   * (and `images` empty) when the marker is not a live image visible to the caller.
   */
  listPage(query: ListQuery, caller: ListCaller): Promise<{ markerFound: boolean; images: StoredImage[] }>;

  listMembers(imageId: string): Promise<ImageMember[]>;
  findMember(imageId: string, memberId: string): Promise<ImageMember | null>;
  /** Adds or revives a membership as `pending`; false when a live one exists. */
  addMember(imageId: string, memberId: string, now: number): Promise<boolean>;
  setMemberStatus(imageId: string, memberId: string, status: MemberStatus, now: number): Promise<boolean>;
  removeMember(imageId: string, memberId: string, now: number): Promise<boolean>;
}

/** `length` bytes of an object starting at `offset`. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** An object's bytes as a stream, with the object's total size. */
export interface BlobBody {
  size: number;
  body: ReadableStream<Uint8Array>;
}

/**
 * Streams bytes into the store; nothing is stored unless close() succeeds. The one writer shape of the data
 * path: a single object of known length, one multipart part, or a whole multipart upload (services/data/sinks).
 */
export interface BlobWriter<T = void> {
  write(block: Uint8Array): Promise<void>;
  /** Resolves once everything written is stored. */
  close(): Promise<T>;
  /** Abandons what was written; never fails. */
  abort(): Promise<void>;
}

/** A stored part of a multipart upload, as complete() needs it. */
export interface BlobPart {
  partNumber: number;
  etag: string;
}

/** Where image bytes live (R2 in production and in `wrangler dev`). */
export interface BlobStore {
  /** Starts a single-object write of exactly `length` bytes. */
  putKnownLength(key: string, length: number): BlobWriter;
  /** Starts a multipart upload and returns its id; the object appears only on complete. */
  beginMultipart(key: string): Promise<string>;
  /** Streams one part of exactly `length` bytes. Every part but the last: the same size, >= 5 MiB (R2 rule). */
  partWriter(key: string, uploadId: string, partNumber: number, length: number): BlobWriter<BlobPart>;
  completeMultipart(key: string, uploadId: string, parts: BlobPart[]): Promise<void>;
  /** Aborts a multipart upload; succeeds when it is already completed or aborted. */
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** The object's bytes (only `range` of them, if given), or null when there is no such object. */
  get(key: string, range?: ByteRange): Promise<BlobBody | null>;
  /** The stored object's size, or null when there is none. */
  sizeOf(key: string): Promise<number | null>;
  /** Deletes an object if present; never fails for a missing key. */
  delete(key: string): Promise<void>;
}

/** The configured stores and the blob store behind each (one R2 bucket per store). */
export interface StoreSet {
  catalog: StoreCatalog;
  /** The store's blobs, or null when no such store is configured. */
  get(id: string): BlobStore | null;
  /** The default store: uploads, stages and imports without a named store go there. */
  readonly primary: BlobStore;
  /** Every store's blobs (a DELETE or a given-up upload removes the key from all of them). */
  readonly all: readonly BlobStore[];
}
