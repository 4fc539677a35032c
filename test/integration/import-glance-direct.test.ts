// Discovery, single-request stage, glance-direct import through the real queue, tasks, redelivery, takeover.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, createImage, getImage, jsonError } from "../helpers/api";
import {
  deliver,
  imageTasks,
  importImage,
  isolatedWorker,
  stage,
  storedKeys,
  VECTOR,
  VECTOR_MD5,
  VECTOR_SHA512,
  waitForTask,
} from "../helpers/import";

const newImage = (fields: Record<string, unknown> = {}) =>
  createImage({ disk_format: "raw", container_format: "bare", ...fields });
const ROW_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000000$/;

describe("discovery", () => {
  it("lists glance-direct and web-download; stores stay single-store 404", async () => {
    const res = await call("GET", "/v2/info/import");
    expect(await res.json()).toEqual({
      "import-methods": {
        description: "Import methods available.",
        type: "array",
        value: ["glance-direct", "web-download"],
      },
    });
    expect((await call("GET", "/v2/info/stores")).status).toBe(404);
  });

  it("POST /v2/images carries OpenStack-image-import-methods", async () => {
    const res = await call("POST", "/v2/images", { json: { name: "x" } });
    expect(res.headers.get("OpenStack-image-import-methods")).toBe("glance-direct,web-download");
  });

  it("advertises v2.12 in Glance's order", async () => {
    const doc = (await (await call("GET", "/versions", { as: null })).json()) as { versions: { id: string }[] };
    const ids = doc.versions.map((v) => v.id);
    expect(ids.slice(0, 3)).toEqual(["v2.15", "v2.12", "v2.9"]);
  });
});

describe("single-request stage", () => {
  it("queued -> uploading with size, no hashes; the bytes sit at the final key", async () => {
    const img = await newImage();
    const res = await stage(img.id, VECTOR);
    expect(res.status).toBe(204);
    const shown = await getImage(img.id);
    expect(shown).toMatchObject({ status: "uploading", size: 1024, checksum: null, os_hash_value: null });
    expect(await storedKeys(img.id)).toEqual([`images/${img.id}`]);
  });

  it("refuses a second stage (409), a wrong media type (415), strangers (404) and non-owners (403)", async () => {
    const img = await newImage({ visibility: "community" });
    expect((await stage(img.id, VECTOR, { "Content-Type": "text/plain" })).status).toBe(415);
    expect((await stage(img.id, VECTOR, {}, "alt")).status).toBe(403);
    const priv = await newImage();
    expect((await stage(priv.id, VECTOR, {}, "alt")).status).toBe(404);
    expect((await stage(img.id, VECTOR)).status).toBe(204);
    const again = await stage(img.id, VECTOR, { Accept: "application/json" });
    expect(again.status).toBe(409);
    expect((await jsonError(again)).message).toContain(
      "Image status transition from uploading to uploading is not allowed",
    );
  });

  it("a declared size over the cap is 413 and a short body 400; both leave queued and no object", async () => {
    const img = await newImage();
    expect((await stage(img.id, VECTOR, { "X-OpenStack-Image-Size": String(2 ** 41) })).status).toBe(413);
    expect((await stage(img.id, VECTOR, { "X-OpenStack-Image-Size": "2000" })).status).toBe(400);
    expect(await getImage(img.id)).toMatchObject({ status: "queued", size: null });
    expect(await storedKeys(img.id)).toEqual([]);
  });
});

