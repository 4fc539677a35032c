// Discovery: /v2/info/import, /v2/info/stores (single store -> 404, as Glance), /v2/info/usage.
import { Hono } from "hono";
import { forbidden, notFound } from "../../domain/errors";
import type { AppEnv } from "../context";

export const info = new Hono<AppEnv>();

// copy-image is not offered: it needs several stores, which we do not have. glance-download is offered in
// Keystone mode unless IMPORT_GLANCE_DOWNLOAD=false.
info.get("/import", (c) =>
  c.json({
    "import-methods": {
      description: "Import methods available.",
      type: "array",
      value: c.var.services.imports.methods,
    },
  }),
);

info.get("/stores", () => {
  throw notFound("Multi backend is not supported at this site.");
});

info.get("/stores/detail", (c) => {
  if (!c.var.ctx.isAdmin) throw forbidden();
  throw notFound("Multi backend is not supported at this site.");
});

/**
 * The caller's project's usage in Glance's unified-limits shape (Glance sends {} unless Keystone limits are
 * on; our quotas always exist, unlimited ones with limit -1). See services/quota.ts for units.
 */
info.get("/usage", async (c) => c.json({ usage: await c.var.services.quotas.report(c.var.ctx.projectId) }));
