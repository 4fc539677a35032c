// Discovery: /v2/info/import, /v2/info/stores (single store -> 404, as Glance), /v2/info/usage.
import { Hono } from "hono";
import { forbidden, notFound } from "../../domain/errors";
import type { AppEnv } from "../context";

export const info = new Hono<AppEnv>();

/** Interoperable import is not offered yet, so the list is empty (clients then skip import). */
export const IMPORT_METHODS: string[] = [];

info.get("/import", (c) =>
  c.json({ "import-methods": { description: "Import methods available.", type: "array", value: IMPORT_METHODS } }),
);

info.get("/stores", () => {
  throw notFound("Multi backend is not supported at this site.");
});

info.get("/stores/detail", (c) => {
  if (!c.var.ctx.isAdmin) throw forbidden();
  throw notFound("Multi backend is not supported at this site.");
});

/** Glance returns an empty usage object unless Keystone unified limits are on. */
info.get("/usage", (c) => c.json({ usage: {} }));
