// Applying Glance's JSON-patch operations to an image: add/replace/remove on base vs extra properties.
import { conflict, forbidden } from "./errors";
import { type Image, setProperty, uniqueSorted } from "./image";
import { authorizeOwnerChange, authorizeVisibility } from "./policy";
import {
  assertNotReadOnlyOrReserved,
  assertWithinLimits,
  type Limits,
  SETTABLE_BASE,
  validateValue,
} from "./properties";
import type { RequestContext } from "./request-context";

export type PatchDialect = "v2.0" | "v2.1";

/** One operation after the HTTP layer decoded its JSON pointer to a single property name. */
export interface PatchOp {
  op: "add" | "replace" | "remove";
  key: string;
  value?: unknown;
}

const isBase = (key: string) => (SETTABLE_BASE as readonly string[]).includes(key);
/** Own keys only: `in` would report "constructor" or "__proto__" as existing properties of every image. */
const hasProperty = (img: Image, key: string) => Object.hasOwn(img.properties, key);

/** Formats are part of the data's identity: Glance locks them once the image left queued/importing. */
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
  if (op === "remove") {
    if (isBase(key)) throw forbidden(`Property ${key} may not be removed.`);
    if (!hasProperty(img, key)) throw conflict(undefined, { detail: `Property ${key} does not exist.` });
    delete img.properties[key];
    return;
  }
  const exists = isBase(key) || hasProperty(img, key);
  if (op === "add" && dialect === "v2.0" && exists)
    throw conflict(undefined, { detail: `Property ${key} already present.` });
  if (op === "replace" && !exists) throw conflict(undefined, { detail: `Property ${key} does not exist.` });
  validateValue(key, value);
  if (isBase(key)) setBase(img, key, value, ctx);
  else setProperty(img.properties, key, value as string);
}

function setBase(img: Image, key: string, value: unknown, ctx: RequestContext): void {
  switch (key) {
    case "name":
      img.name = value as string | null;
      return;
    case "visibility":
      authorizeVisibility(ctx, value as string);
      img.visibility = value as Image["visibility"];
      return;
    case "protected":
      img.protected = value as boolean;
      return;
    case "os_hidden":
      img.osHidden = value as boolean;
      return;
    case "min_ram":
      img.minRam = value as number;
      return;
    case "min_disk":
      img.minDisk = value as number;
      return;
    case "tags":
      img.tags = uniqueSorted(value as string[]);
      return;
    case "owner":
      authorizeOwnerChange(ctx);
      img.owner = value as string | null;
      return;
    case "container_format":
    case "disk_format": {
      if (!FORMAT_MUTABLE_STATUSES.has(img.status))
        throw forbidden(`Attribute ${key} can be only replaced for a queued image.`);
      if (key === "disk_format") img.diskFormat = value as string | null;
      else img.containerFormat = value as string | null;
      return;
    }
  }
}
