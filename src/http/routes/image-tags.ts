// PUT/DELETE /v2/images/{id}/tags/{tag}.
import { Hono } from "hono";
import type { AppEnv } from "../context";

export const imageTags = new Hono<AppEnv>();

imageTags.put("/:imageId/tags/:tag", async (c) => {
  await c.var.services.images.addTag(c.var.ctx, c.req.param("imageId"), c.req.param("tag"));
  return c.body(null, 204);
});

imageTags.delete("/:imageId/tags/:tag", async (c) => {
  await c.var.services.images.removeTag(c.var.ctx, c.req.param("imageId"), c.req.param("tag"));
  return c.body(null, 204);
});
