// Image data through the Worker: upload (put and multipart paths), hashes, failures that lose nothing, download.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { BASE, call, createImage, getImage, TOKENS, type Who } from "../helpers/api";
import { bytes } from "../helpers/bytes";
import { pieces } from "../helpers/streams";

const MIB = 1024 * 1024;
const PART = 5 * MIB; // test/vitest.config.ts sets UPLOAD_PART_SIZE and UPLOAD_SINGLE_PUT_MAX to 5 MiB
const VECTOR = new Uint8Array(1024).map((_, i) => i % 256); // bytes(range(256)) * 4, Glance's golden data
const VECTOR_MD5 = "b2ea9f7fcea831a4a63b213f41a8855b";
const VECTOR_SHA512 =
  "37f652be867f28ed033269cbba201af2112c2b3fd334a89fd2f757938ddee815787cc61d6e24a8a33340d0f7e86ffc058816b88530766ba6e231620a130b566c";
const OCTET = { "Content-Type": "application/octet-stream" };

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const digest = async (alg: string, data: Uint8Array) => hex(await crypto.subtle.digest(alg, data));

/** A body without a length (the Worker sees it chunked), in pieces; with `failAfter`, it breaks there. */
const chunked = pieces;

const newImage = (fields: Record<string, unknown> = {}, as: Who = "demo") =>
  createImage({ disk_format: "raw", container_format: "bare", ...fields }, as);

async function upload(id: string, body: BodyInit | null, headers: Record<string, string> = {}, as: Who = "demo") {
  const res = await call("PUT", `/v2/images/${id}/file`, { as, body, headers: { ...OCTET, ...headers } });
  return { status: res.status, text: await res.text(), res };
}

async function download(id: string, headers: Record<string, string> = {}, as: Who = "demo") {
  const res = await call("GET", `/v2/images/${id}/file`, { as, headers });
  return { res, data: new Uint8Array(await res.arrayBuffer()) };
}

async function storedKeys(id: string): Promise<string[]> {
  return (await env.IMAGES.list({ prefix: `images/${id}` })).objects.map((o) => o.key);
}

/** The image is back to queued with no data, and nothing of it is left in R2. */
async function expectRestored(id: string) {
  const img = await getImage(id);
  expect(img).toMatchObject({ status: "queued", size: null, virtual_size: null, checksum: null });
  expect(img.os_hash_value).toBeNull();
  expect(await storedKeys(id)).toEqual([]);
}

/**
 * Calls the Worker's fetch handler in this isolate, with extra vars (exports.default.fetch always uses the
 * configured env). The body stream is handed over as is, so its errors reach the upload, as a client
 * disconnect does in production; through exports.default.fetch a failing body just ends early.
 */
async function callWithVars(
  vars: Record<string, string>,
  method: string,
  path: string,
  body: BodyInit | null,
  extra: Record<string, string> = {},
) {
  const ctx = createExecutionContext();
  const headers = { ...OCTET, "X-Auth-Token": TOKENS.demo, ...extra };
  const res = await worker.fetch(new Request(`${BASE}${path}`, { method, headers, body }), { ...env, ...vars }, ctx);
  await waitOnExecutionContext(ctx);
  return { status: res.status, text: await res.text() };
}

