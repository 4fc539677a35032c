// The properties an import keeps on its image (Glance's names) and what stays once it ends.
import { editList } from "../../domain/stores";

export const TASK_TYPE = "api_image_import";
/** Image properties of an import; os_glance_* is reserved, so users cannot set them. */
export const LOCK_PROPERTY = "os_glance_import_task";
export const IMPORTING_PROPERTY = "os_glance_importing_to_stores";
export const FAILED_PROPERTY = "os_glance_failed_import";

/** The image's properties without the import lock (what stays once an import ends). */
export function unlock(properties: Record<string, string>): Record<string, string> {
  const { [LOCK_PROPERTY]: _lock, ...rest } = properties;
  return rest;
}

/**
 * The properties once this import's work on the image ends: no lock, no store left to import to and, when
 * `failed` is given, those stores added to os_glance_failed_import.
 */
export function released(properties: Record<string, string>, failed?: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...unlock(properties), [IMPORTING_PROPERTY]: "" };
  if (failed !== undefined) out[FAILED_PROPERTY] = editList(properties[FAILED_PROPERTY], failed);
  return out;
}
