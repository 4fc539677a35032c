// /console/: the web console's files (Workers static assets, read through the ASSETS binding), its sign-in
// helpers and the strict security headers every console response carries.
import { Hono, type MiddlewareHandler } from "hono";
import { forwardPasswordLogin } from "../../identity/keystone-login";
import { authenticate } from "../auth";
import type { AppEnv } from "../context";
import { readJson } from "../json-body";

export const consoleRoutes = new Hono<AppEnv>();

/**
 * No inline script or style, nothing from another origin, no framing. 'wasm-unsafe-eval' lets the hash
 * Web Worker compile its WebAssembly MD5/SHA-512 (it allows WebAssembly only, not eval of JavaScript).
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": CONSOLE_CSP,
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
};

/** Hashed file names never change content; everything else (index.html, JSON) is never stored. */
const HASHED = /^[\w-]+-[A-Z0-9]{8}\.(js|css)$/;
const FILE = /^[\w-]+(\.[\w-]+)*\.(js|css|svg|png|html)$/;

const secure: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  if (new URL(c.req.url).protocol === "https:") c.res.headers.set("Strict-Transport-Security", "max-age=31536000");
  if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
};

consoleRoutes.use("/console/*", secure);

/** One file of console/dist/console/; null when there is no such file or no ASSETS binding. */
async function asset(c: { env: AppEnv["Bindings"]; req: { raw: Request } }, file: string): Promise<Response | null> {
  if (!c.env.ASSETS) return null;
  const url = new URL(`/console/${file}`, c.req.raw.url);
  // Only the validators travel along: the assets service answers 304 itself.
  const headers = new Headers();
  const inm = c.req.raw.headers.get("if-none-match");
  if (inm) headers.set("If-None-Match", inm);
  const res = await c.env.ASSETS.fetch(new Request(url, { headers }));
  if (res.status !== 200 && res.status !== 304) {
    await res.body?.cancel();
    return null;
  }
  const out = new Response(res.status === 304 ? null : res.body, { status: res.status, headers: res.headers });
  out.headers.set("Cache-Control", HASHED.test(file) ? "public, max-age=31536000, immutable" : "no-cache");
  return out;
}

const notFound = () =>
  new Response("Not Found\n", { status: 404, headers: { "Content-Type": "text/plain; charset=UTF-8" } });

// Relative URLs in index.html need the trailing slash.
consoleRoutes.get("/console", (c) => c.redirect("/console/", 308));
consoleRoutes.get("/console/", async (c) => (await asset(c, "index.html")) ?? notFound());

/** What the sign-in page needs to know before anyone has a token. */
consoleRoutes.get("/console/config.json", (c) => c.json({ auth_mode: c.var.config.authMode }));

/** Who the token belongs to (the page shows it and needs the project id to answer shares). */
consoleRoutes.get("/console/session", authenticate, (c) => {
  const { userId, projectId, roles, isAdmin } = c.var.ctx;
  return c.json({ user_id: userId, project_id: projectId, roles: [...roles].sort(), is_admin: isAdmin });
});

/** Keystone mode only: the one Keystone call the Worker makes for a browser (see identity/keystone-login.ts). */
consoleRoutes.post("/console/auth/tokens", async (c) => {
  const ks = c.var.config.keystone;
  if (!ks) return notFound();
  const body = await readJson(c.req.raw, c.var.config.maxJsonBody);
  const answer = await forwardPasswordLogin(ks.url, body, (input, init) => fetch(input, init));
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (answer.token) headers["X-Subject-Token"] = answer.token;
  return new Response(answer.body, { status: answer.status, headers });
});

consoleRoutes.get("/console/:file", async (c) => {
  const file = c.req.param("file");
  return (FILE.test(file) && (await asset(c, file))) || notFound();
});

consoleRoutes.all("/console/*", () => notFound());
