// Resumable chunked stage: 5 MiB chunks as R2 parts, resume after an interruption, chunks out of order and in
// parallel, the 400/409/416 rules.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage, getImage, jsonError } from "../helpers/api";
import {
  bytes,
  digest,
  importImage,
  isolatedWorker,
  OCTET,
  stage,
  storedKeys,
  VECTOR,
  VECTOR_MD5,
  waitForTask,
} from "../helpers/import";

const MIB = 1024 * 1024;
const CHUNK = 5 * MIB;
const TOTAL = 2 * CHUNK + MIB; // three chunks: 5 + 5 + 1 MiB
const DATA = bytes(TOTAL, 7);

const newImage = () => createImage({ disk_format: "raw", container_format: "bare" });
const range = (start: number, end: number, total = TOTAL) => ({ "Content-Range": `bytes ${start}-${end}/${total}` });

/** PUT one chunk [start, start+len) of `data`. */
function chunk(id: string, start: number, len: number, data = DATA, extra: Record<string, string> = {}) {
  return stage(id, data.slice(start, start + len), { ...range(start, start + len - 1, data.byteLength), ...extra });
}

async function progress(id: string) {
  const res = await call("GET", `/v2/images/${id}/stage`);
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : null,
  };
}

async function stagingRows(id: string) {
  return env.DB.prepare("select count(*) as n from image_staging where image_id = ?").bind(id).first("n");
}

