// Per-project quotas through the Worker: image count, storage, stage, uploading count, and /v2/info/usage.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, TOKENS, type Who } from "../helpers/api";

const KB = 1024;
const MIB = 1024 * 1024;
const OCTET = "application/octet-stream";
const UNIFIED =
  "The request returned a 413 Request Entity Too Large. This generally means that rate limiting or a quota threshold was breached.\n\nThe response body:\n";

interface Opts {
  as?: Who;
  json?: unknown;
  body?: BodyInit | null;
  headers?: Record<string, string>;
}

/** Runs the Worker with extra vars (exports.default.fetch always uses the configured env); JSON errors. */
async function callVars(vars: Record<string, string>, method: string, path: string, o: Opts = {}) {
  const headers: Record<string, string> = {
    Accept: "application/json",
    "X-Auth-Token": TOKENS[o.as ?? "admin"],
    ...o.headers,
  };
  let body = o.body ?? null;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    headers["Content-Type"] = "application/json";
  }
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, { method, headers, body }), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  const message = res.status >= 400 ? ((JSON.parse(text) as { message: string }).message.split("<br />")[0] ?? "") : "";
  return { status: res.status, text, message };
}

/** Admins create for `owner`, so every test has its own project (storage is shared by the whole file). */
async function create(vars: Record<string, string>, owner: string) {
  return callVars(vars, "POST", "/v2/images", { json: { owner, disk_format: "raw", container_format: "bare" } });
}

async function newImage(vars: Record<string, string>, owner: string): Promise<string> {
  const res = await create(vars, owner);
  expect(res.status).toBe(201);
  return (JSON.parse(res.text) as { id: string }).id;
}

const put = (
  vars: Record<string, string>,
  id: string,
  body: BodyInit | null,
  headers: Record<string, string> = {},
  as: Who = "admin",
) => callVars(vars, "PUT", `/v2/images/${id}/file`, { as, body, headers: { "Content-Type": OCTET, ...headers } });
/** PUT /stage; with `range` ([start, end, total]) one chunk of a resumable stage. */
function stage(vars: Record<string, string>, id: string, body: BodyInit | null, range?: [number, number, number]) {
  const chunk: Record<string, string> = range
    ? {
        "Content-Range": `bytes ${range[0]}-${range[1]}/${range[2]}`,
        "Content-Length": String(range[1] - range[0] + 1),
      }
    : {};
  return callVars(vars, "PUT", `/v2/images/${id}/stage`, { body, headers: { "Content-Type": OCTET, ...chunk } });
}

/** A body without a length (the Worker sees it chunked); it ends only once `gate` resolves, if given. */
function chunked(n: number, gate?: Promise<void>, onPull?: () => void): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream(
    {
      async pull(c) {
        onPull?.();
        if (sent) {
          await gate;
          return c.close();
        }
        sent = true;
        c.enqueue(new Uint8Array(n).fill(7));
      },
    },
    { highWaterMark: 0 },
  ); // pulled only when the Worker reads
}

async function row(id: string) {
  return env.DB.prepare("SELECT status, size, upload_size FROM images WHERE id = ?")
    .bind(id)
    .first<{ status: string; size: number | null }>();
}
const keys = async (id: string) => (await env.IMAGES.list({ prefix: `images/${id}` })).objects.map((o) => o.key);

/** Back to queued, no data recorded, nothing in R2. */
async function expectQueuedEmpty(id: string) {
  expect(await row(id)).toEqual({ status: "queued", size: null, upload_size: null });
  expect(await keys(id)).toEqual([]);
}

async function usage(vars: Record<string, string>, as: Who = "demo") {
  const res = await callVars(vars, "GET", "/v2/info/usage", { as });
  expect(res.status).toBe(200);
  type Entry = { limit: number; usage: number };
  type Names = "image_size_total" | "image_stage_total" | "image_count_total" | "image_count_uploading";
  return (JSON.parse(res.text) as { usage: Record<Names, Entry> }).usage;
}

