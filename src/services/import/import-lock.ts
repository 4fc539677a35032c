// The properties an import keeps on its image (Glance's names) and what stays once it ends.

export const TASK_TYPE = "api_image_import";
/** Image properties of an import; os_glance_* is reserved, so users cannot set them. */
export const LOCK_PROPERTY = "os_glance_import_task";
export const IMPORTING_PROPERTY = "os_glance_importing_to_stores";
export const FAILED_PROPERTY = "os_glance_failed_import";
/** Single store: the id recorded in os_glance_failed_import when an import fails. */
export const STORE_ID = "default";

/** The image's properties without the import lock (what stays once an import ends). */
export function unlock(properties: Record<string, string>): Record<string, string> {
  const { [LOCK_PROPERTY]: _lock, ...rest } = properties;
  return rest;
}
