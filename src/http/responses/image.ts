// toGlanceImage: the image document exactly as Glance serializes it (extra properties first, then base keys).
import type { Context } from "hono";
import { type Image, setProperty } from "../../domain/image";
import { FIELD_ENTRIES } from "../../domain/image-fields";
import { inConfigOrder, type StoreCatalog } from "../../domain/stores";
import type { AppEnv } from "../context";

/** How a site shows images: with several stores an image lists its `stores`. */
export interface ImageView {
  stores: StoreCatalog | null;
}

/** The view of this request's site (no stores shown when the configuration has one store, or none loaded). */
export const imageView = (c: Context<AppEnv>): ImageView => {
  const catalog = c.var.config?.stores.catalog;
  return { stores: catalog?.multi ? catalog : null };
};

/** Glance's isotime(): UTC, second precision, trailing Z. */
export const isoTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** Internal bookkeeping properties Glance never shows. */
const HIDDEN_PROPERTIES = new Set(["os_glance_stage_host", "os_glance_hash_op_host"]);

export function toGlanceImage(i: Image, view: ImageView = { stores: null }): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i.properties)) if (!HIDDEN_PROPERTIES.has(k)) setProperty(doc, k, v);
  for (const [name, field] of FIELD_ENTRIES) {
    const v = i[field.key];
    if (field.storeList) {
      // Glance shows `stores` only with several stores, and only once the image has data somewhere.
      const ids = view.stores ? inConfigOrder(view.stores, v as string[]) : [];
      if (ids.length > 0) doc[name] = ids.join(",");
      continue;
    }
    doc[name] = field.time ? isoTime(v as number) : Array.isArray(v) ? [...v] : v;
  }
  return Object.assign(doc, {
    self: `/v2/images/${i.id}`,
    file: `/v2/images/${i.id}/file`,
    schema: "/v2/schemas/image",
  });
}
