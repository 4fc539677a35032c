// Glance's image status machine (glance/domain Image.valid_state_targets) as data, plus its side rules.
import { badRequest, conflict } from "./errors";
import type { Image, ImageStatus } from "./image";

const TRANSITIONS: Readonly<Record<ImageStatus, readonly ImageStatus[]>> = {
  queued: ["saving", "uploading", "importing", "active", "deleted"],
  saving: ["active", "killed", "deleted", "queued"],
  uploading: ["importing", "queued", "deleted"],
  importing: ["active", "deleted", "queued"],
  active: ["pending_delete", "deleted", "deactivated"],
  killed: ["deleted"],
  pending_delete: ["deleted", "active"],
  deactivated: ["active", "deleted"],
  deleted: [],
};

export function canTransition(from: ImageStatus, to: ImageStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws Glance's 409 for an illegal move (the code used by upload, stage and import). */
export function assertTransition(from: ImageStatus, to: ImageStatus): void {
  if (!canTransition(from, to)) throw conflict(`Image status transition from ${from} to ${to} is not allowed`);
}

/** Data can only be saved once both formats are set (Glance raises this as a 400 on upload). */
export function assertFormatsSet(image: Pick<Image, "diskFormat" | "containerFormat">): void {
  const missing = [
    image.diskFormat == null ? "disk_format" : null,
    image.containerFormat == null ? "container_format" : null,
  ].filter((x): x is string => x !== null);
  if (missing.length === 2)
    throw badRequest("Properties disk_format, container_format must be set prior to saving data.");
  if (missing.length === 1) throw badRequest(`Property ${missing[0]} must be set prior to saving data.`);
}

/** Statuses in which an image has no stored data: download answers 204. */
export const DATALESS_STATUSES: readonly ImageStatus[] = ["queued", "saving", "uploading", "importing", "killed"];
