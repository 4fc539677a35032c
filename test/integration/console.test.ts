// /console/: the built files through the ASSETS binding, the security headers, who-am-I, and the Keystone
// sign-in forward (only POST /v3/auth/tokens, only project-scoped password logins); Glance's paths unchanged.
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CONSOLE_CSP } from "../../src/http/routes/console";
import worker from "../../src/index";
import { BASE, call } from "../helpers/api";

const SECURITY = {
  "content-security-policy": CONSOLE_CSP,
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

function expectSecure(res: Response) {
  for (const [k, v] of Object.entries(SECURITY)) expect(res.headers.get(k), k).toBe(v);
  expect(res.headers.get("x-openstack-request-id")).toMatch(/^req-/);
}

describe("console files", () => {
  it("/console redirects to /console/, which serves index.html with strict headers and no inline script", async () => {
    const redirect = await exports.default.fetch(new Request(`${BASE}/console`, { redirect: "manual" }));
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get("location")).toBe("/console/");
    const res = await call("GET", "/console/", { as: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expectSecure(res);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\.\/app-[A-Z0-9]{8}\.js"/);
      expect(body!.trim()).toBe("");
    }
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
  });

  it("the CSP forbids inline script, other origins and framing", () => {
    const directives = Object.fromEntries(CONSOLE_CSP.split("; ").map((d) => [d.split(" ")[0], d.split(" ").slice(1)]));
    expect(directives["default-src"]).toEqual(["'none'"]);
    expect(directives["script-src"]).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(directives["frame-ancestors"]).toEqual(["'none'"]);
    expect(CONSOLE_CSP).not.toContain("unsafe-inline");
    expect(CONSOLE_CSP).not.toMatch(/'unsafe-eval'/);
  });

  it("hashed files are immutable, revalidate with ETag, and carry the same headers", async () => {
    const html = await (await call("GET", "/console/", { as: null })).text();
    const js = /src="\.\/(app-[A-Z0-9]{8}\.js)"/.exec(html)![1]!;
    const res = await call("GET", `/console/${js}`, { as: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/javascript/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expectSecure(res);
    expect((await res.text()).length).toBeGreaterThan(1000);
    const etag = res.headers.get("etag");
    expect(etag).toBeTruthy();
    const again = await call("GET", `/console/${js}`, { as: null, headers: { "If-None-Match": etag! } });
    expect(again.status).toBe(304);
  });

  it.each(["/console/missing.js", "/console/a/b", "/console/..%2fwrangler.toml", "/console/index.html/x"])(
    "%s -> 404 with the console's headers",
    async (path) => {
      const res = await call("GET", path, { as: null });
      expect(res.status).toBe(404);
      expectSecure(res);
      await res.arrayBuffer();
    },
  );

  it("Glance's own paths are untouched: / is the 300 version list, /versions 200, /consolex 300, /v2 needs a token", async () => {
    for (const [path, status] of [
      ["/", 300],
      ["/versions", 200],
      ["/consolex", 300],
      ["/v2/images", 401],
    ] as const) {
      const res = await call("GET", path, { as: null });
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-security-policy"), path).toBeNull();
      expect(res.headers.get("cache-control"), path).toBe("private, no-store");
      await res.arrayBuffer();
    }
  });
});

describe("console session", () => {
  it("config.json says the auth mode; nothing secret in it", async () => {
    const res = await call("GET", "/console/config.json", { as: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ auth_mode: "static" });
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("session tells who the token belongs to, and 401s without a valid one", async () => {
    const res = await call("GET", "/console/session", { as: "demo" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      user_id: "demo",
      project_id: "demo-project",
      roles: ["member", "reader"],
      is_admin: false,
    });
    expectSecure(res);
    const anon = await call("GET", "/console/session", { as: null, headers: { Accept: "application/json" } });
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as { title: string }).title).toBe("Unauthorized");
    const bad = await call("GET", "/console/session", { as: null, headers: { "X-Auth-Token": "nope" } });
    expect(bad.status).toBe(401);
    await bad.arrayBuffer();
  });

  it("the Keystone sign-in route does not exist in static mode", async () => {
    const res = await call("POST", "/console/auth/tokens", { as: null, json: { auth: {} } });
    expect(res.status).toBe(404);
    await res.arrayBuffer();
  });
});

describe("Keystone sign-in forward", () => {
  const KS = "http://keystone.test:5000/v3";
  const ksEnv = {
    ...env,
    AUTH_MODE: "keystone",
    KEYSTONE_URL: KS,
    KEYSTONE_SERVICE_USER: "glance",
    KEYSTONE_SERVICE_PASSWORD: "service-secret",
    KEYSTONE_SERVICE_PROJECT: "service",
  };
  const login = (user = "demo", password = "demo-pass") => ({
    auth: {
      identity: { methods: ["password"], password: { user: { name: user, domain: { name: "Default" }, password } } },
      scope: { project: { name: "demo-project", domain: { name: "Default" } } },
    },
  });
  let seen: Request[] = [];
  let keystone: (req: Request) => Promise<Response> = async () => new Response(null, { status: 500 });
  const stub = () => {
    seen = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      seen.push(req.clone());
      return keystone(req);
    });
  };
  afterEach(() => vi.unstubAllGlobals());
  const post = (body: unknown) =>
    worker.fetch(
      new Request("http://glance.test/console/auth/tokens", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", Accept: "application/json" },
      }),
      { ...ksEnv },
      {} as ExecutionContext,
    );

  it("relays a password login to POST /v3/auth/tokens and hands back the token", async () => {
    keystone = async (req) => {
      const body = (await req.json()) as ReturnType<typeof login>;
      if (body.auth.identity.password.user.password !== "demo-pass")
        return Response.json({ error: { code: 401, message: "Bad creds", title: "Unauthorized" } }, { status: 401 });
      return Response.json(
        { token: { expires_at: "2099-01-01T00:00:00Z", project: { id: "demo-project" } } },
        { status: 201, headers: { "X-Subject-Token": "tok-123" } },
      );
    };
    stub();
    const res = await post(login());
    expect(res.status).toBe(201);
    expect(res.headers.get("x-subject-token")).toBe("tok-123");
    expect(((await res.json()) as { token: { expires_at: string } }).token.expires_at).toBe("2099-01-01T00:00:00Z");
    expectSecure(res);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.method).toBe("POST");
    expect(new URL(seen[0]!.url).pathname).toBe("/v3/auth/tokens");
    expect(seen[0]!.headers.get("x-auth-token")).toBeNull();
    expect(await seen[0]!.json()).toEqual(login());

    const wrong = await post(login("demo", "nope"));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("x-subject-token")).toBeNull();
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe("Bad creds");
  });

  it.each([
    [
      "a token-method login",
      { auth: { identity: { methods: ["token"], token: { id: "t" } }, scope: { project: { name: "p" } } } },
    ],
    [
      "an unscoped login",
      { auth: { identity: { methods: ["password"], password: { user: { name: "demo", password: "x" } } } } },
    ],
    [
      "two methods",
      {
        auth: {
          identity: { methods: ["password", "totp"], password: { user: { name: "demo", password: "x" } } },
          scope: { project: { name: "p" } },
        },
      },
    ],
    ["no auth at all", { hello: "world" }],
  ])("refuses %s with 400 and never calls Keystone", async (_, body) => {
    stub();
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(
      "Only password authentication scoped to a project",
    );
    expect(seen).toHaveLength(0);
  });

  it("Keystone down or failing -> 503, never its internals", async () => {
    keystone = async () => {
      throw new TypeError("connect ECONNREFUSED 10.0.0.5:5000");
    };
    stub();
    const down = await post(login());
    expect(down.status).toBe(503);
    expect(await down.text()).not.toContain("10.0.0.5");
    keystone = async () => new Response("Traceback: secret internals", { status: 500 });
    const failing = await post(login());
    expect(failing.status).toBe(503);
    expect(await failing.text()).not.toContain("Traceback");
  });
});
