// Row <-> domain mapping for the images table (Glance's _format_image_* counterpart), driven by the field table.
import type { Image } from "../../domain/image";
import { IMAGE_KEYS } from "../../domain/image-fields";
import type { StoredImage } from "../../services/ports";
import type { ImageRow, images } from "./schema";

/** The image's attributes are columns of the same names (the field table's keys) plus the JSON properties. */
function pickImage(source: Record<string, unknown>): Image {
  const image: Record<string, unknown> = {};
  for (const key of IMAGE_KEYS) image[key] = source[key];
  return image as unknown as Image;
}

export function rowToImage(r: ImageRow): StoredImage {
  return {
    ...pickImage(r),
    stores: r.stores ?? [],
    revision: r.revision,
    uploadStartedAt: r.uploadStartedAt,
    uploadId: r.uploadId,
    pendingCopies: r.pendingCopies,
  };
}

/**
 * The columns a metadata write (create or PATCH) owns: not `stores`, which only the data path changes (a
 * PATCH racing a copy must not write back the list it read).
 */
export function imageToColumns(i: Image): Omit<typeof images.$inferInsert, "revision" | "deleted" | "deletedAt"> {
  const { stores: _stores, ...columns } = pickImage(i as unknown as Record<string, unknown>);
  return columns as typeof images.$inferInsert;
}