describe("upload", () => {
  it("stores Glance's golden 1024 bytes with MD5, SHA-512 and virtual_size (Content-Length)", async () => {
    const img = await newImage();
    const up = await upload(img.id, VECTOR);
    expect(up.status).toBe(204);
    expect(up.text).toBe("");
    const shown = await getImage(img.id);
    expect(shown).toMatchObject({ status: "active", size: 1024, virtual_size: 1024, checksum: VECTOR_MD5 });
    expect(shown).toMatchObject({ os_hash_algo: "sha512", os_hash_value: VECTOR_SHA512 });
    expect(await storedKeys(img.id)).toEqual([`images/${img.id}`]);
  });

  it("computes the same hashes for a chunked body in odd pieces", async () => {
    const img = await newImage();
    expect((await upload(img.id, chunked(VECTOR, 100))).status).toBe(204);
    expect(await getImage(img.id)).toMatchObject({ size: 1024, checksum: VECTOR_MD5, os_hash_value: VECTOR_SHA512 });
  });

  const sizes: [string, number, boolean][] = [
    ["0 bytes, Content-Length", 0, false],
    ["0 bytes, chunked", 0, true],
    ["1 byte, Content-Length", 1, false],
    ["1 byte, chunked", 1, true],
    ["one byte under a part, chunked", PART - 1, true],
    ["exactly one part, Content-Length (largest single put)", PART, false],
    ["exactly one part, chunked", PART, true],
    ["one byte over a part, Content-Length (multipart)", PART + 1, false],
    ["one byte over a part, chunked", PART + 1, true],
    ["three parts, chunked", 2 * PART + 12345, true],
  ];
  for (const [name, n, isChunked] of sizes) {
    it(`round-trips ${name}`, async () => {
      const data = bytes(n, n + 7);
      const img = await newImage();
      const up = await upload(img.id, isChunked ? chunked(data, 256 * 1024 + 3) : data);
      expect(up.status, up.text).toBe(204);
      const md5 = await digest("MD5", data);
      const shown = await getImage(img.id);
      // Glance stores no virtual_size of 0 (it means unknown), so an empty image has none.
      expect(shown).toMatchObject({ status: "active", size: n, virtual_size: n || null, checksum: md5 });
      expect(shown.os_hash_value).toBe(await digest("SHA-512", data));
      const got = await download(img.id);
      expect(got.res.status).toBe(200);
      expect(got.res.headers.get("content-length")).toBe(String(n));
      expect(got.res.headers.get("content-md5")).toBe(md5);
      expect(await digest("MD5", got.data)).toBe(md5);
    });
  }

  it("takes X-OpenStack-Image-Size as the declared size of a chunked body", async () => {
    const img = await newImage();
    expect((await upload(img.id, chunked(VECTOR), { "X-OpenStack-Image-Size": "1024" })).status).toBe(204);
    expect((await getImage(img.id)).size).toBe(1024);
  });

  it("reads the qcow2 virtual size from the header, and leaves it null for non-bare containers", async () => {
    const qcow = new Uint8Array(4096);
    qcow.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);
    new DataView(qcow.buffer).setBigUint64(24, 10n * 1024n ** 3n);
    const img = await newImage({ disk_format: "qcow2" });
    expect((await upload(img.id, qcow)).status).toBe(204);
    expect((await getImage(img.id)).virtual_size).toBe(10 * 1024 ** 3);
    const ovf = await newImage({ container_format: "ovf" });
    expect((await upload(ovf.id, VECTOR)).status).toBe(204);
    expect((await getImage(ovf.id)).virtual_size).toBeNull();
  });
});

