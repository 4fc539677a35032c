// toGlanceImage: the image document exactly as Glance serializes it (extra properties first, then base keys).
import { type Image, setProperty } from "../../domain/image";

/** Glance's isotime(): UTC, second precision, trailing Z. */
export const isoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** Internal bookkeeping properties Glance never shows. */
const HIDDEN_PROPERTIES = new Set(["os_glance_stage_host", "os_glance_hash_op_host"]);

export function toGlanceImage(i: Image): Record<string, unknown> {
  const doc: Record<string, string> = {};
  for (const [k, v] of Object.entries(i.properties)) if (!HIDDEN_PROPERTIES.has(k)) setProperty(doc, k, v);
  return Object.assign(doc, {
    name: i.name,
    disk_format: i.diskFormat,
    container_format: i.containerFormat,
    visibility: i.visibility,
    size: i.size,
    virtual_size: i.virtualSize,
    status: i.status,
    checksum: i.checksum,
    protected: i.protected,
    min_ram: i.minRam,
    min_disk: i.minDisk,
    owner: i.owner,
    os_hidden: i.osHidden,
    os_hash_algo: i.osHashAlgo,
    os_hash_value: i.osHashValue,
    id: i.id,
    created_at: isoTime(i.createdAt),
    updated_at: isoTime(i.updatedAt),
    tags: [...i.tags],
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: "/v2/schemas/image",
  });
}
