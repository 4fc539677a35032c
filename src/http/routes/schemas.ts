// GET /v2/schemas/{name} and /v2/schemas/metadefs/{name}.
import { Hono } from "hono";
import { notFound } from "../../domain/errors";
import type { AppEnv } from "../context";
import { SCHEMAS } from "../responses/schemas";

export const schemas = new Hono<AppEnv>();

schemas.get("/*", (c) => {
  const name = new URL(c.req.url).pathname.replace(/^\/v2\/schemas\//, "");
  const doc = SCHEMAS[name];
  if (!doc) throw notFound();
  return c.json(doc);
});
