// The format inspector on every way data comes in (issue: CVE-2024-32498 class): real images from qemu-img,
// genisoimage and parted (test/fixtures/image-formats), judged as the manifest says, and nothing refused is kept.
import { afterEach, describe, expect, it, vi } from "vitest";
import { DISK_FORMATS } from "../../src/domain/image";
import { call, createImage, getImage } from "../helpers/api";
import { FORMAT_FIXTURES, fixtureBytes } from "../helpers/format-fixtures";
import {
  deliver,
  digest,
  FAKE_HOST,
  imageTasks,
  importImage,
  isolatedWorker,
  serveFakeSource,
  stage,
  storedKeys,
  waitForTask,
} from "../helpers/import";

const OCTET = { "Content-Type": "application/octet-stream", Accept: "application/json" };
const CLAIMABLE: readonly string[] = DISK_FORMATS;
const copy = (file: string) => fixtureBytes(file).slice();

afterEach(() => {
  vi.unstubAllGlobals();
});

/** Every (fixture, claimed disk_format) the manifest judges, for the claims Glance's API accepts. */
const CLAIMS = FORMAT_FIXTURES.flatMap((f) =>
  Object.entries(f.claims)
    .filter(([claim]) => CLAIMABLE.includes(claim))
    .map(([claim, verdict]) => [f.file, claim, verdict] as const),
);
/** Fixtures that fail a safety check or match several formats, with the disk_format they claim to be. */
const UNSAFE = FORMAT_FIXTURES.filter((f) => f.failures.length > 0 || f.format === null)
  .map((f) => [f.file, Object.keys(f.claims).find((c) => CLAIMABLE.includes(c) && !f.claims[c]!.accepted)] as const)
  .filter((x): x is readonly [string, string] => x[1] !== undefined);

async function expectQueuedAndEmpty(id: string) {
  expect(await getImage(id)).toMatchObject({ status: "queued", size: null, checksum: null, virtual_size: null });
  expect(await storedKeys(id)).toEqual([]);
}

describe("PUT /file judges every fixture as Glance would", () => {
  it.each(CLAIMS)("%s claimed %s", async (file, claim, verdict) => {
    const img = await createImage({ disk_format: claim, container_format: "bare" });
    const data = copy(file);
    const res = await call("PUT", `/v2/images/${img.id}/file`, { body: data, headers: OCTET });
    if (verdict.accepted) {
      expect(res.status).toBe(204);
      expect(await getImage(img.id)).toMatchObject({
        status: "active",
        size: data.byteLength,
        virtual_size: verdict.virtual_size ?? null,
        checksum: await digest("MD5", data),
      });
    } else {
      expect(res.status).toBe(415);
      const body = (await res.json()) as { message: string };
      expect(body.message).toBe(
        `The request media type application/octet-stream is not supported by this server.\n<br /><br />\n${verdict.message}`,
      );
      await expectQueuedAndEmpty(img.id);
    }
  });
});

describe("uploads without formats (INFER_UPLOAD_FORMATS) are judged against what the data is", () => {
  it.each([
    ["qcow2-v3.qcow2", "qcow2", 1048576],
    ["vmdk-streamOptimized.vmdk", "vmdk", 131072],
    ["vhdx.vhdx", "vhdx", 1048576],
    ["iso9660.iso", "iso", 358400],
    ["gpt.img", "raw", 98304],
  ])("%s becomes %s with its virtual size", async (file, format, virtualSize) => {
    const img = await createImage({ name: "no formats" });
    expect((await call("PUT", `/v2/images/${img.id}/file`, { body: copy(file), headers: OCTET })).status).toBe(204);
    expect(await getImage(img.id)).toMatchObject({
      disk_format: format,
      container_format: "bare",
      virtual_size: virtualSize,
    });
  });

  it.each(["qcow2-backing-file.qcow2", "qed.qed", "vmdk-flat-host-path.vmdk", "iso-qcow2-system-area.iso"])(
    "%s is refused all the same",
    async (file) => {
      const img = await createImage({ name: "no formats" });
      expect((await call("PUT", `/v2/images/${img.id}/file`, { body: copy(file), headers: OCTET })).status).toBe(415);
      await expectQueuedAndEmpty(img.id);
    },
  );
});