describe("upload refusals", () => {
  it("415 for a missing or other media type, before the image is looked up", async () => {
    const img = await newImage();
    const none = await call("PUT", `/v2/images/${img.id}/file`, { body: VECTOR });
    expect(none.status).toBe(415);
    expect(await none.text()).toContain("The request media type None is not supported by this server.");
    const json = await call("PUT", `/v2/images/${img.id}/file`, {
      body: VECTOR,
      headers: { "Content-Type": "application/json" },
    });
    expect(json.status).toBe(415);
    expect(await json.text()).toContain("The request media type application/json is not supported by this server.");
    const missing = await call("PUT", `/v2/images/${crypto.randomUUID()}/file`, { body: VECTOR });
    expect(missing.status).toBe(415);
    await missing.body?.cancel();
  });

  it("400 when formats are missing and inference is off (golden 09), image untouched", async () => {
    const strict = { INFER_UPLOAD_FORMATS: "false" };
    const img = await createImage({ name: "no formats" });
    const up = await callWithVars(strict, "PUT", `/v2/images/${img.id}/file`, VECTOR);
    expect(up.status).toBe(400);
    expect(up.text).toContain("Properties disk_format, container_format must be set prior to saving data.");
    const half = await createImage({ disk_format: "raw" });
    const halfUp = await callWithVars(strict, "PUT", `/v2/images/${half.id}/file`, VECTOR);
    expect(halfUp.text).toContain("Property container_format must be set prior to saving data.");
    expect((await getImage(img.id)).status).toBe("queued");
    expect(await storedKeys(img.id)).toEqual([]);
  });

  it("fills in missing formats from the data by default (the seed walkthrough sets none)", async () => {
    const plain = await createImage({ name: "seed-like" });
    expect((await upload(plain.id, VECTOR)).status).toBe(204);
    expect(await getImage(plain.id)).toMatchObject({
      status: "active",
      disk_format: "raw",
      container_format: "bare",
      virtual_size: 1024,
    });

    // A qcow2 header (magic, version 3, virtual size 1 GiB at offset 24) is recognised as qcow2.
    const qcow = new Uint8Array(4096);
    qcow.set([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]);
    new DataView(qcow.buffer).setBigUint64(24, 1n << 30n);
    const q = await createImage({ name: "qcow2 without formats" });
    expect((await upload(q.id, qcow)).status).toBe(204);
    expect(await getImage(q.id)).toMatchObject({
      disk_format: "qcow2",
      container_format: "bare",
      virtual_size: 1 << 30,
      size: 4096,
    });

    // Formats the client did set are never overridden: data that contradicts them is refused (Glance's
    // require_image_format_match), and the image keeps them.
    const given = await createImage({ disk_format: "iso" });
    const refused = await upload(given.id, qcow);
    expect(refused.status).toBe(415);
    expect(refused.text).toContain("Image disk_format iso does not match stream data qcow2");
    expect(await getImage(given.id)).toMatchObject({ status: "queued", disk_format: "iso", container_format: null });
  });

  it("400 for a non-integer X-OpenStack-Image-Size", async () => {
    const img = await newImage();
    for (const v of ["abc", "-1", "1.5", ""]) {
      const up = await upload(img.id, VECTOR, { "X-OpenStack-Image-Size": v });
      expect(up.status).toBe(400);
      expect(up.text).toContain("Invalid or missing image size in request headers.");
    }
    await expectRestored(img.id);
  });

  it("400 and nothing kept when the declared size disagrees with the body", async () => {
    for (const [declared, body] of [
      ["1000", VECTOR], // more bytes than declared: single put, stopped before the extra bytes are stored
      ["2048", chunked(VECTOR)], // fewer
      [String(PART + 10), chunked(bytes(PART + 5))], // multipart, fewer
      [String(PART + 10), chunked(bytes(PART + 20))], // multipart, more
    ] as const) {
      const img = await newImage();
      const up = await upload(img.id, body, { "X-OpenStack-Image-Size": declared });
      expect(up.status).toBe(400);
      expect(up.text).toMatch(/Size (mismatch|exceeds): expected \d+ bytes, got \d+ bytes/);
      await expectRestored(img.id);
    }
  });

  it("409 for a second upload, keeping the first data (golden 15)", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    const again = await upload(img.id, bytes(10));
    expect(again.status).toBe(409);
    expect(again.text).toContain("Image status transition from active to saving is not allowed");
    expect((await getImage(img.id)).checksum).toBe(VECTOR_MD5);
    expect(await digest("MD5", (await download(img.id)).data)).toBe(VECTOR_MD5);
  });

  it("409 for a deactivated image", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    expect((await call("POST", `/v2/images/${img.id}/actions/deactivate`)).status).toBe(204);
    const up = await upload(img.id, VECTOR);
    expect(up.status).toBe(409);
    expect(up.text).toContain("Image status transition from deactivated to saving is not allowed");
  });

  it("404 for an image the caller cannot see, 403 for a reader", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR, {}, "alt")).status).toBe(404);
    const reader = await upload(img.id, VECTOR, {}, "demoReader");
    expect(reader.status).toBe(403);
    expect(reader.text).toContain("You are not authorized to complete upload_image action.");
    await expectRestored(img.id);
  });
});

describe("image_size_cap", () => {
  it("413 up front for a declared size over the cap", async () => {
    const img = await newImage();
    const res = await callWithVars({ IMAGE_SIZE_CAP: "128" }, "PUT", `/v2/images/${img.id}/file`, VECTOR);
    expect(res.status).toBe(413);
    expect(res.text).toContain("The incoming image is too large: The provided image is too large.");
    await expectRestored(img.id);
  });

  it("413 as the stream passes the cap (chunked, both paths), nothing kept", async () => {
    for (const body of [chunked(VECTOR), chunked(bytes(PART + 100))]) {
      const img = await newImage();
      const res = await callWithVars({ IMAGE_SIZE_CAP: "1000" }, "PUT", `/v2/images/${img.id}/file`, body);
      expect(res.status).toBe(413);
      await expectRestored(img.id);
    }
  });

  it("accepts a body exactly at the cap", async () => {
    const img = await newImage();
    const res = await callWithVars({ IMAGE_SIZE_CAP: "1024" }, "PUT", `/v2/images/${img.id}/file`, chunked(VECTOR));
    expect(res.status).toBe(204);
  });
});

