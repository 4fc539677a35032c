// Import test helpers: stage/import calls, task polling, an env with a captured queue, a fake web source.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import worker from "../../src/index";
import { BASE, call, getImage, TOKENS, type Who } from "./api";
import { bytes } from "./bytes";

export { bytes };

export const OCTET = { "Content-Type": "application/octet-stream" };
export const VECTOR = new Uint8Array(1024).map((_, i) => i % 256);
export const VECTOR_MD5 = "b2ea9f7fcea831a4a63b213f41a8855b";
export const VECTOR_SHA512 =
  "37f652be867f28ed033269cbba201af2112c2b3fd334a89fd2f757938ddee815787cc61d6e24a8a33340d0f7e86ffc058816b88530766ba6e231620a130b566c";
export const FAKE_HOST = "images.example.test";

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
export const digest = async (alg: string, data: Uint8Array) => hex(await crypto.subtle.digest(alg, data));

export const stage = (id: string, body: BodyInit | null, headers: Record<string, string> = {}, as: Who = "demo") =>
  call("PUT", `/v2/images/${id}/stage`, { as, body, headers: { ...OCTET, ...headers } });

export const importImage = (id: string, json: unknown, as: Who = "demo") =>
  call("POST", `/v2/images/${id}/import`, { as, json });

/** A task document as the API returns it; tests read its fields loosely. */
// biome-ignore lint/suspicious/noExplicitAny: JSON documents are inspected field by field in assertions
export type TaskDoc = Record<string, any>;

export async function imageTasks(id: string, as: Who = "demo"): Promise<TaskDoc[]> {
  const res = await call("GET", `/v2/images/${id}/tasks`, { as });
  if (res.status !== 200) throw new Error(`tasks: ${res.status}`);
  return ((await res.json()) as { tasks: TaskDoc[] }).tasks;
}

/** Polls until the image's latest task has ended (the real queue delivers in-process). */
export async function waitForTask(id: string, timeoutMs = 10_000): Promise<TaskDoc> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await imageTasks(id, "admin");
    const last = tasks[tasks.length - 1];
    if (last && (last.status === "success" || last.status === "failure")) return last;
    if (Date.now() > until) throw new Error(`task still ${last?.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function storedKeys(id: string): Promise<string[]> {
  return (await env.IMAGES.list({ prefix: `images/${id}` })).objects.map((o) => o.key);
}

/** Delivers a message to the Worker's queue handler by hand (redelivery, or a test-controlled env). */
export async function deliver(taskId: string, useEnv: Cloudflare.Env = env, attempts = 1) {
  const batch = createMessageBatch("glance-imports", [
    { id: crypto.randomUUID(), timestamp: new Date(), attempts, body: { taskId } },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, useEnv);
  return getQueueResult(batch, ctx);
}

/**
 * The Worker with env overrides and a queue that only records messages, so a test decides when (and
 * with which settings) the consumer runs.
 */
/** The Request type the Worker's fetch handler is declared with (workers-types' generic Request). */
type WorkerRequest = Parameters<NonNullable<typeof worker.fetch>>[0];

export function isolatedWorker(overrides: Record<string, string> = {}) {
  const sent: { taskId: string }[] = [];
  const queue = { send: async (m: { taskId: string }) => void sent.push(m) } as unknown as Queue<unknown>;
  const testEnv = { ...env, ...overrides, IMPORT_QUEUE: queue } as Cloudflare.Env;
  const fetchAs = async (method: string, path: string, json?: unknown, as: Who = "demo") => {
    const headers = new Headers({ "X-Auth-Token": TOKENS[as] });
    if (json !== undefined) headers.set("Content-Type", "application/json");
    const req = new Request(`${BASE}${path}`, {
      method,
      headers,
      body: json === undefined ? null : JSON.stringify(json),
    });
    return worker.fetch!(req as WorkerRequest, testEnv, createExecutionContext());
  };
  const raw = (
    method: string,
    path: string,
    init: { body?: BodyInit | null; headers?: Record<string, string> } = {},
    as: Who = "demo",
  ) => {
    const headers = new Headers({ ...init.headers, "X-Auth-Token": TOKENS[as] });
    // Called directly (not through a binding), the Request gets no Content-Length of its own.
    if (init.body instanceof Uint8Array) headers.set("Content-Length", String(init.body.byteLength));
    return worker.fetch!(
      new Request(`${BASE}${path}`, { method, headers, body: init.body ?? null }) as WorkerRequest,
      testEnv,
      createExecutionContext(),
    );
  };
  return { env: testEnv, sent, fetch: fetchAs, raw };
}

export type SourceHandler = (req: Request) => Response | Promise<Response>;

/** Serves http(s)://images.example.test/* from `handler`; other URLs keep the real fetch. */
export function serveFakeSource(handler: SourceHandler): { requests: string[] } {
  const real = globalThis.fetch;
  const requests: string[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    requests.push(req.url);
    if (url.hostname === FAKE_HOST) return handler(req);
    if (url.hostname !== "glance.test") throw new TypeError(`network access to ${url.hostname} refused in tests`);
    return real(input, init);
  });
  return { requests };
}

export { getImage };
