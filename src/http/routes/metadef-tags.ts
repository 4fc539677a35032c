// /v2/metadefs/namespaces/{namespace}/tags[/{name}] and …/resource_types[/{name}], mounted by routes/metadefs.ts.
import { Hono } from "hono";
import { TAG_SORT_KEYS } from "../../domain/metadefs/catalog";
import { toAssociationModel, toTagModel, toTagsModel } from "../../domain/metadefs/model";
import { RESOURCE_TYPE_SCHEMA, TAG_SCHEMA, TAGS_BODY_SCHEMA } from "../../domain/metadefs/schemas";
import type { AppEnv } from "../context";
import { readJson } from "../json-body";
import {
  checkVisibilityFilter,
  parseBody,
  parseLimit,
  parseSortDir,
  parseSortKey,
  READ_ONLY_TIMES,
} from "../requests/metadefs";
import { associationDoc, tagDoc } from "../responses/metadefs";
import { ns } from "./metadef-contents";

export const metadefTags = new Hono<AppEnv>();

/** oslo's bool_from_string: only these words (any case, trimmed) are true. */
const TRUE_WORDS = ["1", "t", "true", "on", "y", "yes"];

metadefTags.get("/tags", async (c) => {
  const q = new URL(c.req.url).searchParams;
  const limitText = q.get("limit");
  const marker = q.get("marker") || undefined;
  const sortDir = parseSortDir(q.get("sort_dir"));
  const sortKey = q.get("sort_key");
  checkVisibilityFilter(q, ["public", "private", "shared"]);
  // Glance ignores an empty limit or marker.
  const limit = limitText ? parseLimit(limitText) : null;
  const req = { limit, marker, sortDir, sortKey: parseSortKey(sortKey, TAG_SORT_KEYS) };
  const tags = await c.var.services.metadefTags.list(c.var.ctx, ns(c), req);
  return c.json({ tags: tags.map((t) => ({ name: t.name })) });
});

metadefTags.post("/tags", async (c) => {
  const doc = parseBody(
    await readJson(c.req.raw, c.var.config.maxJsonBody),
    TAGS_BODY_SCHEMA,
    READ_ONLY_TIMES,
    toTagsModel,
  );
  const append = TRUE_WORDS.includes((c.req.header("x-openstack-append") ?? "").trim().toLowerCase());
  const names = ((doc.tags as { name: string }[] | undefined) ?? []).map((t) => t.name);
  const created = await c.var.services.metadefTags.createMany(c.var.ctx, ns(c), names, append);
  return c.json({ tags: created.map((name) => ({ name })) }, 201);
});

metadefTags.delete("/tags", async (c) => {
  await c.var.services.metadefNamespaces.clear(c.var.ctx, ns(c), "tags");
  return c.body(null, 204);
});

metadefTags.get("/tags/:name", async (c) => {
  return c.json(tagDoc(await c.var.services.metadefTags.show(c.var.ctx, ns(c), c.req.param("name"))));
});

metadefTags.post("/tags/:name", async (c) => {
  return c.json(tagDoc(await c.var.services.metadefTags.create(c.var.ctx, ns(c), c.req.param("name"))), 201);
});

metadefTags.put("/tags/:name", async (c) => {
  const doc = parseBody(await readJson(c.req.raw, c.var.config.maxJsonBody), TAG_SCHEMA, READ_ONLY_TIMES, toTagModel);
  const tag = await c.var.services.metadefTags.rename(c.var.ctx, ns(c), c.req.param("name"), doc.name as string);
  return c.json(tagDoc(tag));
});

metadefTags.delete("/tags/:name", async (c) => {
  await c.var.services.metadefTags.remove(c.var.ctx, ns(c), c.req.param("name"));
  return c.body(null, 204);
});

metadefTags.get("/resource_types", async (c) => {
  const list = await c.var.services.metadefTags.associations(c.var.ctx, ns(c));
  return c.json({ resource_type_associations: list.map(associationDoc) });
});

metadefTags.post("/resource_types", async (c) => {
  const body = await readJson(c.req.raw, c.var.config.maxJsonBody);
  const doc = parseBody(body, RESOURCE_TYPE_SCHEMA, READ_ONLY_TIMES, toAssociationModel);
  const a = {
    name: doc.name as string,
    prefix: (doc.prefix as string | null | undefined) ?? null,
    propertiesTarget: (doc.properties_target as string | null | undefined) ?? null,
  };
  return c.json(associationDoc(await c.var.services.metadefTags.associate(c.var.ctx, ns(c), a)), 201);
});

metadefTags.delete("/resource_types/:name", async (c) => {
  await c.var.services.metadefTags.dissociate(c.var.ctx, ns(c), c.req.param("name"));
  return c.body(null, 204);
});
