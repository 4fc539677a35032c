// A tiny client over the Worker (exports.default.fetch) with the dev identities, for integration tests.
import { exports } from "cloudflare:workers";

export const BASE = "http://glance.test";

export const TOKENS = {
  admin: "admin-token",
  demo: "demo-token",
  demoReader: "demo-reader-token",
  alt: "alt-token",
} as const;
export type Who = keyof typeof TOKENS;
export const PROJECTS: Record<Who, string> = {
  admin: "admin-project",
  demo: "demo-project",
  demoReader: "demo-project",
  alt: "alt-project",
};

export interface CallOptions {
  as?: Who | null;
  headers?: Record<string, string>;
  body?: BodyInit | null;
  json?: unknown;
}

export async function call(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  const headers = new Headers(opts.headers);
  const who = opts.as === undefined ? "demo" : opts.as;
  if (who) headers.set("X-Auth-Token", TOKENS[who]);
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    if (!headers.has("content-type")) headers.set("Content-Type", "application/json");
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

export type ImageDoc = Record<string, unknown> & { id: string; status: string; tags: string[] };

export async function createImage(fields: Record<string, unknown> = {}, as: Who = "demo"): Promise<ImageDoc> {
  const res = await call("POST", "/v2/images", { as, json: fields });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ImageDoc;
}

export async function patchImage(
  id: string,
  ops: unknown[],
  as: Who = "demo",
  type = "application/openstack-images-v2.1-json-patch",
) {
  return call("PATCH", `/v2/images/${id}`, { as, body: JSON.stringify(ops), headers: { "Content-Type": type } });
}

export async function getImage(id: string, as: Who = "demo"): Promise<ImageDoc> {
  const res = await call("GET", `/v2/images/${id}`, { as });
  if (res.status !== 200) throw new Error(`show failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as ImageDoc;
}

/** JSON error body (Accept: application/json), as tempest and openstacksdk list calls receive it. */
export async function jsonError(res: Response): Promise<{ message: string; code: string; title: string }> {
  return (await res.json()) as { message: string; code: string; title: string };
}
