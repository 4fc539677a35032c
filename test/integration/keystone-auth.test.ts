import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetKeystoneCaches } from "../../src/identity/keystone";
import worker from "../../src/index";
import { FakeKeystone, KEYSTONE_URL } from "../helpers/fake-keystone";

let keystone: FakeKeystone;
let ksEnv: typeof env;

beforeEach(async () => {
  resetKeystoneCaches();
  keystone = new FakeKeystone();
  keystone.install();
  keystone.users.set("user-token-a", { userId: "ua", projectId: "proj-a", roles: ["member", "reader"] });
  keystone.users.set("admin-token-ks", { userId: "adm", projectId: "proj-admin", roles: ["Admin"] });
  // A fresh env object per test also gives a fresh parsed Config.
  ksEnv = {
    ...env,
    AUTH_MODE: "keystone",
    KEYSTONE_URL,
    KEYSTONE_SERVICE_USER: "glance",
    KEYSTONE_SERVICE_PASSWORD: "service-secret",
    KEYSTONE_SERVICE_PROJECT: "service",
    TOKEN_CACHE_TTL: "300",
  };
  // The Cache API outlives resetKeystoneCaches(): tests that count Keystone calls use tokens of their own.
});
afterEach(() => vi.unstubAllGlobals());

function request(path: string, token?: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set("X-Auth-Token", token);
  return worker.fetch(new Request(`http://glance.test${path}`, { ...init, headers }), ksEnv, {} as ExecutionContext);
}

describe("Keystone authentication", () => {
  it("builds the caller from a valid token: project becomes the owner, roles are lower-cased", async () => {
    const res = await request("/v2/images", "user-token-a", {
      method: "POST",
      body: JSON.stringify({ name: "ks" }),
      headers: { "Content-Type": "application/json" },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { owner: string }).owner).toBe("proj-a");
    const admin = await request("/v2/images?visibility=all", "admin-token-ks");
    expect(admin.status).toBe(200);
    await admin.arrayBuffer();
  });

  it("answers 401 with WWW-Authenticate for missing, unknown and expired tokens", async () => {
    keystone.users.set("expired", {
      userId: "x",
      projectId: "p",
      roles: ["member"],
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    for (const token of [undefined, "nope", "expired"]) {
      const res = await request("/v2/images", token, { headers: { Accept: "application/json" } });
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toBe('Keystone uri="http://keystone.test:5000"');
      const body = (await res.json()) as { code: string };
      expect(body.code).toBe("401 Unauthorized");
    }
  });

  it("caches successful validations and reuses the service token", async () => {
    keystone.users.set("cache-me", { userId: "c", projectId: "proj-c", roles: ["reader"] });
    for (let i = 0; i < 3; i++) {
      const res = await request("/v2/images", "cache-me");
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    expect(keystone.validations).toBe(1);
    expect(keystone.serviceLogins).toBe(1);
  });

  it("never caches a failure as a success", async () => {
    const first = await request("/v2/images", "late-user");
    expect(first.status).toBe(401);
    await first.arrayBuffer();
    keystone.users.set("late-user", { userId: "l", projectId: "proj-l", roles: ["reader"] });
    const second = await request("/v2/images", "late-user");
    expect(second.status).toBe(200);
    await second.arrayBuffer();
  });

  it("answers 503, never access, when Keystone is down or failing", async () => {
    for (const mode of ["down", "error"] as const) {
      keystone.mode = mode;
      const res = await request("/v2/images", `fresh-${mode}`, { headers: { Accept: "application/json" } });
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(text).not.toContain("keystone.test");
      expect(text).not.toContain("service-secret");
    }
  });

  it("re-authenticates once when Keystone rejects the service token", async () => {
    keystone.users.set("after-revoke", { userId: "r", projectId: "proj-r", roles: ["reader"] });
    // A token no earlier test used, so it is not in the Cache API and forces a service login.
    keystone.users.set("warm-up", { userId: "w", projectId: "proj-w", roles: ["reader"] });
    const warm = await request("/v2/images", "warm-up");
    await warm.arrayBuffer();
    keystone.serviceTokens.clear();
    const res = await request("/v2/images", "after-revoke");
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(keystone.serviceLogins).toBe(2);
  });

  it("does not need a token for the versions document", async () => {
    const res = await request("/versions");
    expect(res.status).toBe(200);
    await res.arrayBuffer();
  });
});
