// The Hono environment every route shares: bindings, parsed config, services, caller and request id.
import type { Context } from "hono";
import type { Services } from "../composition";
import type { Bindings, Config } from "../config";
import type { RequestContext } from "../domain/request-context";

export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    services: Services;
    /** Set by the auth middleware on /v2/*. */
    ctx: RequestContext;
  };
};

/** The base URL clients reach us at: PUBLIC_BASE_URL behind a proxy, else this request's origin. */
export const publicBase = (c: Context<AppEnv>): string =>
  // No config when it is invalid (app.ts still serves the version document then).
  (c.var.config as Config | undefined)?.publicBaseUrl ?? new URL(c.req.url).origin;
