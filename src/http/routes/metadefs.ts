// The metadata-definitions catalog: served empty (Glance's api-spec allows an empty catalog for a clone).
import { Hono } from "hono";
import { forbidden } from "../../domain/errors";
import type { AppEnv } from "../context";

export const metadefs = new Hono<AppEnv>();

metadefs.get("/namespaces", (c) =>
  c.json({ namespaces: [], first: "/v2/metadefs/namespaces", schema: "/v2/schemas/metadefs/namespaces" }),
);

/** Catalog writes are admin-only in Glance; admins get a clear 403 too, since the catalog is read-only here. */
metadefs.post("/namespaces", () => {
  throw forbidden("The metadata definitions catalog is read-only in this service.");
});
