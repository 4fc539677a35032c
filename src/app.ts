// Builds the Hono app: request id, config (503 on /v2 when it is bad) and services, versions, auth, routers, onError.
import { Hono } from "hono";
import { createServices } from "./composition";
import { type Config, ConfigError, loadConfig } from "./config";
import { DomainError, notFound } from "./domain/errors";
import { authenticate } from "./http/auth";
import type { AppEnv } from "./http/context";
import { renderError } from "./http/errors";
import { requestId } from "./http/request-id";
import { routeGuard } from "./http/route-table";
import { bench } from "./http/routes/bench";
import { consoleRoutes } from "./http/routes/console";
import { imageActions } from "./http/routes/image-actions";
import { imageData } from "./http/routes/image-data";
import { imageImport } from "./http/routes/image-import";
import { imageMembers } from "./http/routes/image-members";
import { imageTags } from "./http/routes/image-tags";
import { images } from "./http/routes/images";
import { info } from "./http/routes/info";
import { metadefs } from "./http/routes/metadefs";
import { schemas } from "./http/routes/schemas";
import { stores } from "./http/routes/stores";
import { tasks } from "./http/routes/tasks";
import { MULTI_STORE_VERSION_ALIASES, VERSION_ALIASES, versionsResponse } from "./http/routes/versions";

export const app = new Hono<AppEnv>();

app.use("*", requestId);
app.use("*", async (c, next) => {
  let config: Config;
  try {
    config = loadConfig(c.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    reportOnce(c.env, err);
    // The version document needs no configuration, and clients probe it first; the API cannot run without.
    const path = new URL(c.req.url).pathname;
    if (path === "/v2" || path.startsWith("/v2/")) throw new DomainError("service_unavailable", undefined);
    return next();
  }
  c.set("config", config);
  c.set("services", createServices(c.env, config));
  await next();
});

const reported = new WeakSet<object>();
/** One log line per isolate for a bad configuration, naming the variable (ConfigError never holds values). */
function reportOnce(env: object, err: ConfigError): void {
  if (reported.has(env)) return;
  reported.add(env);
  console.error(`configuration error: ${err.message}. Every /v2 request answers 503 until it is fixed.`);
}

// Version negotiation runs before authentication: /versions is 200, any non-v2 path is a 300 listing.
app.on(["GET", "HEAD"], "/versions", (c) => versionsResponse(c, 200));
app.on(["GET", "HEAD"], "/versions/*", (c) => versionsResponse(c, 200));

// The web console (/console and /console/*): its files, sign-in helpers and headers.
app.route("/", consoleRoutes);

// Benchmark-only; answers 404 unless BENCH_ROUTES=1 is passed to wrangler dev.
app.route("/_bench", bench);

// Authentication first, as in Glance's pipeline: without a valid token nothing about routes is revealed.
app.use("/v2/*", authenticate, routeGuard);
app.route("/v2/images", images);
app.route("/v2/images", imageTags);
app.route("/v2/images", imageActions);
app.route("/v2/images", imageData);
app.route("/v2/images", imageImport);
app.route("/v2/images", imageMembers);
app.route("/v2/schemas", schemas);
app.route("/v2/info", info);
app.route("/v2/metadefs", metadefs);
app.route("/v2/stores", stores);
app.route("/v2/tasks", tasks);

app.notFound((c) => {
  const path = new URL(c.req.url).pathname;
  if (path === "/v2" || path.startsWith("/v2/")) throw notFound();
  return versionsResponse(c, 300);
});
app.onError(renderError);

/** Rewrites Glance's accepted version aliases (/v2.1/images -> /v2/images) before routing. */
export function fetchWithVersionAliases(request: Request, env: AppEnv["Bindings"], ctx: ExecutionContext) {
  const url = new URL(request.url);
  const aliases = multiStore(env) ? MULTI_STORE_VERSION_ALIASES : VERSION_ALIASES;
  if (aliases.test(url.pathname)) {
    url.pathname = url.pathname.replace(aliases, "/v2");
    return app.fetch(new Request(url, request), env, ctx);
  }
  return app.fetch(request, env, ctx);
}

/** Whether the site runs several stores (a bad configuration counts as one: its error is answered elsewhere). */
function multiStore(env: AppEnv["Bindings"]): boolean {
  try {
    return loadConfig(env).stores.catalog.multi;
  } catch {
    return false;
  }
}