describe("faults lose nothing", () => {
  it("a client that goes away mid-stream leaves the image queued and R2 empty; a retry works", async () => {
    for (const [data, piece, failAfter] of [
      [VECTOR, 256, 512],
      [bytes(3 * PART), 64 * 1024, PART + MIB], // after one part was stored
    ] as const) {
      const img = await newImage();
      const up = await callWithVars({}, "PUT", `/v2/images/${img.id}/file`, chunked(data, piece, failAfter));
      expect(up.status).toBe(400);
      expect(up.text).toContain("the request body was cut off");
      expect(up.text).not.toContain("client went away");
      await expectRestored(img.id);
      // Through the pool's fetch the failing body arrives truncated: the declared size catches that.
      const cut = await upload(img.id, chunked(data, piece, failAfter), {
        "X-OpenStack-Image-Size": String(data.length),
      });
      expect(cut.status).toBe(400);
      await expectRestored(img.id);
      expect((await upload(img.id, VECTOR)).status).toBe(204);
      expect((await getImage(img.id)).checksum).toBe(VECTOR_MD5);
    }
  });

  it("a delete during the upload answers 410 and leaves nothing in R2", async () => {
    for (const total of [3 * MIB, 2 * PART + 1]) {
      const img = await newImage();
      const data = bytes(total);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(c) {
          if (sent >= data.byteLength) return c.close();
          if (sent >= MIB) await gate; // hold the rest until the image is deleted
          c.enqueue(data.slice(sent, sent + 256 * 1024));
          sent += 256 * 1024;
        },
      });
      const pending = upload(img.id, body, { "X-OpenStack-Image-Size": String(total) });
      for (let i = 0; i < 100 && (await getImage(img.id)).status !== "saving"; i++) await scheduler.wait(5);
      expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
      release();
      const up = await pending;
      expect(up.status).toBe(410);
      expect(up.text).toContain(`Image ${img.id} could not be found after upload.`);
      expect(await storedKeys(img.id)).toEqual([]);
    }
  });

  it("concurrent uploads: exactly one wins, one object", async () => {
    const img = await newImage();
    const results = await Promise.all([
      upload(img.id, bytes(4096, 1)),
      upload(img.id, bytes(4096, 2)),
      upload(img.id, chunked(bytes(4096, 3))),
    ]);
    const codes = results.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 204)).toHaveLength(1);
    expect(codes.every((c) => c === 204 || c === 409 || c === 410)).toBe(true);
    expect(await storedKeys(img.id)).toEqual([`images/${img.id}`]);
    const got = await download(img.id);
    expect(await digest("MD5", got.data)).toBe((await getImage(img.id)).checksum);
  });

  it("reclaims a saving image abandoned longer than UPLOAD_STALE_SECONDS, not a live one", async () => {
    const img = await newImage();
    const mp = await env.IMAGES.createMultipartUpload(`images/${img.id}`);
    await env.DB.prepare("update images set status = 'saving', upload_started_at = ?, upload_id = ? where id = ?")
      .bind(Date.now(), mp.uploadId, img.id)
      .run();
    const live = await upload(img.id, VECTOR);
    expect(live.status).toBe(409);
    expect(live.text).toContain("Image status transition from saving to saving is not allowed");
    await env.DB.prepare("update images set upload_started_at = ? where id = ?")
      .bind(Date.now() - 3601_000, img.id)
      .run();
    await env.IMAGES.put(`images/${img.id}`, "leftover");
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    expect(await getImage(img.id)).toMatchObject({ status: "active", checksum: VECTOR_MD5 });
    expect(await digest("MD5", (await download(img.id)).data)).toBe(VECTOR_MD5);
    await expect(mp.uploadPart(1, new Uint8Array(1))).rejects.toThrow(); // the dead upload was aborted
  });

  it("DELETE removes the data from R2", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
    expect(await storedKeys(img.id)).toEqual([]);
    const res = await call("GET", `/v2/images/${img.id}/file`);
    expect(res.status).toBe(404);
    await res.body?.cancel();
  });
});

