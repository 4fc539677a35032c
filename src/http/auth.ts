// Authentication middleware: the one place that knows how identity arrives (static tokens or Keystone).
import type { Context, MiddlewareHandler } from "hono";
import { DomainError } from "../domain/errors";
import { makeContext } from "../domain/request-context";
import type { IdentityProvider } from "../identity/identity";
import { KeystoneProvider } from "../identity/keystone";
import { StaticTokenProvider } from "../identity/static-tokens";
import { type AppEnv, publicBase } from "./context";

function identityProvider(c: Context<AppEnv>): IdentityProvider {
  const { keystone } = c.var.config;
  if (keystone) {
    // Bound through a closure: calling the global fetch as a method of another object is an illegal invocation.
    const cache = typeof caches !== "undefined" ? caches.default : null;
    return new KeystoneProvider(keystone, (input, init) => fetch(input, init), Date.now, cache);
  }
  return new StaticTokenProvider(c.env.AUTH_TOKENS, publicBase(c));
}

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const provider = identityProvider(c);
  const token = c.req.header("x-auth-token");
  const identity = token ? await provider.validate(token) : null;
  if (!identity)
    throw new DomainError("unauthorized", undefined, {
      headers: { "WWW-Authenticate": `Keystone uri="${provider.authUri}"` },
    });
  c.set("ctx", makeContext(identity, c.get("requestId"), token ?? null));
  await next();
};
