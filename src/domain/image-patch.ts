// Applying Glance's JSON-patch operations to an image: add/replace/remove on base vs extra properties.
import { conflict, forbidden } from "./errors";
import { type Image, setProperty } from "./image";
import { fieldOf, type ImageField } from "./image-fields";
import { assertNotReadOnlyOrReserved, assertWithinLimits, type Limits, validateValue } from "./properties";
import type { RequestContext } from "./request-context";

export type PatchDialect = "v2.0" | "v2.1";

/** One operation after the HTTP layer decoded its JSON pointer to a single property name. */
export interface PatchOp {
  op: "add" | "replace" | "remove";
  key: string;
  value?: unknown;
}

/** A base attribute a PATCH may set; every other name (read-only and reserved ones refused first) is extra. */
const settable = (key: string) => {
  const field = fieldOf(key);
  return field?.access === "settable" ? field : undefined;
};
/** Own keys only: `in` would report "constructor" or "__proto__" as existing properties of every image. */
const hasProperty = (img: Image, key: string) => Object.hasOwn(img.properties, key);

/** Statuses in which a lockedWithData field (the formats) may still change. */
const FORMAT_MUTABLE_STATUSES = new Set(["queued", "importing"]);

/**
 * Applies ops in order to a copy of the image and returns it. Any failing op throws, so the caller persists
 * all of the changes or none of them.
 */
export function applyImagePatch<T extends Image>(
  image: T,
  ops: readonly PatchOp[],
  dialect: PatchDialect,
  ctx: RequestContext,
  limits: Limits,
): T {
  const next: T = { ...image, tags: [...image.tags], properties: { ...image.properties } };
  for (const op of ops) applyOne(next, op, dialect, ctx);
  assertWithinLimits(next, limits);
  return next;
}

function applyOne(img: Image, { op, key, value }: PatchOp, dialect: PatchDialect, ctx: RequestContext): void {
  assertNotReadOnlyOrReserved(key);
  const field = settable(key);
  if (op === "remove") {
    if (field) throw forbidden(`Property ${key} may not be removed.`);
    if (!hasProperty(img, key)) throw conflict(undefined, { detail: `Property ${key} does not exist.` });
    delete img.properties[key];
    return;
  }
  const exists = field !== undefined || hasProperty(img, key);
  if (op === "add" && dialect === "v2.0" && exists)
    throw conflict(undefined, { detail: `Property ${key} already present.` });
  if (op === "replace" && !exists) throw conflict(undefined, { detail: `Property ${key} does not exist.` });
  validateValue(key, value);
  if (field) setBase(img, key, field, value, ctx);
  else setProperty(img.properties, key, value as string);
}

function setBase(img: Image, key: string, field: ImageField, value: unknown, ctx: RequestContext): void {
  if (field.lockedWithData && !FORMAT_MUTABLE_STATUSES.has(img.status))
    throw forbidden(`Attribute ${key} can be only replaced for a queued image.`);
  field.patchGuard?.(ctx, value);
  (img as unknown as Record<string, unknown>)[field.key] = field.normalize ? field.normalize(value) : value;
}
