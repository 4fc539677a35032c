// PUT/GET /v2/images/{id}/stage, POST /v2/images/{id}/import, GET /v2/images/{id}/tasks.
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { readJson } from "../json-body";
import { contentLength, parseUpload } from "../requests/image-upload";
import { parseContentRange, parseImportRequest } from "../requests/import-request";
import { toTaskRow } from "../responses/task";
import { survivesDisconnect } from "../survive-disconnect";

export const imageImport = new Hono<AppEnv>();

imageImport.put("/:imageId/stage", async (c) => {
  // Media type and headers are judged before the image is looked up, as for /file.
  const upload = parseUpload(c.req.raw);
  const range = parseContentRange(c.req.header("content-range") ?? null);
  const input = { ...upload, range, contentLength: contentLength(c.req.raw.headers) };
  const progress = await survivesDisconnect(c, c.var.services.stage.stage(c.var.ctx, c.req.param("imageId"), input));
  if (progress) {
    c.header("OpenStack-Image-Stage-Received", String(progress.received));
    c.header("OpenStack-Image-Stage-Total", String(progress.total));
  }
  return c.body(null, 204);
});

imageImport.get("/:imageId/stage", async (c) => {
  const p = await c.var.services.stage.progress(c.var.ctx, c.req.param("imageId"));
  return c.json({
    received: p.received,
    total: p.total,
    chunk_size: p.chunkSize,
    missing: p.missing,
    parallel: p.parallel,
  });
});

imageImport.post("/:imageId/import", async (c) => {
  const req = parseImportRequest(await readJson(c.req.raw, c.var.config.maxJsonBody), c.var.services.imports.methods);
  const storeHeader = c.var.config.stores.catalog.multi ? (c.req.header("x-image-meta-store") ?? null) : null;
  await c.var.services.imports.start(c.var.ctx, c.req.param("imageId"), { ...req, storeHeader });
  return c.body(null, 202);
});

imageImport.get("/:imageId/tasks", async (c) => {
  const tasks = await c.var.services.tasks.forImage(c.var.ctx, c.req.param("imageId"));
  return c.json({ tasks: tasks.map(toTaskRow) });
});
