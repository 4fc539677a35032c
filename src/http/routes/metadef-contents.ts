// /v2/metadefs/namespaces/{namespace}/objects[/{name}] and …/properties[/{name}], mounted by routes/metadefs.ts.
import { type Context, Hono } from "hono";
import { toObjectModel, toPropertyType } from "../../domain/metadefs/model";
import { OBJECT_SCHEMA, PROPERTY_SCHEMA } from "../../domain/metadefs/schemas";
import type { AppEnv } from "../context";
import { readJson } from "../json-body";
import {
  checkVisibilityFilter,
  objectPropertiesCheck,
  parseBody,
  parseLimit,
  parseSortDir,
  READ_ONLY_ALL,
  READ_ONLY_TIMES,
} from "../requests/metadefs";
import { objectDoc, objectResultDoc, propertiesDict, propertyDoc } from "../responses/metadefs";

export const metadefContents = new Hono<AppEnv>();

/** The namespace name from the mount path (/v2/metadefs/namespaces/:namespace). */
export const ns = (c: Context<AppEnv>): string => c.req.param("namespace") ?? "";

metadefContents.get("/objects", async (c) => {
  // Glance validates these list parameters, then lists every object anyway.
  const q = new URL(c.req.url).searchParams;
  const limit = q.get("limit");
  parseSortDir(q.get("sort_dir"));
  checkVisibilityFilter(q, ["public", "private", "shared"]);
  if (limit !== null) parseLimit(limit, true);
  const list = await c.var.services.metadefContents.listObjects(c.var.ctx, ns(c));
  // Glance's link here really has no leading slash.
  return c.json({ objects: list.map((o) => objectDoc(ns(c), o)), schema: "v2/schemas/metadefs/objects" });
});

metadefContents.post("/objects", async (c) => {
  const body = await readJson(c.req.raw, c.var.config.maxJsonBody);
  const doc = parseBody(body, OBJECT_SCHEMA, READ_ONLY_ALL, toObjectModel, objectPropertiesCheck);
  const created = await c.var.services.metadefContents.createObject(c.var.ctx, ns(c), doc);
  return c.json(objectResultDoc(ns(c), created), 201);
});

metadefContents.delete("/objects", async (c) => {
  await c.var.services.metadefNamespaces.clear(c.var.ctx, ns(c), "objects");
  return c.body(null, 204);
});

metadefContents.get("/objects/:name", async (c) => {
  const o = await c.var.services.metadefContents.showObject(c.var.ctx, ns(c), c.req.param("name"));
  return c.json(objectDoc(ns(c), o));
});

metadefContents.put("/objects/:name", async (c) => {
  const doc = parseBody(
    await readJson(c.req.raw, c.var.config.maxJsonBody),
    OBJECT_SCHEMA,
    READ_ONLY_ALL,
    toObjectModel,
  );
  const updated = await c.var.services.metadefContents.updateObject(c.var.ctx, ns(c), c.req.param("name"), doc);
  return c.json(objectResultDoc(ns(c), updated));
});

metadefContents.delete("/objects/:name", async (c) => {
  await c.var.services.metadefContents.deleteObject(c.var.ctx, ns(c), c.req.param("name"));
  return c.body(null, 204);
});

metadefContents.get("/properties", async (c) => {
  const list = await c.var.services.metadefContents.listProperties(c.var.ctx, ns(c));
  return c.json({ properties: propertiesDict(list) });
});

metadefContents.post("/properties", async (c) => {
  const doc = parseBody(
    await readJson(c.req.raw, c.var.config.maxJsonBody),
    PROPERTY_SCHEMA,
    READ_ONLY_TIMES,
    toPropertyType,
  );
  const created = await c.var.services.metadefContents.createProperty(c.var.ctx, ns(c), doc);
  return c.json(propertyDoc(created.name as string, created), 201);
});

metadefContents.delete("/properties", async (c) => {
  await c.var.services.metadefNamespaces.clear(c.var.ctx, ns(c), "properties");
  return c.body(null, 204);
});

metadefContents.get("/properties/:name", async (c) => {
  const rt = new URL(c.req.url).searchParams.get("resource_type") || undefined;
  const p = await c.var.services.metadefContents.showProperty(c.var.ctx, ns(c), c.req.param("name"), rt);
  return c.json(propertyDoc(p.name, p.schema));
});

metadefContents.put("/properties/:name", async (c) => {
  const doc = parseBody(
    await readJson(c.req.raw, c.var.config.maxJsonBody),
    PROPERTY_SCHEMA,
    READ_ONLY_TIMES,
    toPropertyType,
  );
  const updated = await c.var.services.metadefContents.updateProperty(c.var.ctx, ns(c), c.req.param("name"), doc);
  return c.json(propertyDoc(updated.name as string, updated));
});

metadefContents.delete("/properties/:name", async (c) => {
  await c.var.services.metadefContents.deleteProperty(c.var.ctx, ns(c), c.req.param("name"));
  return c.body(null, 204);
});