async function until(check: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 5));
}

describe("GET /v2/info/usage", () => {
  it("reports limits and usage of the caller's project in MiB and counts; -1 when unlimited", async () => {
    const vars = {
      USER_STORAGE_QUOTA: "10MB",
      IMAGE_STAGE_TOTAL: "4MB",
      IMAGE_COUNT_TOTAL: "100",
      IMAGE_COUNT_UPLOADING: "3",
    };
    expect(await usage(vars)).toEqual({
      image_size_total: { limit: 10, usage: 0 },
      image_stage_total: { limit: 4, usage: 0 },
      image_count_total: { limit: 100, usage: 0 },
      image_count_uploading: { limit: 3, usage: 0 },
    });
    const a = await newImage(vars, "demo-project");
    const b = await newImage(vars, "demo-project");
    expect((await put(vars, a, new Uint8Array(2 * MIB + 5), {}, "demo")).status).toBe(204);
    expect((await stage(vars, b, new Uint8Array(MIB))).status).toBe(204);
    // Staged bytes are stored in R2 as well, so they count in image_size_total too.
    expect(await usage(vars)).toMatchObject({
      image_size_total: { usage: 3 },
      image_stage_total: { usage: 1 },
      image_count_total: { usage: 2 },
      image_count_uploading: { usage: 1 },
    });
    expect((await callVars(vars, "DELETE", `/v2/images/${a}`)).status).toBe(204);
    expect(await usage(vars)).toMatchObject({ image_size_total: { usage: 1 }, image_count_total: { usage: 1 } });
    expect(await usage({})).toMatchObject({
      image_size_total: { limit: -1, usage: 1 },
      image_count_total: { limit: -1 },
    });
    expect((await usage({}, "alt")).image_count_total).toEqual({ limit: -1, usage: 0 });
  });
});

describe("image_count_total", () => {
  const vars = { IMAGE_COUNT_TOTAL: "2" };

  it("third create -> 413 with Glance's text; after a delete, create works (admins bound by the owner's quota)", async () => {
    const first = await newImage(vars, "count-p");
    await newImage(vars, "count-p");
    const third = await create(vars, "count-p");
    expect(third.status).toBe(413);
    expect(third.message).toBe(
      `${UNIFIED}Project count-p is over a limit for [Resource image_count_total is over limit of 2 due to current usage 2 and delta 1]`,
    );
    expect((await create(vars, "count-other")).status).toBe(201);
    expect((await callVars(vars, "DELETE", `/v2/images/${first}`)).status).toBe(204);
    // The guarded INSERT stores every column as the plain one does.
    const made = await callVars(vars, "POST", "/v2/images", {
      json: { owner: "count-p", tags: ["t"], foo: "bar", protected: true },
    });
    expect(made.status).toBe(201);
    const shown = await callVars(vars, "GET", `/v2/images/${(JSON.parse(made.text) as { id: string }).id}`);
    expect(JSON.parse(shown.text)).toMatchObject({
      owner: "count-p",
      tags: ["t"],
      foo: "bar",
      protected: true,
      status: "queued",
    });
    // An id already taken is still a 409 while under the quota, a 413 once over it (Glance checks the quota first).
    expect(
      (await callVars({ IMAGE_COUNT_TOTAL: "5" }, "POST", "/v2/images", { json: { id: first, owner: "count-p" } }))
        .status,
    ).toBe(409);
    expect((await callVars(vars, "POST", "/v2/images", { json: { id: first, owner: "count-p" } })).status).toBe(413);
  });

  it("killed images do not count; 0 allows none", async () => {
    const id = await newImage({}, "count-killed");
    await env.DB.prepare("UPDATE images SET status = 'killed' WHERE id = ?").bind(id).run();
    expect((await create({ IMAGE_COUNT_TOTAL: "1" }, "count-killed")).status).toBe(201);
    expect((await create({ IMAGE_COUNT_TOTAL: "0" }, "count-zero")).status).toBe(413);
  });

  it("50 parallel creates at the boundary never exceed the limit", async () => {
    const limit = { IMAGE_COUNT_TOTAL: "10" };
    for (let i = 0; i < 7; i++) await newImage(limit, "count-race");
    const results = await Promise.all(Array.from({ length: 50 }, () => create(limit, "count-race")));
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 413)).toHaveLength(47);
    const n = await env.DB.prepare(
      "SELECT count(*) AS n FROM images WHERE owner = 'count-race' AND deleted = 0",
    ).first<{ n: number }>();
    expect(n?.n).toBe(10);
  });
});