describe("chunked stage", () => {
  it("three chunks, then glance-direct: hashes carried across requests match the whole data", async () => {
    const img = await newImage();
    expect((await progress(img.id)).status).toBe(404);
    let res = await chunk(img.id, 0, CHUNK);
    expect(res.status).toBe(204);
    expect(res.headers.get("OpenStack-Image-Stage-Received")).toBe(String(CHUNK));
    expect(res.headers.get("OpenStack-Image-Stage-Total")).toBe(String(TOTAL));
    expect((await getImage(img.id)).status).toBe("uploading");
    expect(await progress(img.id)).toEqual({
      status: 200,
      body: { received: CHUNK, total: TOTAL, chunk_size: CHUNK, missing: [[CHUNK, TOTAL - 1]], parallel: 4 },
    });
    res = await chunk(img.id, CHUNK, CHUNK);
    expect(res.headers.get("OpenStack-Image-Stage-Received")).toBe(String(2 * CHUNK));
    res = await chunk(img.id, 2 * CHUNK, MIB);
    expect(res.status).toBe(204);
    expect(res.headers.get("OpenStack-Image-Stage-Received")).toBe(String(TOTAL));
    expect(await getImage(img.id)).toMatchObject({ status: "uploading", size: TOTAL, checksum: null });
    // Nothing is visible in the bucket until import completes the multipart upload.
    expect(await storedKeys(img.id)).toEqual([]);

    expect((await importImage(img.id, { method: { name: "glance-direct" } })).status).toBe(202);
    expect((await waitForTask(img.id)).status).toBe("success");
    const shown = await getImage(img.id);
    expect(shown).toMatchObject({ status: "active", size: TOTAL, checksum: await digest("MD5", DATA) });
    expect(shown.os_hash_value).toBe(await digest("SHA-512", DATA));
    const download = new Uint8Array(await (await call("GET", `/v2/images/${img.id}/file`)).arrayBuffer());
    expect(download.byteLength).toBe(TOTAL);
    expect(await digest("SHA-512", download)).toBe(shown.os_hash_value);
    expect(await storedKeys(img.id)).toEqual([`images/${img.id}`]);
    expect(await stagingRows(img.id)).toBe(0);
  });

  it("a single chunk smaller than 5 MiB is a whole stage", async () => {
    const img = await newImage();
    expect((await chunk(img.id, 0, 1024, VECTOR)).status).toBe(204);
    await importImage(img.id, { method: { name: "glance-direct" } });
    await waitForTask(img.id);
    expect(await getImage(img.id)).toMatchObject({ status: "active", size: 1024, checksum: VECTOR_MD5 });
  });

  it("an interrupted chunk changes nothing; GET /stage says where to resume", async () => {
    const img = await newImage();
    await chunk(img.id, 0, CHUNK);
    const part = DATA.slice(CHUNK, 2 * CHUNK);
    let sent = 0;
    const dying = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent >= 2 * MIB) return c.error(new Error("client went away"));
        c.enqueue(part.slice(sent, sent + 256 * 1024));
        sent += 256 * 1024;
      },
    });
    const res = await stage(img.id, dying, { ...range(CHUNK, 2 * CHUNK - 1), "Content-Length": String(CHUNK) });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect((await getImage(img.id)).status).toBe("uploading");
    const { body } = await progress(img.id);
    expect(body).toEqual({
      received: CHUNK,
      total: TOTAL,
      chunk_size: CHUNK,
      missing: [[CHUNK, TOTAL - 1]],
      parallel: 4,
    });
    expect((await chunk(img.id, body!.received as number, CHUNK)).status).toBe(204);
    expect((await chunk(img.id, 2 * CHUNK, MIB)).status).toBe(204);
    await importImage(img.id, { method: { name: "glance-direct" } });
    await waitForTask(img.id);
    expect(await getImage(img.id)).toMatchObject({ status: "active", checksum: await digest("MD5", DATA) });
  });

  it("misaligned is 416, a chunk stored twice 409, wrong sizes 400, bad ranges 416", async () => {
    const img = await newImage();
    const err = async (r: Promise<Response>) => {
      const res = await r;
      return [res.status, (await jsonError(res)).message] as const;
    };
    const J = { Accept: "application/json" };
    // The first chunk must start at 0 and (not being last) be at least 5 MiB.
    expect((await chunk(img.id, CHUNK, CHUNK, DATA, J)).status).toBe(416);
    const [small, smallMsg] = await err(chunk(img.id, 0, MIB, DATA, J));
    expect(small).toBe(400);
    expect(smallMsg).toContain("at least 5242880 bytes");
    expect((await getImage(img.id)).status).toBe("queued");
    expect((await chunk(img.id, 0, CHUNK)).status).toBe(204);
    // Later chunks start at a multiple of the chunk size, in any order.
    const [misaligned, misalignedMsg] = await err(chunk(img.id, CHUNK + 1, MIB, DATA, J));
    expect(misaligned).toBe(416);
    expect(misalignedMsg).toContain("must start at a multiple of the chunk size 5242880, not at 5242881");
    const [dup, dupMsg] = await err(chunk(img.id, 0, CHUNK, DATA, J));
    expect(dup).toBe(409);
    expect(dupMsg).toContain("Bytes from 0 are already staged, or being staged by another request.");
    const [wrong, wrongMsg] = await err(chunk(img.id, CHUNK, CHUNK - 1, DATA, J));
    expect(wrong).toBe(400);
    expect(wrongMsg).toContain("exactly 5242880 bytes");
    // TOTAL must not change within a session.
    const other = new Uint8Array(TOTAL + 1);
    expect(
      (await stage(img.id, DATA.slice(CHUNK, 2 * CHUNK), { ...range(CHUNK, 2 * CHUNK - 1, TOTAL + 1), ...J })).status,
    ).toBe(416);
    expect(other.byteLength).toBe(TOTAL + 1);
    // Content-Length must equal the range's length; malformed or inverted ranges are 416.
    expect((await stage(img.id, new Uint8Array(10), { ...range(CHUNK, 2 * CHUNK - 1), ...J })).status).toBe(400);
    expect((await stage(img.id, new Uint8Array(10), { "Content-Range": "bytes 9-0/10" })).status).toBe(416);
    expect((await stage(img.id, new Uint8Array(10), { "Content-Range": "items 0-9/10" })).status).toBe(416);
    // A single-request stage cannot join a chunked session.
    expect((await stage(img.id, VECTOR)).status).toBe(409);
    expect((await chunk(img.id, CHUNK, CHUNK)).status).toBe(204);
    expect((await chunk(img.id, CHUNK, CHUNK, DATA, J)).status).toBe(409);
    expect((await progress(img.id)).body).toMatchObject({ received: 2 * CHUNK, missing: [[2 * CHUNK, TOTAL - 1]] });
  });

  it("import before the last chunk fails the task and cleans everything up", async () => {
    const img = await newImage();
    await chunk(img.id, 0, CHUNK);
    expect((await importImage(img.id, { method: { name: "glance-direct" } })).status).toBe(202);
    const task = await waitForTask(img.id);
    expect(task).toMatchObject({ status: "failure", message: expect.stringContaining("only partly staged") });
    expect(await getImage(img.id)).toMatchObject({ status: "queued", size: null });
    expect(await stagingRows(img.id)).toBe(0);
    expect(await storedKeys(img.id)).toEqual([]);
  });

  it("a chunk over STAGE_CHUNK_MAX is 413; only owners may stage or read progress", async () => {
    const w = isolatedWorker({ STAGE_CHUNK_MAX: String(CHUNK) });
    const img = await newImage();
    const res = await w.raw("PUT", `/v2/images/${img.id}/stage`, {
      body: DATA.slice(0, CHUNK + 1),
      headers: { ...OCTET, ...range(0, CHUNK, TOTAL) },
    });
    expect(res.status).toBe(413);
    expect((await call("GET", `/v2/images/${img.id}/stage`, { as: "alt" })).status).toBe(404);
  });

  it("deleting the image mid-session leaves nothing behind", async () => {
    const img = await newImage();
    await chunk(img.id, 0, CHUNK);
    expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
    expect(await stagingRows(img.id)).toBe(0);
    expect(await storedKeys(img.id)).toEqual([]);
    expect((await chunk(img.id, CHUNK, CHUNK)).status).toBe(404);
  });
});
