// Discovery: /v2/info/import, /v2/info/stores[/detail] (single store -> 404, as Glance), /v2/info/usage.
import { Hono } from "hono";
import { forbidden, notFound } from "../../domain/errors";
import type { StoreInfo } from "../../domain/stores";
import type { AppEnv } from "../context";

export const info = new Hono<AppEnv>();

// copy-image is offered only with several stores (it copies an image's data to further stores); glance-download
// in Keystone mode unless IMPORT_GLANCE_DOWNLOAD=false.
info.get("/import", (c) =>
  c.json({
    "import-methods": {
      description: "Import methods available.",
      type: "array",
      value: c.var.services.imports.methods,
    },
  }),
);

const NO_STORES = "Multi backend is not supported at this site.";

/** Glance's store entry: flags as the strings "true", present only when set. */
function storeEntry(s: StoreInfo): Record<string, unknown> {
  const doc: Record<string, unknown> = { id: s.id };
  if (s.description) doc.description = s.description;
  if (s.isDefault) doc.default = "true";
  if (s.readOnly) doc["read-only"] = "true";
  return doc;
}

info.get("/stores", (c) => {
  const { catalog } = c.var.config.stores;
  if (!catalog.multi) throw notFound(NO_STORES);
  return c.json({ stores: catalog.stores.map(storeEntry) });
});

info.get("/stores/detail", (c) => {
  if (!c.var.ctx.isAdmin) throw forbidden();
  const { catalog, bindings } = c.var.config.stores;
  if (!catalog.multi) throw notFound(NO_STORES);
  // Glance's detail adds the driver type, its properties and the weight; ours are R2 buckets.
  const stores = catalog.stores.map((s) => ({
    ...storeEntry(s),
    type: "r2",
    properties: { binding: bindings[s.id] },
    weight: s.weight,
  }));
  return c.json({ stores });
});

/**
 * The caller's project's usage in Glance's unified-limits shape (Glance sends {} unless Keystone limits are
 * on; our quotas always exist, unlimited ones with limit -1). See services/quota.ts for units.
 */
info.get("/usage", async (c) => c.json({ usage: await c.var.services.quotas.report(c.var.ctx.projectId) }));