describe("glance-direct import", () => {
  it("stage -> import 202 -> active with the known MD5/SHA-512; the task records the request", async () => {
    const img = await newImage();
    await stage(img.id, VECTOR);
    const res = await importImage(img.id, { method: { name: "glance-direct" }, all_stores: true });
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    const requestId = res.headers.get("x-openstack-request-id");
    const task = await waitForTask(img.id);
    const shown = await getImage(img.id);
    expect(shown).toMatchObject({ status: "active", size: 1024, virtual_size: 1024, checksum: VECTOR_MD5 });
    expect(shown).toMatchObject({ os_hash_algo: "sha512", os_hash_value: VECTOR_SHA512 });
    expect(shown.os_glance_import_task).toBeUndefined();
    expect(shown.os_glance_failed_import).toBe("");
    const download = await call("GET", `/v2/images/${img.id}/file`);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(VECTOR);

    const tasks = await imageTasks(img.id);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toEqual(task);
    expect(task).toMatchObject({
      type: "api_image_import",
      status: "success",
      owner: "demo-project",
      image_id: img.id,
      request_id: requestId,
      user_id: expect.any(String),
      input: { image_id: img.id, import_req: { method: { name: "glance-direct" }, all_stores: true }, backend: [null] },
      result: { image_id: img.id },
      message: "",
      deleted: false,
      deleted_at: null,
    });
    for (const k of ["created_at", "updated_at", "expires_at"]) expect(task[k]).toMatch(ROW_TIME);
    expect(Date.parse(`${task.expires_at}Z`) - Date.parse(`${task.updated_at}Z`)).toBe(48 * 3600 * 1000);
    expect(
      await env.DB.prepare("select count(*) as n from image_staging where image_id = ?").bind(img.id).first("n"),
    ).toBe(0);
  });

  it("checks the body, visibility, state and policy in Glance's order", async () => {
    const img = await newImage({ visibility: "community" });
    const msg = async (r: Response) => (await jsonError(r)).message;
    const as = (json: unknown, who: "demo" | "alt" = "demo") =>
      call("POST", `/v2/images/${img.id}/import`, { as: who, json, headers: { Accept: "application/json" } });
    let r = await as({});
    expect([r.status, await msg(r)]).toEqual([
      400,
      expect.stringContaining("Import request requires a 'method' field."),
    ]);
    r = await as({ method: {} });
    expect([r.status, await msg(r)]).toEqual([400, expect.stringContaining("Import request requires a 'name' field.")]);
    r = await as({ method: { name: "copy-image" } });
    expect([r.status, await msg(r)]).toEqual([
      400,
      expect.stringContaining("Unknown import method name 'copy-image'."),
    ]);
    r = await as({ method: { name: "glance-direct" }, all_stores: "yes" });
    expect(r.status).toBe(400);
    r = await as({ method: { name: "glance-direct" } });
    expect([r.status, await msg(r)]).toEqual([
      409,
      expect.stringContaining("Image needs to be staged before 'glance-direct' method can be used"),
    ]);
    expect((await importImage(crypto.randomUUID(), { method: { name: "glance-direct" } })).status).toBe(404);
    await stage(img.id, VECTOR);
    r = await as({ method: { name: "glance-direct" } }, "alt");
    expect(r.status).toBe(403);
    const noFormats = await createImage({});
    await stage(noFormats.id, VECTOR);
    r = await call("POST", `/v2/images/${noFormats.id}/import`, {
      json: { method: { name: "glance-direct" } },
      headers: { Accept: "application/json" },
    });
    expect([r.status, await msg(r)]).toEqual([
      409,
      expect.stringContaining("'container_format' needs to be set before import"),
    ]);
  });

  it("a redelivered message of a finished task changes nothing", async () => {
    const img = await newImage();
    await stage(img.id, VECTOR);
    await importImage(img.id, { method: { name: "glance-direct" } });
    const task = await waitForTask(img.id);
    const before = await getImage(img.id);
    const result = await deliver(task.id);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await getImage(img.id)).toEqual(before);
    expect(await imageTasks(img.id)).toEqual([task]);
  });

  it("a task stuck in processing past the timeout is taken over; a fresh one is retried later", async () => {
    const w = isolatedWorker();
    const img = await newImage();
    await stage(img.id, VECTOR);
    expect((await w.fetch("POST", `/v2/images/${img.id}/import`, { method: { name: "glance-direct" } })).status).toBe(
      202,
    );
    const taskId = w.sent[0]!.taskId;
    // A delivery that claimed the task and then died: processing, recent heartbeat.
    await env.DB.prepare("update tasks set status = 'processing', updated_at = ? where id = ?")
      .bind(Date.now(), taskId)
      .run();
    const early = await deliver(taskId, w.env);
    expect(early.retryMessages).toHaveLength(1);
    expect((await getImage(img.id)).status).toBe("importing");
    await env.DB.prepare("update tasks set updated_at = ? where id = ?")
      .bind(Date.now() - 3600_000, taskId)
      .run();
    const late = await deliver(taskId, w.env);
    expect(late.explicitAcks).toHaveLength(1);
    expect(await getImage(img.id)).toMatchObject({ status: "active", checksum: VECTOR_MD5 });
  });

  it("missing staged data fails the task and returns the image to queued with the failed store recorded", async () => {
    const w = isolatedWorker();
    const img = await newImage();
    await stage(img.id, VECTOR);
    await w.fetch("POST", `/v2/images/${img.id}/import`, { method: { name: "glance-direct" } });
    await env.IMAGES.delete(`images/${img.id}`);
    await deliver(w.sent[0]!.taskId, w.env);
    const shown = await getImage(img.id);
    expect(shown).toMatchObject({ status: "queued", size: null, checksum: null, os_glance_failed_import: "default" });
    const [task] = await imageTasks(img.id);
    expect(task).toMatchObject({ status: "failure", result: null, message: expect.stringContaining("staged data") });
    expect(await storedKeys(img.id)).toEqual([]);
  });
});

describe("/v2/tasks", () => {
  it("is admin-only: list and show for admins, 403 otherwise, DELETE always 405 Allow: GET", async () => {
    const img = await newImage();
    await stage(img.id, VECTOR);
    await importImage(img.id, { method: { name: "glance-direct" } });
    const task = await waitForTask(img.id);
    expect((await call("GET", "/v2/tasks")).status).toBe(403);
    expect((await call("GET", `/v2/tasks/${task.id}`)).status).toBe(403);
    const list = (await (await call("GET", "/v2/tasks", { as: "admin" })).json()) as {
      tasks: Record<string, unknown>[];
      schema: string;
    };
    expect(list.schema).toBe("/v2/schemas/tasks");
    const item = list.tasks.find((t) => t.id === task.id)!;
    expect(item).not.toHaveProperty("input");
    const doc = (await (await call("GET", `/v2/tasks/${task.id}`, { as: "admin" })).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      id: task.id,
      status: "success",
      image_id: img.id,
      self: `/v2/tasks/${task.id}`,
      schema: "/v2/schemas/task",
    });
    expect(doc.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const del = await call("DELETE", `/v2/tasks/${task.id}`, { as: "admin" });
    expect(del.status).toBe(405);
    expect(del.headers.get("Allow")).toBe("GET");
    expect(await del.text()).toContain(
      "They are auto deleted after reaching the time based on their expires_at property.",
    );
  });

  it("image tasks: 404 for an invisible image", async () => {
    const img = await newImage();
    expect((await call("GET", `/v2/images/${img.id}/tasks`, { as: "alt" })).status).toBe(404);
    expect(await imageTasks(img.id)).toEqual([]);
  });
});
