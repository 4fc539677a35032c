// Security advisories that apply to this service (security.md §4, §6.6), each pinned by a test.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { call, createImage, patchImage, TOKENS } from "../helpers/api";

const DATA = new Uint8Array(1024).map((_, i) => i % 256);
const octet = { "Content-Type": "application/octet-stream" };

async function activeImage(): Promise<string> {
  const img = await createImage({ disk_format: "raw", container_format: "bare" });
  const up = await call("PUT", `/v2/images/${img.id}/file`, { body: DATA, headers: octet });
  expect(up.status).toBe(204);
  return img.id;
}

afterEach(() => vi.restoreAllMocks());

describe("OSSA-2014-004 / OSSA-2013-002: no secrets in logs or error bodies", () => {
  it("logs never carry a token, even for failing requests", async () => {
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const)
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
    const id = await activeImage();
    await (await call("GET", `/v2/images/${id}/file`)).arrayBuffer();
    await (
      await call("GET", "/v2/images", { as: null, headers: { "X-Auth-Token": "secret-token-that-is-wrong" } })
    ).arrayBuffer();
    // An R2 failure whose message names the bucket and a credential must not leak either.
    const broken = {
      ...env,
      IMAGES: new Proxy(env.IMAGES, {
        get(target, prop) {
          if (prop === "get")
            return () => Promise.reject(new Error("R2 glance-images/images/x failed: AccessKey=AKIA-SECRET"));
          const v = Reflect.get(target, prop);
          return typeof v === "function" ? v.bind(target) : v;
        },
      }),
    };
    const res = await worker.fetch(
      new Request(`http://glance.test/v2/images/${id}/file`, {
        headers: { "X-Auth-Token": TOKENS.demo, Accept: "application/json" },
      }),
      broken,
      {} as ExecutionContext,
    );
    expect(res.status).toBeGreaterThanOrEqual(500);
    const body = await res.text();
    for (const secret of ["AKIA-SECRET", "glance-images", `images/${id}`, TOKENS.demo])
      expect(body).not.toContain(secret);
    for (const secret of [TOKENS.demo, "secret-token-that-is-wrong", "AKIA-SECRET"])
      expect(lines.join("\n")).not.toContain(secret);
  });
});

describe("OSSA-2013-007 / OSSA-2013-027: download headers", () => {
  it("sends only an allow-list of headers, and never lets a shared cache keep the bytes", async () => {
    const id = await activeImage();
    const res = await call("GET", `/v2/images/${id}/file`);
    await res.arrayBuffer();
    const allowed = new Set([
      "content-type",
      "content-length",
      "content-md5",
      "content-range",
      "x-openstack-request-id",
      "cache-control",
      "x-content-type-options",
    ]);
    for (const [name] of res.headers) expect([name, allowed.has(name)]).toEqual([name, true]);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });
});

describe("OSSA-2015-019: status cannot be set by a client", () => {
  it("ignores x-image-meta-* headers and refuses PATCH /status; active data never changes", async () => {
    const id = await activeImage();
    const again = await call("PUT", `/v2/images/${id}/file`, {
      body: new Uint8Array(10),
      headers: { ...octet, "x-image-meta-status": "queued" },
    });
    expect(again.status).toBe(409);
    await again.arrayBuffer();
    const patch = await patchImage(id, [{ op: "replace", path: "/status", value: "queued" }]);
    expect(patch.status).toBe(403);
    await patch.arrayBuffer();
    const show = (await (await call("GET", `/v2/images/${id}`)).json()) as { status: string; checksum: string };
    expect(show).toMatchObject({ status: "active", checksum: "b2ea9f7fcea831a4a63b213f41a8855b" });
  });
});

describe("OSSA-2015-009: stored XSS", () => {
  it("returns markup in properties verbatim, inside JSON, with nosniff", async () => {
    const img = await createImage({ description: "<script>alert(1)</script>" });
    const res = await call("GET", `/v2/images/${img.id}`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(((await res.json()) as { description: string }).description).toBe("<script>alert(1)</script>");
  });

  it("escapes reflected input in HTML error pages", async () => {
    const res = await call("GET", "/v2/images/<img src=x onerror=alert(1)>", { headers: { Accept: "text/html" } });
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text).not.toContain("<img");
    expect(text).toContain("&lt;img");
  });
});

describe("OSSN-0075: ids are never reused", () => {
  it("refuses to create an image with the id of a deleted one", async () => {
    const img = await createImage();
    const del = await call("DELETE", `/v2/images/${img.id}`);
    expect(del.status).toBe(204);
    const again = await call("POST", "/v2/images", { json: { id: img.id } });
    expect(again.status).toBe(409);
    await again.arrayBuffer();
  });
});

describe("request ids", () => {
  it("does not echo an over-long inbound request id", async () => {
    const long = "x".repeat(65);
    const res = await call("GET", "/v2/images", { headers: { "X-OpenStack-Request-ID": long } });
    await res.arrayBuffer();
    expect(res.headers.get("x-openstack-request-id")).not.toContain(long);
    expect(res.headers.get("x-openstack-request-id")).toMatch(/^req-[0-9a-f-]{36}$/);
  });
});

describe("OSSA-2012-017: another project cannot delete", () => {
  it("leaves a private image and its bytes intact after another project's DELETE", async () => {
    const id = await activeImage();
    const del = await call("DELETE", `/v2/images/${id}`, { as: "alt" });
    expect(del.status).toBe(404);
    await del.arrayBuffer();
    const res = await call("GET", `/v2/images/${id}/file`);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(DATA);
    expect(await env.IMAGES.head(`images/${id}`)).not.toBeNull();
  });
});
