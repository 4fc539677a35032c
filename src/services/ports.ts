// The storage interfaces the services depend on, written in domain words; storage/ implements them.
import type { Image, ImageStatus, MemberStatus } from "../domain/image";
import type { ListQuery } from "../domain/image-list";
import type { Membership } from "../domain/policy";

/** An image as stored, with the revision used for optimistic concurrency. */
export interface StoredImage extends Image {
  revision: number;
  uploadStartedAt: number | null;
  uploadId: string | null;
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
  Pick<Image, "size" | "virtualSize" | "checksum" | "osHashAlgo" | "osHashValue"> &
    Pick<StoredImage, "uploadStartedAt" | "uploadId">
>;

export interface ListCaller {
  projectId: string | null;
  isAdmin: boolean;
}

export interface ImageRepository {
  /** A live image and the given project's membership on it (null when absent or deleted). */
  find(id: string, projectId: string | null): Promise<{ image: StoredImage; membership: Membership } | null>;
  /** Inserts a new image; false when the id is taken, including by a deleted image (ids are never reused). */
  insert(image: Image): Promise<boolean>;
  /** Writes every user-settable field if the stored revision still equals `image.revision`. */
  save(image: StoredImage): Promise<boolean>;
  /** Compare-and-swap on status: true when the row was in `from` (and the revision matched, if given). */
  transition(
    id: string,
    from: ImageStatus,
    to: ImageStatus,
    fields: ImageDataFields,
    now: number,
    expectedRevision?: number,
  ): Promise<boolean>;
  /** Soft-deletes the image and its members. */
  markDeleted(id: string, now: number): Promise<boolean>;
  /** One page in the query's order, `limit` rows at most. `after` is the marker image. */
  list(query: ListQuery, caller: ListCaller, after: StoredImage | null): Promise<StoredImage[]>;
  /** The marker image for a list, if it exists, is live and visible to the caller. */
  findMarker(id: string, caller: ListCaller): Promise<StoredImage | null>;

  listMembers(imageId: string): Promise<ImageMember[]>;
  findMember(imageId: string, memberId: string): Promise<ImageMember | null>;
  /** Adds or revives a membership as `pending`; false when a live one exists. */
  addMember(imageId: string, memberId: string, now: number): Promise<boolean>;
  setMemberStatus(imageId: string, memberId: string, status: MemberStatus, now: number): Promise<boolean>;
  removeMember(imageId: string, memberId: string, now: number): Promise<boolean>;
}

/** Where image bytes live (R2 in production and in `wrangler dev`). */
export interface BlobStore {
  /** Deletes an object if present; never fails for a missing key. */
  delete(key: string): Promise<void>;
}
