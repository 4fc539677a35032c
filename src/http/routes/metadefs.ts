// /v2/metadefs: namespaces (list, create, show, update, delete) and the resource type list; contents live in
// metadef-contents.ts and metadef-tags.ts.
import { Hono } from "hono";
import { NAMESPACE_SORT_KEYS } from "../../domain/metadefs/catalog";
import { toNamespaceModel } from "../../domain/metadefs/model";
import { NAMESPACE_SCHEMA } from "../../domain/metadefs/schemas";
import { type AppEnv, publicBase } from "../context";
import { readJson } from "../json-body";
import { checkVisibilityFilter, lastValues, parseBody, parseNamespaceList, READ_ONLY_ALL } from "../requests/metadefs";
import { urlencode } from "../responses/image-list";
import {
  associationDoc,
  namespaceDetailDoc,
  namespaceDoc,
  namespaceHref,
  resourceTypeDoc,
} from "../responses/metadefs";
import { metadefContents } from "./metadef-contents";
import { metadefTags } from "./metadef-tags";

export const metadefs = new Hono<AppEnv>();

const BASE = "/v2/metadefs/namespaces";

metadefs.get("/namespaces", async (c) => {
  const q = new URL(c.req.url).searchParams;
  const req = parseNamespaceList(q, NAMESPACE_SORT_KEYS);
  const page = await c.var.services.metadefNamespaces.list(c.var.ctx, req);
  const params = lastValues(q);
  params.delete("marker");
  const body: Record<string, unknown> = {
    namespaces: page.map(({ namespace, associations }) =>
      namespaceDoc(
        namespace,
        associations.length ? { resource_type_associations: associations.map(associationDoc) } : {},
      ),
    ),
  };
  const last = page.at(-1);
  if (last && page.length === req.limit)
    body.next = `${BASE}?${urlencode([...params, ["marker", last.namespace.namespace]])}`;
  body.schema = "/v2/schemas/metadefs/namespaces";
  body.first = params.size ? `${BASE}?${urlencode([...params])}` : BASE;
  return c.json(body);
});

metadefs.post("/namespaces", async (c) => {
  const doc = parseBody(
    await readJson(c.req.raw, c.var.config.maxJsonBody),
    NAMESPACE_SCHEMA,
    READ_ONLY_ALL,
    toNamespaceModel,
  );
  const created = await c.var.services.metadefNamespaces.create(c.var.ctx, doc);
  // Glance answers with what was asked for: the given contents, as its model reads them.
  const nested = Object.fromEntries(
    ["resource_type_associations", "properties", "objects", "tags"].filter((k) => k in doc).map((k) => [k, doc[k]]),
  );
  c.header("Location", `${publicBase(c)}${namespaceHref(created.namespace)}`);
  return c.json(namespaceDoc(created, nested), 201);
});

metadefs.get("/namespaces/:namespace", async (c) => {
  const q = new URL(c.req.url).searchParams;
  checkVisibilityFilter(q, ["public", "private"]);
  const rt = q.get("resource_type") || undefined;
  const { namespace, contents, prefix } = await c.var.services.metadefNamespaces.show(
    c.var.ctx,
    c.req.param("namespace"),
    rt,
  );
  return c.json(namespaceDetailDoc(namespace, contents, prefix));
});

metadefs.put("/namespaces/:namespace", async (c) => {
  const doc = parseBody(
    await readJson(c.req.raw, c.var.config.maxJsonBody),
    NAMESPACE_SCHEMA,
    READ_ONLY_ALL,
    toNamespaceModel,
  );
  const updated = await c.var.services.metadefNamespaces.update(c.var.ctx, c.req.param("namespace"), doc);
  return c.json(namespaceDoc(updated));
});

metadefs.delete("/namespaces/:namespace", async (c) => {
  await c.var.services.metadefNamespaces.remove(c.var.ctx, c.req.param("namespace"));
  return c.body(null, 204);
});

metadefs.get("/resource_types", async (c) => {
  const types = await c.var.services.metadefTags.resourceTypes(c.var.ctx);
  return c.json({ resource_types: types.map(resourceTypeDoc) });
});

metadefs.route("/namespaces/:namespace", metadefContents);
metadefs.route("/namespaces/:namespace", metadefTags);
