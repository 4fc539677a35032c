// A bad configuration fails loudly and narrowly: one log line naming the variable, the version document still
// served, every /v2 request a 503 with Glance's generic body. Keystone down or failing: 503 and a log line.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetKeystoneCaches } from "../../src/identity/keystone";
import worker from "../../src/index";
import { FakeKeystone, KEYSTONE_URL } from "../helpers/fake-keystone";
import { deliver } from "../helpers/import";

const SECRET = "service-secret";
const KEYSTONE = {
  AUTH_MODE: "keystone",
  KEYSTONE_URL,
  KEYSTONE_SERVICE_USER: "glance",
  KEYSTONE_SERVICE_PASSWORD: SECRET,
  KEYSTONE_SERVICE_PROJECT: "service",
};
const GLANCE_503_JSON =
  '{"message": "The server is currently unavailable. Please try again at a later time.<br /><br />\\n\\n\\n", "code": "503 Service Unavailable", "title": "Service Unavailable"}';

let logged: string[];
beforeEach(() => {
  logged = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    logged.push(args.map(String).join(" "));
  });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** A fresh env object per call site: the parsed config (and its one log line) is per env object. */
function withVars(vars: Record<string, string | undefined>) {
  const e = { ...env, ...vars } as typeof env;
  return (path: string, headers: Record<string, string> = {}) =>
    worker.fetch(new Request(`http://glance.test${path}`, { headers }), e, {} as ExecutionContext);
}

describe("invalid configuration", () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    [
      "keystone mode without the service password",
      { ...KEYSTONE, KEYSTONE_SERVICE_PASSWORD: undefined },
      "KEYSTONE_SERVICE_PASSWORD",
    ],
    ["keystone mode with an empty KEYSTONE_URL", { ...KEYSTONE, KEYSTONE_URL: " " }, "KEYSTONE_URL"],
    [
      "keystone mode with a KEYSTONE_URL that is no URL",
      { ...KEYSTONE, KEYSTONE_URL: "keystone:5000" },
      "KEYSTONE_URL",
    ],
    ["keystone mode with a bad TOKEN_CACHE_TTL", { ...KEYSTONE, TOKEN_CACHE_TTL: "5 minutes" }, "TOKEN_CACHE_TTL"],
    ["an unknown AUTH_MODE", { AUTH_MODE: "ldap" }, "AUTH_MODE"],
    ["AUTH_TOKENS that is not JSON", { AUTH_TOKENS: `{"${SECRET}": ` }, "AUTH_TOKENS"],
    ["a bad UPLOAD_PART_SIZE", { UPLOAD_PART_SIZE: "1024" }, "UPLOAD_PART_SIZE"],
    [
      "an UPLOAD_SINGLE_PUT_MAX past R2's single-put limit",
      { UPLOAD_SINGLE_PUT_MAX: "5363466241" },
      "UPLOAD_SINGLE_PUT_MAX",
    ],
  ];
  for (const [what, vars, variable] of cases) {
    it(`${what}: /versions and / still answer, /v2 is 503, one log line names ${variable}`, async () => {
      const call = withVars(vars);
      const versions = await call("/versions");
      expect(versions.status).toBe(200);
      expect(((await versions.json()) as { versions: unknown[] }).versions.length).toBeGreaterThan(0);
      const root = await call("/");
      expect(root.status).toBe(300);
      await root.arrayBuffer();
      for (const path of ["/v2/images", "/v2/schemas/image", "/v2.1/images", "/v2/nothing"]) {
        const res = await call(path, { Accept: "application/json", "X-Auth-Token": "demo-token" });
        expect(res.status, path).toBe(503);
        expect(await res.text(), path).toBe(GLANCE_503_JSON);
      }
      const lines = logged.filter((l) => l.includes("configuration error"));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(variable);
      for (const line of logged) expect(line).not.toContain(SECRET);
    });
  }

  it("a valid keystone configuration logs nothing and serves /v2 (control)", async () => {
    const keystone = new FakeKeystone(SECRET);
    keystone.install();
    keystone.users.set("cfg-ok", { userId: "u", projectId: "p", roles: ["reader"] });
    resetKeystoneCaches();
    const res = await withVars(KEYSTONE)("/v2/images", { "X-Auth-Token": "cfg-ok" });
    expect(res.status).toBe(200);
    await res.arrayBuffer();
    expect(logged).toEqual([]);
  });
});

describe("Keystone unreachable or failing", () => {
  for (const [mode, expected] of [
    ["down", /keystone service authentication at keystone\.test:5000 failed: TypeError/],
    ["error", /keystone service authentication at keystone\.test:5000 failed with HTTP 500/],
  ] as const) {
    it(`${mode}: 503 with Glance's body, a log line with the host and the reason, never a token`, async () => {
      resetKeystoneCaches();
      const keystone = new FakeKeystone(SECRET);
      keystone.install();
      keystone.mode = mode;
      const token = `user-token-${mode}-${crypto.randomUUID()}`;
      const res = await withVars(KEYSTONE)("/v2/images", { Accept: "application/json", "X-Auth-Token": token });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe("503 Service Unavailable");
      expect(logged.some((l) => expected.test(l))).toBe(true);
      for (const line of logged) {
        expect(line).not.toContain(token);
        expect(line).not.toContain(SECRET);
      }
    });
  }

  it("validation failing after the service login: 503 and a log line with the host and the status", async () => {
    resetKeystoneCaches();
    const keystone = new FakeKeystone(SECRET);
    keystone.install();
    const call = withVars(KEYSTONE);
    keystone.users.set("warm", { userId: "w", projectId: "p", roles: ["reader"] });
    await (await call("/v2/images", { "X-Auth-Token": "warm" })).arrayBuffer();
    const real = keystone.handle.bind(keystone);
    keystone.handle = async (req) => (req.method === "GET" ? new Response("no", { status: 502 }) : real(req));
    const token = `user-token-${crypto.randomUUID()}`;
    const res = await call("/v2/images", { "X-Auth-Token": token });
    expect(res.status).toBe(503);
    await res.arrayBuffer();
    expect(logged.some((l) => /keystone token validation at keystone\.test:5000 answered HTTP 502/.test(l))).toBe(true);
    for (const line of logged) expect(line).not.toContain(token);
  });
});

describe("the import queue with a bad configuration", () => {
  it("logs the one line and retries the batch later instead of failing it", async () => {
    const result = await deliver("any-task", { ...env, UPLOAD_PART_SIZE: "1" } as Cloudflare.Env);
    expect(result.retryBatch).toMatchObject({ retry: true });
    expect(logged.some((l) => l.includes("configuration error: Configuration UPLOAD_PART_SIZE must be 5-64 MiB"))).toBe(
      true,
    );
  });
});