describe("user_storage_quota", () => {
  const vars = { USER_STORAGE_QUOTA: "3KB" };

  it("known size: fits -> 204; over -> 413 before any byte is read, image queued, nothing in R2", async () => {
    expect((await put(vars, await newImage(vars, "store-p"), new Uint8Array(2 * KB))).status).toBe(204);
    const id = await newImage(vars, "store-p");
    let pulled = false;
    const over = await put(
      vars,
      id,
      chunked(2 * KB, undefined, () => (pulled = true)),
      { "X-OpenStack-Image-Size": "2048" },
    );
    expect(over.status).toBe(413);
    expect(over.message).toBe(
      "Image exceeds the storage quota: The size of the data 2048 will exceed the limit. 1024 bytes remaining.",
    );
    expect(pulled).toBe(false);
    await expectQueuedEmpty(id);
    expect((await put(vars, id, new Uint8Array(KB))).status).toBe(204); // exactly the remaining bytes
  });

  it("an upload in progress reserves its declared size", async () => {
    const busy = await newImage(vars, "store-reserve");
    await env.DB.prepare("UPDATE images SET status = 'saving', upload_started_at = ?, upload_size = 2048 WHERE id = ?")
      .bind(Date.now(), busy)
      .run();
    const res = await put(vars, await newImage(vars, "store-reserve"), new Uint8Array(2 * KB));
    expect(res.message).toBe(
      "Image exceeds the storage quota: The size of the data 2048 will exceed the limit. 1024 bytes remaining.",
    );
  });

  it("unknown size: 413 as the stream passes the remaining bytes (single part and multipart), nothing left", async () => {
    const small = await newImage(vars, "store-chunked");
    const res = await put(vars, small, chunked(5000));
    expect(res.status).toBe(413);
    expect(res.message).toBe(
      "Image exceeds the storage quota: The size of the data 5000 will exceed the limit. 3072 bytes remaining.",
    );
    await expectQueuedEmpty(small);
    // 6 MiB quota, 5 MiB parts: the first part is stored, the second crosses; the multipart upload is dropped.
    const big = await newImage(vars, "store-chunked");
    const multi = await put({ USER_STORAGE_QUOTA: "6MB" }, big, chunked(7 * MIB));
    expect(multi.status).toBe(413);
    await expectQueuedEmpty(big);
    const used = await env.DB.prepare(
      "SELECT coalesce(sum(size), 0) AS n FROM images WHERE owner = 'store-chunked'",
    ).first<{ n: number }>();
    expect(used?.n).toBe(0);
  });

  it("uploads of unknown size started together may finish over the quota; the next is refused", async () => {
    const q = { USER_STORAGE_QUOTA: "5KB" };
    const a = await newImage(q, "store-race");
    const b = await newImage(q, "store-race");
    const c = await newImage(q, "store-race");
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const upA = put(q, a, chunked(3 * KB, gate));
    await until(async () => (await row(a))?.status === "saving");
    const upB = put(q, b, chunked(3 * KB, gate));
    await until(async () => (await row(b))?.status === "saving");
    release();
    expect([(await upA).status, (await upB).status]).toEqual([204, 204]);
    const next = await put(q, c, chunked(10));
    expect(next.status).toBe(413);
    expect(next.message).toBe(
      "Image exceeds the storage quota: The size of the data None will exceed the limit. -1024 bytes remaining.",
    );
    expect((await callVars(q, "DELETE", `/v2/images/${a}`)).status).toBe(204);
    expect((await put(q, c, chunked(KB))).status).toBe(204);
  });
});

