// POST /v2/images/{id}/actions/deactivate|reactivate.
import { Hono } from "hono";
import type { AppEnv } from "../context";

export const imageActions = new Hono<AppEnv>();

for (const action of ["deactivate", "reactivate"] as const) {
  imageActions.post(`/:imageId/actions/${action}`, async (c) => {
    await c.var.services.images.setActivation(c.var.ctx, c.req.param("imageId"), action);
    return c.body(null, 204);
  });
}
