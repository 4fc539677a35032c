// R2StoreSet: the StoreSet port on one R2 bucket binding per configured store.
import type { StoresConfig } from "../../config";
import type { BlobStore, StoreSet } from "../../services/ports";
import { R2BlobStore } from "./blob-store";

export function r2StoreSet(env: object, stores: StoresConfig): StoreSet {
  const byId = new Map<string, BlobStore>();
  for (const [id, binding] of Object.entries(stores.bindings))
    byId.set(id, new R2BlobStore((env as Record<string, R2Bucket>)[binding]!));
  return {
    catalog: stores.catalog,
    get: (id) => byId.get(id) ?? null,
    primary: byId.get(stores.catalog.defaultId)!,
    all: [...byId.values()],
  };
}
