// Several stores (Glance's enabled_backends, here R2 buckets): which store data goes to and is read from.
import { badRequest, conflict } from "./errors";

/** One configured store, as discovery shows it (the binding stays in the composition root). */
export interface StoreInfo {
  id: string;
  description: string | null;
  isDefault: boolean;
  /** Data is served from it but never written to it (Glance's http store). */
  readOnly: boolean;
  /** Higher weight is read first (Glance's [store] weight); 0 by default. */
  weight: number;
}

/** The configured stores in configuration order; `multi` is Glance's "enabled_backends is set". */
export interface StoreCatalog {
  stores: readonly StoreInfo[];
  multi: boolean;
  defaultId: string;
  /** Where images stored before stores were recorded (migration 0007) are: the store bound as IMAGES. */
  legacyId: string;
}

/** The id of the one store of a site without STORES (it appears only in os_glance_failed_import). */
export const SINGLE_STORE_ID = "default";

/** glance_store's UnknownScheme text, which Glance returns for a store id it does not know. */
export const unknownStore = (id: string) => `Unknown scheme '${id}' found in URI`;

/** Glance's StoreAddDisabled text: writing to a read-only store. */
export const READ_ONLY_STORE = "Error in store configuration. Adding images to store is disabled.";

export const storeById = (c: StoreCatalog, id: string) => c.stores.find((s) => s.id === id);

/** `ids` in configuration order (how the `stores` attribute lists them), unknown ids last in their own order. */
export function inConfigOrder(c: StoreCatalog, ids: readonly string[]): string[] {
  const rank = (id: string) => {
    const i = c.stores.findIndex((s) => s.id === id);
    return i < 0 ? c.stores.length : i;
  };
  return [...new Set(ids)].sort((a, b) => rank(a) - rank(b));
}

/** The stores holding an image's data: as recorded, or the legacy store for rows from before 0007. */
export const holdingStores = (c: StoreCatalog, image: { stores: readonly string[] }): string[] =>
  image.stores.length > 0 ? [...image.stores] : [c.legacyId];

/** Stores an all_stores request writes to: every configured one but the read-only ones (Glance skips http). */
export const writableIds = (c: StoreCatalog) => c.stores.filter((s) => !s.readOnly).map((s) => s.id);

/** What a POST /import names as its targets (body `stores` / `all_stores`, header X-Image-Meta-Store). */
export interface StoreRequest {
  stores?: unknown;
  allStores: boolean;
  header: string | null;
}

/**
 * Glance's get_stores_from_request: the target stores of an import, in the order given. 400 for a request
 * that names stores two ways, 409 for an unknown store (Glance turns UnknownScheme into a conflict here).
 * Read-only stores are accepted and fail when written to, as in Glance.
 */
export function importTargets(c: StoreCatalog, req: StoreRequest): string[] {
  let ids: string[];
  if (req.allStores) {
    if (req.stores !== undefined || req.header !== null)
      throw badRequest("All_stores parameter can't be used with x-image-meta-store header or stores parameter");
    ids = writableIds(c);
  } else if (req.stores !== undefined) {
    if (req.header !== null) throw badRequest("Stores parameter and x-image-meta-store header can't be both specified");
    if (!Array.isArray(req.stores) || req.stores.some((s) => typeof s !== "string"))
      throw badRequest("'stores' must be a list of store ids");
    ids = req.stores as string[];
  } else {
    ids = [req.header ?? c.defaultId];
  }
  for (const id of ids) if (!storeById(c, id)) throw conflict(unknownStore(id));
  return [...new Set(ids)];
}

/**
 * The order to try an image's stores in for a download: the caller's `prefer` list first (in its order), then
 * by weight (highest first), the default store before others of equal weight, then configuration order.
 */
export function readOrder(c: StoreCatalog, holding: readonly string[], prefer: readonly string[] = []): string[] {
  const known = holding.filter((id) => storeById(c, id));
  const score = (id: string) => {
    const p = prefer.indexOf(id);
    const s = storeById(c, id)!;
    return [p < 0 ? prefer.length : p, -s.weight, s.isDefault ? 0 : 1, c.stores.indexOf(s)];
  };
  return [...new Set(known)].sort((a, b) => {
    const [x, y] = [score(a), score(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return 0;
  });
}

/** GET /file?prefer=a,b: every id must be a configured store; only with several stores (400 otherwise). */
export function parsePrefer(c: StoreCatalog, raw: string | null): string[] {
  if (raw === null) return [];
  if (!c.multi) throw badRequest("The 'prefer' parameter is only supported with multiple stores.");
  const ids = raw
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const id of ids) if (!storeById(c, id)) throw badRequest(unknownStore(id));
  return ids;
}

/** A comma list property (os_glance_importing_to_stores / os_glance_failed_import) as a list. */
export const splitList = (v: string | undefined) => (v ?? "").split(",").filter((s) => s !== "");

/** Adds and removes ids of a comma list property, keeping its order. */
export function editList(v: string | undefined, add: readonly string[], remove: readonly string[] = []): string {
  const out = splitList(v).filter((s) => !remove.includes(s));
  for (const id of add) if (!out.includes(id)) out.push(id);
  return out.join(",");
}
