// A body that breaks before its end is refused on every way data comes in; nothing of it is kept.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createImage, getImage } from "../helpers/api";
import { bytes } from "../helpers/bytes";
import { deliver, FAKE_HOST, imageTasks, isolatedWorker, serveFakeSource, storedKeys } from "../helpers/import";
import { pieces } from "../helpers/streams";

const MIB = 1024 * 1024;
const PART = 5 * MIB; // test/vitest.config.ts sets the part size and the single-put limit to 5 MiB
const OCTET = { "Content-Type": "application/octet-stream" };
const CUT = /The image data ended early: the request body was cut off after \d+ bytes/;

const newImage = () => createImage({ disk_format: "raw", container_format: "bare" });

afterEach(() => {
  vi.unstubAllGlobals();
});

// Called straight (not through the pool's fetch, which ends a failing body cleanly), the error reaches us.
const w = isolatedWorker();

/** Sizes that take the single put, and the multipart path after a first stored part. */
const CASES = [
  ["single put (declared size)", bytes(64 * 1024), 4096, 10_000, true],
  ["multipart, after a stored part", bytes(3 * PART), 64 * 1024, PART + MIB, false],
  ["unknown size", bytes(256 * 1024), 4096, 100_000, false],
] as const;

describe.each([
  ["PUT /file", "file"],
  ["single-request PUT /stage", "stage"],
])("%s", (_, route) => {
  it.each(CASES)("%s: 400, image queued, nothing stored; a retry works", async (_, data, piece, failAfter, declare) => {
    const img = await newImage();
    const headers: Record<string, string> = { ...OCTET };
    if (declare) headers["X-OpenStack-Image-Size"] = String(data.byteLength);
    const res = await w.raw("PUT", `/v2/images/${img.id}/${route}`, { body: pieces(data, piece, failAfter), headers });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(CUT);
    expect(await getImage(img.id)).toMatchObject({ status: "queued", size: null, checksum: null });
    expect(await storedKeys(img.id)).toEqual([]);
    const retry = await w.raw("PUT", `/v2/images/${img.id}/${route}`, { body: bytes(1024), headers: OCTET });
    expect(retry.status).toBe(204);
  });
});

describe("chunked PUT /stage", () => {
  it.each([
    ["the first chunk", 0],
    ["a later chunk", 1],
  ])("%s cut off: 400, the session stays where it was", async (_, index) => {
    const img = await newImage();
    const data = bytes(2 * PART + 100);
    const chunk = (i: number, body: BodyInit) => {
      const start = i * PART;
      const end = Math.min(start + PART, data.byteLength) - 1;
      const headers = {
        ...OCTET,
        "Content-Range": `bytes ${start}-${end}/${data.byteLength}`,
        "Content-Length": String(end - start + 1),
      };
      return w.raw("PUT", `/v2/images/${img.id}/stage`, { body, headers });
    };
    if (index === 1) expect((await chunk(0, data.slice(0, PART))).status).toBe(204);
    const broken = pieces(data.slice(index * PART, (index + 1) * PART), 64 * 1024, MIB);
    const res = await chunk(index, broken);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(CUT);
    const after = await w.fetch("GET", `/v2/images/${img.id}/stage`);
    if (index === 0) {
      // The first chunk opened the session; it stays open at byte 0, to be resent.
      expect(await after.json()).toMatchObject({ received: 0, total: data.byteLength });
    } else {
      expect(await after.json()).toMatchObject({ received: PART, total: data.byteLength });
    }
    expect(await storedKeys(img.id)).toEqual([]);
  });
});

describe("web-download", () => {
  it("a source that breaks mid-transfer fails the task; the image is queued with nothing stored", async () => {
    const data = bytes(3 * PART);
    serveFakeSource(() => new Response(pieces(data, 64 * 1024, PART + MIB)));
    const img = await newImage();
    const uri = `http://${FAKE_HOST}/cirros.img`;
    expect(
      (await w.fetch("POST", `/v2/images/${img.id}/import`, { method: { name: "web-download", uri } })).status,
    ).toBe(202);
    await deliver(w.sent.at(-1)!.taskId, w.env);
    const [task] = await imageTasks(img.id);
    expect(task).toMatchObject({ status: "failure" });
    expect(task!.message).toMatch(/^Failed to download http:\S+: the transfer was cut off after \d+ bytes\.$/);
    expect(await getImage(img.id)).toMatchObject({ status: "queued", size: null, os_glance_failed_import: "default" });
    expect(await storedKeys(img.id)).toEqual([]);
  });
});
