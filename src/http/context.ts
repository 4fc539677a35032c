// The Hono environment every route shares: bindings, parsed config, services, caller and request id.
import type { Config, Bindings } from "../config";
import type { RequestContext } from "../domain/request-context";
import type { Services } from "../services/create-services";

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
