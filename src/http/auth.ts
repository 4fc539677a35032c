// Authentication middleware: the one place that knows how identity arrives (static tokens or Keystone).
import type { MiddlewareHandler } from "hono";
import type { Bindings, Config } from "../config";
import { DomainError } from "../domain/errors";
import { makeContext } from "../domain/request-context";
import type { IdentityProvider } from "../identity/identity";
import { KeystoneProvider } from "../identity/keystone";
import { StaticTokenProvider } from "../identity/static-tokens";
import type { AppEnv } from "./context";

export function identityProvider(config: Config, env: Bindings, requestOrigin: string): IdentityProvider {
  if (config.keystone) {
    // Bound through a closure: calling the global fetch as a method of another object is an illegal invocation.
    const cache = typeof caches !== "undefined" ? caches.default : null;
    return new KeystoneProvider(config.keystone, (input, init) => fetch(input, init), Date.now, cache);
  }
  return new StaticTokenProvider(env.AUTH_TOKENS, config.publicBaseUrl ?? requestOrigin);
}

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const provider = identityProvider(c.var.config, c.env, new URL(c.req.url).origin);
  const token = c.req.header("x-auth-token");
  const identity = token ? await provider.validate(token) : null;
  if (!identity)
    throw new DomainError("unauthorized", undefined, {
      headers: { "WWW-Authenticate": `Keystone uri="${provider.authUri}"` },
    });
  c.set("ctx", makeContext(identity, c.get("requestId")));
  await next();
};