describe("download", () => {
  it("204 with no body before any data, also with a Range (golden 06, 07)", async () => {
    const img = await newImage();
    for (const headers of [{}, { Range: "bytes=0-15" }, { Range: "bytes=0-1,4-5" }] as Record<string, string>[]) {
      const got = await download(img.id, headers);
      expect(got.res.status).toBe(204);
      expect(got.data.byteLength).toBe(0);
    }
  });

  it("200 with exact headers (golden 16), then single ranges (golden 18-21)", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    const full = await download(img.id);
    expect(full.res.status).toBe(200);
    expect(full.res.headers.get("content-type")).toBe("application/octet-stream");
    expect(full.res.headers.get("content-md5")).toBe(VECTOR_MD5);
    expect(full.res.headers.get("content-length")).toBe("1024");
    expect(full.res.headers.get("content-range")).toBeNull();
    expect(full.data).toEqual(VECTOR);

    const cases: [string, number, number][] = [
      ["bytes=0-15", 0, 15],
      ["bytes=-10", 1014, 1023],
      ["bytes=1000-", 1000, 1023],
      ["bytes=1000-5000", 1000, 1023],
      ["bytes=-5000", 0, 1023],
      ["bytes=5-5", 5, 5],
    ];
    for (const [range, a, b] of cases) {
      const got = await download(img.id, { Range: range });
      expect(got.res.status, range).toBe(206);
      expect(got.res.headers.get("content-range")).toBe(`bytes ${a}-${b}/1024`);
      expect(got.res.headers.get("content-length")).toBe(String(b - a + 1));
      expect(got.res.headers.get("content-md5")).toBe(VECTOR_MD5);
      expect(got.data).toEqual(VECTOR.slice(a, b + 1));
    }
    const legacy = await download(img.id, { "Content-Range": "bytes 2-3/*" });
    expect(legacy.res.status).toBe(206);
    expect(legacy.data).toEqual(VECTOR.slice(2, 4));
  });

  it("416 and 400 for ranges Glance refuses", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    const far = await call("GET", `/v2/images/${img.id}/file`, { headers: { Range: "bytes=5000-6000" } });
    expect(far.status).toBe(416);
    expect(far.headers.get("content-range")).toBeNull();
    expect(await far.text()).toContain(
      "Invalid start position in Range header. Start position MUST be in the inclusive range [0, 1023].",
    );
    for (const range of ["bytes=abc", "items=0-1", "bytes=5-2", "bytes=-", "bytes=-0"]) {
      const res = await call("GET", `/v2/images/${img.id}/file`, { headers: { Range: range } });
      expect(res.status, range).toBe(416);
      expect(await res.text()).toContain("Invalid Range header.");
    }
    const multi = await call("GET", `/v2/images/${img.id}/file`, { headers: { Range: "bytes=0-1,4-5" } });
    expect(multi.status).toBe(400);
    expect(await multi.text()).toContain("Requests with multiple ranges are not supported in Glance.");
  });

  it("deactivated: 403 for the owner (golden 35), 200 for an admin; readers get 403", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    const reader = await call("GET", `/v2/images/${img.id}/file`, { as: "demoReader" });
    expect(reader.status).toBe(403);
    await reader.body?.cancel();
    expect((await call("POST", `/v2/images/${img.id}/actions/deactivate`)).status).toBe(204);
    const owner = await call("GET", `/v2/images/${img.id}/file`);
    expect(owner.status).toBe(403);
    expect(await owner.text()).toContain("The requested image has been deactivated. Image data download is forbidden.");
    const admin = await download(img.id, {}, "admin");
    expect(admin.res.status).toBe(200);
    expect(admin.data).toEqual(VECTOR);
    const hidden = await call("GET", `/v2/images/${img.id}/file`, { as: "alt" });
    expect(hidden.status).toBe(404);
    await hidden.body?.cancel();
  });

  it("503 without storage details when the object behind an active image is missing", async () => {
    const img = await newImage();
    expect((await upload(img.id, VECTOR)).status).toBe(204);
    await env.IMAGES.delete(`images/${img.id}`);
    const res = await call("GET", `/v2/images/${img.id}/file`, { headers: { Accept: "application/json" } });
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(text).not.toContain("images/");
    expect(text).not.toContain("glance-images");
  });
});

describe("benchmark routes", () => {
  it("do not exist unless BENCH_ROUTES=1", async () => {
    const res = await call("PUT", "/_bench/r2-put", { body: VECTOR, as: null });
    expect(res.status).toBe(404);
    await res.body?.cancel();
    expect((await env.IMAGES.list({ prefix: "bench/" })).objects).toEqual([]);
  });
});