describe("other containers", () => {
  it("an unsafe disk inside an ovf container is refused; a safe one is kept without a virtual size", async () => {
    const bad = await createImage({ disk_format: "qcow2", container_format: "ovf" });
    const res = await call("PUT", `/v2/images/${bad.id}/file`, { body: copy("qcow2-data-file.qcow2"), headers: OCTET });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain("Image failed safety checks");
    const good = await createImage({ disk_format: "vmdk", container_format: "ovf" });
    const ok = await call("PUT", `/v2/images/${good.id}/file`, { body: copy("qcow2-v3.qcow2"), headers: OCTET });
    expect(ok.status).toBe(204); // no format match outside bare containers, as in Glance
    expect(await getImage(good.id)).toMatchObject({ status: "active", virtual_size: null });
  });
});

describe("REQUIRE_IMAGE_FORMAT_MATCH=false", () => {
  const w = isolatedWorker({ REQUIRE_IMAGE_FORMAT_MATCH: "false" });
  it("lets a mismatch through without a virtual size, never an unsafe image", async () => {
    const img = await createImage({ disk_format: "vmdk", container_format: "bare" });
    const res = await w.raw("PUT", `/v2/images/${img.id}/file`, { body: copy("qcow2-v3.qcow2"), headers: OCTET });
    expect(res.status).toBe(204);
    expect(await getImage(img.id)).toMatchObject({ status: "active", disk_format: "vmdk", virtual_size: null });
    const bad = await createImage({ disk_format: "qcow2", container_format: "bare" });
    const refused = await w.raw("PUT", `/v2/images/${bad.id}/file`, {
      body: copy("qcow2-backing-file.qcow2"),
      headers: OCTET,
    });
    expect(refused.status).toBe(415);
    await expectQueuedAndEmpty(bad.id);
  });
});

describe("the benchmark's inspector switch (X-Bench-Inspect: off)", () => {
  const BENCH_OFF = { ...OCTET, "X-Bench-Inspect": "off" };
  it("is ignored unless BENCH_ROUTES=1: an unsafe image is refused all the same", async () => {
    const img = await createImage({ disk_format: "qcow2", container_format: "bare" });
    const res = await call("PUT", `/v2/images/${img.id}/file`, {
      body: copy("qcow2-backing-file.qcow2"),
      headers: BENCH_OFF,
    });
    expect(res.status).toBe(415);
    await expectQueuedAndEmpty(img.id);
  });

  const bench = isolatedWorker({ BENCH_ROUTES: "1" });
  it("with BENCH_ROUTES=1 skips the inspector (what bench:data measures), hashes still computed", async () => {
    const img = await createImage({ disk_format: "raw", container_format: "bare" });
    const data = copy("qcow2-v3.qcow2");
    expect((await bench.raw("PUT", `/v2/images/${img.id}/file`, { body: data, headers: BENCH_OFF })).status).toBe(204);
    // Uninspected, qcow2 bytes pass as the raw they claim to be, without the virtual size the inspector reads.
    expect(await getImage(img.id)).toMatchObject({
      status: "active",
      disk_format: "raw",
      virtual_size: null,
      checksum: await digest("MD5", data),
    });
  });
});

