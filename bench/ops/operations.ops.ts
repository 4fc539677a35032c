// bench:ops: runs each API call and data path once through the Worker (inside workerd, with wrangler.toml's
// settings) and prints the D1 statements/rows and R2 operations it cost, for README's capacity and cost model.
import { applyD1Migrations, createExecutionContext, createMessageBatch, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, test } from "vitest";
import worker from "../../src/index";
import { countingEnv, type Tally } from "./counting-env";

const MIB = 1024 * 1024;
const BASE = "http://glance.bench";
type WorkerRequest = Parameters<NonNullable<typeof worker.fetch>>[0];

const counted = countingEnv(env);
const results: Record<string, Tally & { status: number[] }> = {};

/** A stream of `n` bytes in 1 MiB blocks, never held whole (every block differs in its first bytes). */
function stream(n: number): ReadableStream<Uint8Array> {
  let sent = 0;
  const block = new Uint8Array(MIB).fill(0x5a);
  return new ReadableStream({
    pull(c) {
      if (sent >= n) return c.close();
      const len = Math.min(MIB, n - sent);
      const out = block.slice(0, len);
      new DataView(out.buffer).setFloat64(0, sent);
      sent += len;
      c.enqueue(out);
    },
  });
}

async function send(
  method: string,
  path: string,
  init: { body?: BodyInit | null; headers?: Record<string, string> } = {},
) {
  const headers = new Headers({ "X-Auth-Token": "demo-token", ...init.headers });
  const ctx = createExecutionContext();
  const res = await worker.fetch!(
    new Request(`${BASE}${path}`, { method, headers, body: init.body ?? null }) as WorkerRequest,
    counted.env,
    ctx,
  );
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, json: () => JSON.parse(text) as Record<string, unknown> };
}

const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { "Content-Type": "application/json" } });
const octet = (n: number, extra: Record<string, string> = {}) => ({
  body: stream(n),
  headers: { "Content-Type": "application/octet-stream", ...extra },
});

/** Runs `steps` and records what they cost under `name`. */
async function measure(name: string, steps: () => Promise<number[]>) {
  counted.take();
  const status = await steps();
  results[name] = { ...counted.take(), status };
}

async function deliverImports() {
  while (counted.sent.length > 0) {
    const m = counted.sent.shift()!;
    const batch = createMessageBatch("glance-imports", [
      { id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: m },
    ]);
    await worker.queue(batch, counted.env);
  }
}

async function newImage(extra: Record<string, unknown> = {}) {
  const res = await send("POST", "/v2/images", json({ disk_format: "raw", container_format: "bare", ...extra }));
  return String(res.json().id);
}

test("operations per API call and data path", { timeout: 600_000 }, async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  for (let i = 0; i < 25; i++) await newImage({ name: `seed-${i}` });
  let id = "";

  await measure("create image", async () => {
    const res = await send("POST", "/v2/images", json({ name: "bench", disk_format: "raw", container_format: "bare" }));
    id = String(res.json().id);
    return [res.status];
  });
  await measure("show image", async () => [(await send("GET", `/v2/images/${id}`)).status]);
  await measure("list images (first page of 26)", async () => [(await send("GET", "/v2/images")).status]);
  await measure("patch image (replace name)", async () => [
    (
      await send("PATCH", `/v2/images/${id}`, {
        body: JSON.stringify([{ op: "replace", path: "/name", value: "renamed" }]),
        headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
      })
    ).status,
  ]);
  await measure("add tag", async () => [(await send("PUT", `/v2/images/${id}/tags/t1`)).status]);

  for (const [label, size, lengthKnown] of [
    ["upload 1 MiB, Content-Length", MIB, true],
    ["upload 256 MiB, Content-Length", 256 * MIB, true],
    ["upload 256 MiB, chunked (size unknown)", 256 * MIB, false],
  ] as const) {
    const target = await newImage();
    await measure(label, async () => {
      const extra: Record<string, string> = lengthKnown ? { "Content-Length": String(size) } : {};
      return [(await send("PUT", `/v2/images/${target}/file`, octet(size, extra))).status];
    });
    if (size === 256 * MIB) {
      await measure(`download of the image: ${label}`, async () => [
        (await send("GET", `/v2/images/${target}/file`)).status,
      ]);
      await measure("delete image with data", async () => [(await send("DELETE", `/v2/images/${target}`)).status]);
    }
  }

  const staged = await newImage();
  await measure("chunked stage 256 MiB (4 x 64 MiB) + glance-direct import", async () => {
    const status: number[] = [];
    const total = 256 * MIB;
    for (let start = 0; start < total; start += 64 * MIB) {
      const end = start + 64 * MIB - 1;
      const res = await send(
        "PUT",
        `/v2/images/${staged}/stage`,
        octet(64 * MIB, { "Content-Length": String(64 * MIB), "Content-Range": `bytes ${start}-${end}/${total}` }),
      );
      status.push(res.status);
    }
    status.push(
      (await send("POST", `/v2/images/${staged}/import`, json({ method: { name: "glance-direct" } }))).status,
    );
    await deliverImports();
    status.push((await send("GET", `/v2/images/${staged}`)).json().status === "active" ? 200 : 500);
    return status;
  });
  await measure("delete image (no data)", async () => [(await send("DELETE", `/v2/images/${id}`)).status]);

  console.log(`OPS_JSON ${JSON.stringify(results)}`);
  for (const [name, r] of Object.entries(results))
    expect(
      r.status.every((s) => s < 300),
      name,
    ).toBe(true);
});