describe("image_count_uploading", () => {
  const vars = { IMAGE_COUNT_UPLOADING: "1" };

  it("a second upload or stage while one is saving -> 413, and that image goes back to queued", async () => {
    const busy = await newImage(vars, "upl-p");
    await env.DB.prepare("UPDATE images SET status = 'saving', upload_started_at = ? WHERE id = ?")
      .bind(Date.now(), busy)
      .run();
    const id = await newImage(vars, "upl-p");
    const expected = `${UNIFIED}Project upl-p is over a limit for [Resource image_count_uploading is over limit of 1 due to current usage 2 and delta 0]`;
    for (const attempt of [
      () => put(vars, id, new Uint8Array(KB)),
      () => put(vars, id, chunked(KB)),
      () => stage(vars, id, new Uint8Array(KB)),
      () => stage(vars, id, new Uint8Array(KB), [0, 1023, 1024]),
    ]) {
      const res = await attempt();
      expect(res.status).toBe(413);
      expect(res.message).toBe(expected);
      await expectQueuedEmpty(id);
    }
    expect((await put({ IMAGE_COUNT_UPLOADING: "2" }, id, new Uint8Array(KB))).status).toBe(204);
  });
});

describe("image_stage_total", () => {
  const vars = { IMAGE_STAGE_TOTAL: "4KB" };

  it("declared, unknown and chunked stages over the limit -> 413; a delete frees the space", async () => {
    const a = await newImage(vars, "stage-p");
    expect((await stage(vars, a, new Uint8Array(3 * KB))).status).toBe(204);
    const b = await newImage(vars, "stage-p");
    const over = (delta: number) =>
      `${UNIFIED}Project stage-p is over a limit for [Resource image_stage_total is over limit of 4096 due to current usage 3072 and delta ${delta}]`;
    const declared = await stage(vars, b, new Uint8Array(3 * KB));
    expect(declared.status).toBe(413);
    expect(declared.message).toBe(over(3072));
    await expectQueuedEmpty(b);
    const unknown = await stage(vars, b, chunked(2 * KB));
    expect(unknown.message).toBe(over(2048));
    await expectQueuedEmpty(b);
    const chunk = await stage(vars, b, new Uint8Array(2 * KB), [0, 2047, 2048]);
    expect(chunk.message).toBe(over(2048));
    await expectQueuedEmpty(b);
    // Uploads to /file are not staging: only the storage quota applies to them.
    expect((await put(vars, await newImage(vars, "stage-p"), new Uint8Array(3 * KB))).status).toBe(204);
    expect((await callVars(vars, "DELETE", `/v2/images/${a}`)).status).toBe(204);
    expect((await stage(vars, b, new Uint8Array(3 * KB))).status).toBe(204);
  });

  it("a chunked stage reserves its announced total from the first chunk", async () => {
    const a = await newImage(vars, "stage-chunked");
    const first = await stage(vars, a, new Uint8Array(5 * MIB), [0, 5 * MIB - 1, 6 * MIB]);
    expect(first.status).toBe(413); // 6 MiB announced > 4 KiB
    const ok = { IMAGE_STAGE_TOTAL: "7MB" };
    expect((await stage(ok, a, new Uint8Array(5 * MIB), [0, 5 * MIB - 1, 6 * MIB])).status).toBe(204);
    const b = await newImage(ok, "stage-chunked");
    expect((await stage(ok, b, new Uint8Array(2 * MIB))).status).toBe(413);
  });
});
