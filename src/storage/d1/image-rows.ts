// Row <-> domain mapping for the images table (Glance's _format_image_* counterpart).
import type { Image, ImageStatus, Visibility } from "../../domain/image";
import type { StoredImage } from "../../services/ports";
import type { ImageRow, images } from "./schema";

export function rowToImage(r: ImageRow): StoredImage {
  return {
    id: r.id,
    name: r.name,
    status: r.status as ImageStatus,
    visibility: r.visibility as Visibility,
    protected: r.protected,
    osHidden: r.osHidden,
    checksum: r.checksum,
    osHashAlgo: r.osHashAlgo,
    osHashValue: r.osHashValue,
    owner: r.owner,
    size: r.size,
    virtualSize: r.virtualSize,
    minRam: r.minRam,
    minDisk: r.minDisk,
    containerFormat: r.containerFormat,
    diskFormat: r.diskFormat,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    tags: r.tags,
    properties: r.properties,
    revision: r.revision,
    uploadStartedAt: r.uploadStartedAt,
    uploadId: r.uploadId,
  };
}

/** The columns a metadata write (create or PATCH) owns. */
export function imageToColumns(i: Image): Omit<typeof images.$inferInsert, "revision" | "deleted" | "deletedAt"> {
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    visibility: i.visibility,
    protected: i.protected,
    osHidden: i.osHidden,
    checksum: i.checksum,
    osHashAlgo: i.osHashAlgo,
    osHashValue: i.osHashValue,
    owner: i.owner,
    size: i.size,
    virtualSize: i.virtualSize,
    minRam: i.minRam,
    minDisk: i.minDisk,
    containerFormat: i.containerFormat,
    diskFormat: i.diskFormat,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
    tags: i.tags,
    properties: i.properties,
  };
}
