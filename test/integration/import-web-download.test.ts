// web-download: a fake source behind the stubbed global fetch; SSRF refusals, redirects, cap, delete mid-import.
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createImage, getImage, jsonError } from "../helpers/api";
import {
  bytes,
  deliver,
  digest,
  FAKE_HOST,
  imageTasks,
  importImage,
  isolatedWorker,
  serveFakeSource,
  storedKeys,
  VECTOR,
  VECTOR_MD5,
  VECTOR_SHA512,
  waitForTask,
} from "../helpers/import";

const SOURCE = `http://${FAKE_HOST}/cirros.img`;
const newImage = () => createImage({ disk_format: "raw", container_format: "bare" });
const webDownload = (uri: string) => ({ method: { name: "web-download", uri } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("web-download", () => {
  it("queued -> importing at once -> active; redirects on allowed hosts are followed", async () => {
    const data = bytes(6 * 1024 * 1024 + 123, 3); // two R2 parts at the tests' 5 MiB part size
    const source = serveFakeSource((req) =>
      new URL(req.url).pathname === "/cirros.img"
        ? new Response(null, { status: 302, headers: { Location: "/real.img" } })
        : new Response(data),
    );
    const w = isolatedWorker();
    const img = await newImage();
    const res = await w.fetch("POST", `/v2/images/${img.id}/import`, webDownload(SOURCE));
    expect(res.status).toBe(202);
    expect(await getImage(img.id)).toMatchObject({ status: "importing", os_glance_import_task: w.sent[0]!.taskId });
    await deliver(w.sent[0]!.taskId, w.env);
    const shown = await getImage(img.id);
    expect(shown).toMatchObject({ status: "active", size: data.byteLength, checksum: await digest("MD5", data) });
    expect(shown.os_hash_value).toBe(await digest("SHA-512", data));
    expect(source.requests).toEqual([SOURCE, `http://${FAKE_HOST}/real.img`]);
    expect(await storedKeys(img.id)).toEqual([`images/${img.id}`]);
    const [task] = await imageTasks(img.id);
    expect(task).toMatchObject({ status: "success", input: { import_req: webDownload(SOURCE) } });
  });

  it("through the real queue, as a client sees it", async () => {
    serveFakeSource(() => new Response(VECTOR));
    const img = await newImage();
    const res = await importImage(img.id, webDownload(SOURCE));
    expect(res.status).toBe(202);
    const task = await waitForTask(img.id);
    expect(task.request_id).toBe(res.headers.get("x-openstack-request-id"));
    expect(await getImage(img.id)).toMatchObject({
      status: "active",
      checksum: VECTOR_MD5,
      os_hash_value: VECTOR_SHA512,
    });
  });

  it.each([
    "http://127.0.0.1/img",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/img",
    "http://2130706433/img",
    "http://[::1]/img",
    "http://localhost/img",
    "http://example.com:8080/img",
    "file:///etc/passwd",
    "ftp://example.com/img",
  ])("refuses %s at request time (400); the image stays queued with no task", async (uri) => {
    const img = await newImage();
    const res = await call("POST", `/v2/images/${img.id}/import`, {
      json: webDownload(uri),
      headers: { Accept: "application/json" },
    });
    expect(res.status).toBe(400);
    expect((await jsonError(res)).message).toContain(`URI for web-download does not pass filtering: ${uri}`);
    expect((await getImage(img.id)).status).toBe("queued");
    expect(await imageTasks(img.id)).toEqual([]);
  });

  it("needs a queued image (409)", async () => {
    const img = await newImage();
    await call("PUT", `/v2/images/${img.id}/stage`, {
      body: VECTOR,
      headers: { "Content-Type": "application/octet-stream" },
    });
    const res = await call("POST", `/v2/images/${img.id}/import`, {
      json: webDownload(SOURCE),
      headers: { Accept: "application/json" },
    });
    expect(res.status).toBe(409);
    expect((await jsonError(res)).message).toContain(
      "Image needs to be in 'queued' state to use 'web-download' method",
    );
  });

  it.each([
    ["a private address", "http://169.254.169.254/latest/meta-data/"],
    ["loopback in decimal", "http://2130706433/"],
    ["a non-http scheme", "file:///etc/passwd"],
  ])("a redirect to %s fails the task; nothing is fetched there, the image is queued again", async (_, target) => {
    const source = serveFakeSource(() => new Response(null, { status: 302, headers: { Location: target } }));
    const w = isolatedWorker();
    const img = await newImage();
    await w.fetch("POST", `/v2/images/${img.id}/import`, webDownload(SOURCE));
    await deliver(w.sent[0]!.taskId, w.env);
    const [task] = await imageTasks(img.id);
    expect(task).toMatchObject({ status: "failure", message: expect.stringContaining("does not pass filtering") });
    expect(source.requests).toEqual([SOURCE]);
    const shown = await getImage(img.id);
    expect(shown).toMatchObject({ status: "queued", size: null, os_glance_failed_import: "default" });
    expect(shown.os_glance_import_task).toBeUndefined();
    expect(await storedKeys(img.id)).toEqual([]);
  });

  it("gives up after 5 redirects", async () => {
    let n = 0;
    serveFakeSource(() => new Response(null, { status: 301, headers: { Location: `/hop${++n}` } }));
    const w = isolatedWorker();
    const img = await newImage();
    await w.fetch("POST", `/v2/images/${img.id}/import`, webDownload(SOURCE));
    await deliver(w.sent[0]!.taskId, w.env);
    expect((await imageTasks(img.id))[0]).toMatchObject({
      status: "failure",
      message: expect.stringContaining("too many redirects"),
    });
    expect(n).toBe(6);
  });

  it.each([
    ["announced", true],
    ["unannounced (streamed)", false],
  ])("a source over image_size_cap (%s) fails the task and leaves no object", async (_, announce) => {
    const data = bytes(6 * 1024 * 1024, 5);
    serveFakeSource(() => {
      if (announce) return new Response(data);
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (sent) return c.close();
          c.enqueue(data);
          sent = true;
        },
      });
      return new Response(body);
    });
    const w = isolatedWorker({ IMAGE_SIZE_CAP: String(5 * 1024 * 1024) });
    const img = await newImage();
    await w.fetch("POST", `/v2/images/${img.id}/import`, webDownload(SOURCE));
    await deliver(w.sent[0]!.taskId, w.env);
    expect((await imageTasks(img.id))[0]).toMatchObject({
      status: "failure",
      message: expect.stringContaining("too large"),
    });
    expect(await getImage(img.id)).toMatchObject({ status: "queued", size: null, checksum: null });
    expect(await storedKeys(img.id)).toEqual([]);
  });

  it.each([
    ["announced", true],
    ["unannounced (streamed)", false],
  ])(
    "a source over the owner's storage quota (%s) fails the task with Glance's 413 text, no object left",
    async (_, announce) => {
      const data = bytes(64 * 1024, 6);
      serveFakeSource(() => {
        if (announce) return new Response(data);
        return new Response(
          new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(data);
              c.close();
            },
          }),
        );
      });
      const w = isolatedWorker({ USER_STORAGE_QUOTA: "16KB" });
      const img = await newImage();
      await w.fetch("POST", `/v2/images/${img.id}/import`, webDownload(SOURCE));
      await deliver(w.sent[0]!.taskId, w.env);
      const [task] = await imageTasks(img.id);
      expect(task).toMatchObject({
        status: "failure",
        message: expect.stringContaining("Image exceeds the storage quota"),
      });
      expect(await getImage(img.id)).toMatchObject({ status: "queued", size: null, checksum: null });
      expect(await storedKeys(img.id)).toEqual([]);
    },
  );

  it("an unreachable or failing source fails the task", async () => {
    serveFakeSource(() => new Response("nope", { status: 404 }));
    const w = isolatedWorker();
    const img = await newImage();
    await w.fetch("POST", `/v2/images/${img.id}/import`, webDownload(SOURCE));
    await deliver(w.sent[0]!.taskId, w.env);
    expect((await imageTasks(img.id))[0]).toMatchObject({
      status: "failure",
      message: expect.stringContaining("HTTP 404"),
    });
    expect((await getImage(img.id)).status).toBe("queued");
  });

  it("deleting the image during the download leaves nothing in R2", async () => {
    const data = bytes(6 * 1024 * 1024, 9);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let pulled = 0;
    serveFakeSource(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async pull(c) {
              if (pulled >= data.byteLength) {
                await gate; // hold the tail until the test has deleted the image
                c.enqueue(new Uint8Array(1000));
                return c.close();
              }
              c.enqueue(data.slice(pulled, pulled + 1024 * 1024));
              pulled += 1024 * 1024;
            },
          }),
        ),
    );
    const w = isolatedWorker();
    const img = await newImage();
    await w.fetch("POST", `/v2/images/${img.id}/import`, webDownload(SOURCE));
    const running = deliver(w.sent[0]!.taskId, w.env);
    while (pulled < data.byteLength) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect((await call("DELETE", `/v2/images/${img.id}`)).status).toBe(204);
    release();
    await running;
    expect(await storedKeys(img.id)).toEqual([]);
    expect((await call("GET", `/v2/images/${img.id}`)).status).toBe(404);
  });
});
