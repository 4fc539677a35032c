// PUT/GET /v2/images/{id}/file: image data upload and (ranged) download.
import { Hono } from "hono";
import type { AppEnv } from "../context";
import { rangeFromRequest } from "../requests/byte-range";
import { parseUpload } from "../requests/image-upload";
import { survivesDisconnect } from "../survive-disconnect";

export const imageData = new Hono<AppEnv>();

imageData.put("/:imageId/file", async (c) => {
  const input = parseUpload(c.req.raw);
  // bench:data measures what inspection costs; honoured only with the benchmark routes on (never in production).
  if (c.env.BENCH_ROUTES === "1" && c.req.header("X-Bench-Inspect") === "off") input.inspect = false;
  await survivesDisconnect(c, c.var.services.imageData.upload(c.var.ctx, c.req.param("imageId"), input));
  return c.body(null, 204);
});

imageData.get("/:imageId/file", async (c) => {
  const pickRange = rangeFromRequest(c.req.raw.headers);
  const prefer = new URL(c.req.url).searchParams.get("prefer");
  const data = await c.var.services.imageData.download(c.var.ctx, c.req.param("imageId"), pickRange, prefer);
  if (!data) return c.body(null, 204);
  // Exactly application/octet-stream: glanceclient only streams the body for that exact string.
  const headers = new Headers({ "Content-Type": "application/octet-stream" });
  if (data.checksum) headers.set("Content-MD5", data.checksum);
  const { range } = data;
  if (range) {
    headers.set("Content-Length", String(range.length));
    headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${data.size}`);
  } else {
    headers.set("Content-Length", String(data.size));
  }
  // Straight from R2 to the client: nothing is buffered.
  return new Response(data.body, { status: range ? 206 : 200, headers });
});
