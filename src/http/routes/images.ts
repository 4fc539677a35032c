// GET/POST /v2/images and GET/PATCH/DELETE /v2/images/{id}.
import { Hono } from "hono";
import { type AppEnv, publicBase } from "../context";
import { readJson } from "../json-body";
import { parseCreateImage } from "../requests/create-image";
import { parseImagePatch, patchDialect } from "../requests/image-patch";
import { parseListImages } from "../requests/list-images";
import { imageView, toGlanceImage } from "../responses/image";
import { toImageList } from "../responses/image-list";

export const images = new Hono<AppEnv>();

images.get("/", async (c) => {
  const url = new URL(c.req.url);
  const query = parseListImages(url);
  const page = await c.var.services.images.list(c.var.ctx, query);
  return c.json(toImageList(page, url, query.limit, imageView(c)));
});

images.post("/", async (c) => {
  const input = parseCreateImage(await readJson(c.req.raw, c.var.config.maxJsonBody));
  const image = await c.var.services.images.create(c.var.ctx, input);
  c.header("Location", `${publicBase(c)}/v2/images/${image.id}`);
  // openstacksdk decides from this header whether create_image(use_import=True) may stage + import.
  const { catalog } = c.var.config.stores;
  c.header("OpenStack-image-import-methods", c.var.services.imports.methods.join(","));
  if (catalog.multi) c.header("OpenStack-image-store-ids", catalog.stores.map((s) => s.id).join(","));
  return c.json(toGlanceImage(image, imageView(c)), 201);
});

images.get("/:imageId", async (c) => {
  const image = await c.var.services.images.show(c.var.ctx, c.req.param("imageId"));
  return c.json(toGlanceImage(image, imageView(c)));
});

images.patch("/:imageId", async (c) => {
  // The media type is checked before the image is looked up, as in Glance.
  const dialect = patchDialect(c.req.header("content-type"));
  const ops = parseImagePatch(dialect, await readJson(c.req.raw, c.var.config.maxJsonBody));
  const image = await c.var.services.images.update(c.var.ctx, c.req.param("imageId"), ops, dialect);
  return c.json(toGlanceImage(image, imageView(c)));
});

images.delete("/:imageId", async (c) => {
  await c.var.services.images.remove(c.var.ctx, c.req.param("imageId"));
  return c.body(null, 204);
});