describe("stage + glance-direct: the import inspects what was staged", () => {
  it.each(UNSAFE)("%s (claimed %s): the task fails, the image is queued, nothing is left", async (file, claim) => {
    const img = await createImage({ disk_format: claim, container_format: "bare" });
    expect((await stage(img.id, copy(file))).status).toBe(204);
    expect((await importImage(img.id, { method: { name: "glance-direct" } })).status).toBe(202);
    const task = await waitForTask(img.id);
    const expected = FORMAT_FIXTURES.find((f) => f.file === file)!.claims[claim]!.message;
    expect(task).toMatchObject({ status: "failure", message: expected });
    expect(await getImage(img.id)).toMatchObject({ status: "queued", os_glance_failed_import: "default" });
    expect(await storedKeys(img.id)).toEqual([]);
  });

  it("a good image staged in three out-of-order chunks imports with its virtual size", async () => {
    // A qcow2 padded past 10 MiB (trailing zeros do not change it): the chunks are 5 + 5 + the rest.
    const fixture = copy("qcow2-v3.qcow2");
    const data = new Uint8Array(10 * 1024 * 1024 + 4096);
    data.set(fixture);
    const img = await createImage({ disk_format: "qcow2", container_format: "bare" });
    const CHUNK = 5 * 1024 * 1024;
    for (const i of [0, 2, 1]) {
      const start = i * CHUNK;
      const end = Math.min(start + CHUNK, data.byteLength) - 1;
      const range = { "Content-Range": `bytes ${start}-${end}/${data.byteLength}` };
      expect((await stage(img.id, data.slice(start, end + 1), range)).status).toBe(204);
    }
    expect((await importImage(img.id, { method: { name: "glance-direct" } })).status).toBe(202);
    expect(await waitForTask(img.id)).toMatchObject({ status: "success" });
    expect(await getImage(img.id)).toMatchObject({ status: "active", virtual_size: 1048576, size: data.byteLength });
  });

  it("a backing file in a multi-chunk stage is found by the range reads", async () => {
    const fixture = copy("qcow2-backing-file.qcow2");
    const data = new Uint8Array(6 * 1024 * 1024);
    data.set(fixture);
    const img = await createImage({ disk_format: "qcow2", container_format: "bare" });
    const CHUNK = 5 * 1024 * 1024;
    for (const i of [0, 1]) {
      const start = i * CHUNK;
      const end = Math.min(start + CHUNK, data.byteLength) - 1;
      const range = { "Content-Range": `bytes ${start}-${end}/${data.byteLength}` };
      expect((await stage(img.id, data.slice(start, end + 1), range)).status).toBe(204);
    }
    await importImage(img.id, { method: { name: "glance-direct" } });
    expect(await waitForTask(img.id)).toMatchObject({ status: "failure", message: "Image failed safety checks" });
    expect(await getImage(img.id)).toMatchObject({ status: "queued" });
    expect(await storedKeys(img.id)).toEqual([]);
  });
});

describe("web-download inspects what it downloads", () => {
  it.each([
    ["qcow2-backing-file.qcow2", "qcow2", "Image failed safety checks"],
    ["qcow2-v3.qcow2", "vmdk", "Image disk_format vmdk does not match stream data qcow2"],
  ])("%s claimed %s: the task fails with Glance's message", async (file, claim, message) => {
    serveFakeSource(() => new Response(copy(file)));
    const w = isolatedWorker();
    const img = await createImage({ disk_format: claim, container_format: "bare" });
    const uri = `http://${FAKE_HOST}/${file}`;
    expect(
      (await w.fetch("POST", `/v2/images/${img.id}/import`, { method: { name: "web-download", uri } })).status,
    ).toBe(202);
    await deliver(w.sent.at(-1)!.taskId, w.env);
    expect((await imageTasks(img.id))[0]).toMatchObject({ status: "failure", message });
    await expectQueuedAndEmpty(img.id);
  });

  it("a good image gets its virtual size", async () => {
    serveFakeSource(() => new Response(copy("vhdx.vhdx")));
    const w = isolatedWorker();
    const img = await createImage({ disk_format: "vhdx", container_format: "bare" });
    const uri = `http://${FAKE_HOST}/good.vhdx`;
    await w.fetch("POST", `/v2/images/${img.id}/import`, { method: { name: "web-download", uri } });
    await deliver(w.sent.at(-1)!.taskId, w.env);
    expect(await getImage(img.id)).toMatchObject({ status: "active", virtual_size: 1048576 });
  });
});
