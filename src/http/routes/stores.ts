// DELETE /v2/stores/{store_id}/{image_id}: removes an image's data from one of its stores (Glance v2.10).
import { Hono } from "hono";
import type { AppEnv } from "../context";

export const stores = new Hono<AppEnv>();

stores.delete("/:storeId/:imageId", async (c) => {
  await c.var.services.imageData.deleteFromStore(c.var.ctx, c.req.param("storeId"), c.req.param("imageId"));
  return c.body(null, 204);
});
