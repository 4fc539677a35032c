// GET /v2/schemas/{name} and /v2/schemas/metadefs/{name}.
import { Hono } from "hono";
import { notFound } from "../../domain/errors";
import type { AppEnv } from "../context";
import { SCHEMAS } from "../responses/schemas";

export const schemas = new Hono<AppEnv>();

const serve = (name: string) => {
  const doc = SCHEMAS[name];
  if (!doc) throw notFound();
  return doc;
};

schemas.get("/:name", (c) => c.json(serve(c.req.param("name"))));
schemas.get("/metadefs/:name", (c) => c.json(serve(`metadefs/${c.req.param("name")}`)));
