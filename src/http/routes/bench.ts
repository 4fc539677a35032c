// Benchmark and e2e-only routes: local R2 put/get ceilings, R2 object checks; no app logic. Off unless BENCH_ROUTES is "1".
import { Hono } from "hono";
import { notFound } from "../../domain/errors";
import type { AppEnv } from "../context";

export const bench = new Hono<AppEnv>();

bench.use("*", async (c, next) => {
  // Enabled only from the wrangler dev command line (--var BENCH_ROUTES:1), never in wrangler.toml.
  if (c.env.BENCH_ROUTES !== "1") throw notFound();
  await next();
});

/** PUT /_bench/r2-put: the body straight into R2 (needs Content-Length), then deleted again. */
bench.put("/r2-put", async (c) => {
  const key = `bench/${crypto.randomUUID()}`;
  const obj = await c.env.IMAGES.put(key, c.req.raw.body);
  await c.env.IMAGES.delete(key);
  return c.json({ size: obj?.size ?? null });
});

/** GET /_bench/r2-get/:imageId: an image's object straight from R2, the local download ceiling. */
bench.get("/r2-get/:imageId", async (c) => {
  const obj = await c.env.IMAGES.get(`images/${c.req.param("imageId")}`);
  if (!obj) throw notFound();
  return new Response(obj.body);
});

/** GET /_bench/r2-object/:imageId: whether the image's R2 object exists (e2e: no stray bytes after a failed upload). */
bench.get("/r2-object/:imageId", async (c) => {
  const obj = await c.env.IMAGES.head(`images/${c.req.param("imageId")}`);
  return c.json({ exists: obj !== null, size: obj?.size ?? null });
});
