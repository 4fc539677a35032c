// toGlanceImage: the image document exactly as Glance serializes it (extra properties first, then base keys).
import { type Image, setProperty } from "../../domain/image";
import { FIELD_ENTRIES } from "../../domain/image-fields";

/** Glance's isotime(): UTC, second precision, trailing Z. */
export const isoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** Internal bookkeeping properties Glance never shows. */
const HIDDEN_PROPERTIES = new Set(["os_glance_stage_host", "os_glance_hash_op_host"]);

export function toGlanceImage(i: Image): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i.properties)) if (!HIDDEN_PROPERTIES.has(k)) setProperty(doc, k, v);
  for (const [name, field] of FIELD_ENTRIES) {
    const v = i[field.key];
    doc[name] = field.time ? isoTime(v as number) : Array.isArray(v) ? [...v] : v;
  }
  return Object.assign(doc, {
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: "/v2/schemas/image",
  });
}
