// Chunks of one stage out of order and in parallel: each is one R2 part, GET /stage lists what is missing, and
// glance-direct hashes what did not come in order by reading it back, so the image's hashes are the data's.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage, getImage } from "../helpers/api";
import { bytes, digest, importImage, stage, waitForTask } from "../helpers/import";

const MIB = 1024 * 1024;
const CHUNK = 5 * MIB;

const newImage = () => createImage({ disk_format: "raw", container_format: "bare" });

/** PUT chunk `i` of `data` (chunk size CHUNK). */
function chunk(id: string, data: Uint8Array, i: number) {
  const start = i * CHUNK;
  const end = Math.min(start + CHUNK, data.byteLength) - 1;
  return stage(id, data.slice(start, end + 1), { "Content-Range": `bytes ${start}-${end}/${data.byteLength}` });
}

async function progress(id: string) {
  return (await (await call("GET", `/v2/images/${id}/stage`)).json()) as {
    received: number;
    missing: [number, number][];
    parallel: number;
  };
}

/** Bytes of the stage whose hashes were computed on the way in (the in-order prefix). */
const hashedPrefix = (id: string) =>
  env.DB.prepare("select hashed from image_staging where image_id = ?").bind(id).first<number>("hashed");

async function importAndCheck(id: string, data: Uint8Array) {
  expect((await importImage(id, { method: { name: "glance-direct" } })).status).toBe(202);
  expect(await waitForTask(id)).toMatchObject({ status: "success" });
  const shown = await getImage(id);
  expect(shown).toMatchObject({ status: "active", size: data.byteLength, checksum: await digest("MD5", data) });
  expect(shown.os_hash_value).toBe(await digest("SHA-512", data));
}

describe("chunks out of order", () => {
  it("the last chunk before the middle one: GET /stage lists the gap, the import hashes the rest", async () => {
    const data = bytes(2 * CHUNK + 123, 11);
    const img = await newImage();
    expect((await chunk(img.id, data, 0)).status).toBe(204);
    const res = await chunk(img.id, data, 2);
    expect(res.status).toBe(204);
    expect(res.headers.get("OpenStack-Image-Stage-Received")).toBe(String(CHUNK + 123));
    expect(await progress(img.id)).toMatchObject({
      received: CHUNK + 123,
      missing: [[CHUNK, 2 * CHUNK - 1]],
      parallel: 4,
    });
    expect((await chunk(img.id, data, 1)).status).toBe(204);
    expect(await progress(img.id)).toMatchObject({ received: data.byteLength, missing: [] });
    // Chunk 1 continued the in-order prefix; chunk 2 had come before it, so it is hashed at import.
    expect(await hashedPrefix(img.id)).toBe(2 * CHUNK);
    await importAndCheck(img.id, data);
  });

  it("in order, everything is hashed on the way in", async () => {
    const data = bytes(2 * CHUNK + 7, 12);
    const img = await newImage();
    for (const i of [0, 1, 2]) expect((await chunk(img.id, data, i)).status).toBe(204);
    expect(await hashedPrefix(img.id)).toBe(data.byteLength);
    await importAndCheck(img.id, data);
  });
});

describe("chunks in parallel", () => {
  it("after the first chunk, all the others at once", async () => {
    const data = bytes(4 * CHUNK + 999, 13);
    const img = await newImage();
    expect((await chunk(img.id, data, 0)).status).toBe(204);
    const codes = await Promise.all([1, 2, 3, 4].map(async (i) => (await chunk(img.id, data, i)).status));
    expect(codes).toEqual([204, 204, 204, 204]);
    expect(await progress(img.id)).toMatchObject({ received: data.byteLength, missing: [] });
    expect(await getImage(img.id)).toMatchObject({ status: "uploading", size: data.byteLength });
    await importAndCheck(img.id, data);
  });

  it("two copies of one chunk at once: one is stored, the other gets 409", async () => {
    const data = bytes(2 * CHUNK + 5, 14);
    const img = await newImage();
    expect((await chunk(img.id, data, 0)).status).toBe(204);
    const codes = (await Promise.all([chunk(img.id, data, 1), chunk(img.id, data, 1)])).map((r) => r.status);
    expect(codes.sort()).toEqual([204, 409]);
    expect((await chunk(img.id, data, 2)).status).toBe(204);
    await importAndCheck(img.id, data);
  });
});
