// Static-token authentication: the one place that knows how identity arrives (a Keystone validator slots in here).
import type { MiddlewareHandler } from "hono";
import { DomainError } from "../domain/errors";
import { makeContext } from "../domain/request-context";
import type { AppEnv } from "./context";

export interface StaticIdentity {
  userId: string;
  projectId: string | null;
  roles: string[];
}

const parsed = new Map<string, Map<string, StaticIdentity>>();

/** Parses AUTH_TOKENS: {"<token>": {"user_id": "...", "project_id": "...", "roles": ["member"]}}. */
export function parseStaticTokens(raw: string | undefined): Map<string, StaticIdentity> {
  const key = raw ?? "";
  const hit = parsed.get(key);
  if (hit) return hit;
  const out = new Map<string, StaticIdentity>();
  if (key) {
    let doc: unknown;
    try {
      doc = JSON.parse(key);
    } catch {
      // Never echo the value: it is a secret.
      throw new Error("AUTH_TOKENS is not valid JSON");
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("AUTH_TOKENS must be a JSON object");
    for (const [token, v] of Object.entries(doc as Record<string, unknown>)) {
      const e = v as { user_id?: unknown; project_id?: unknown; roles?: unknown };
      if (typeof e?.user_id !== "string" || !Array.isArray(e.roles) || !e.roles.every((r) => typeof r === "string"))
        throw new Error("AUTH_TOKENS entries need user_id (string) and roles (string[])");
      out.set(token, {
        userId: e.user_id,
        projectId: typeof e.project_id === "string" ? e.project_id : null,
        roles: e.roles as string[],
      });
    }
  }
  parsed.set(key, out);
  return out;
}

function unauthorized(realm: string): DomainError {
  return new DomainError("unauthorized", undefined, { headers: { "WWW-Authenticate": `Keystone uri="${realm}"` } });
}

export const authenticate: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.req.header("x-auth-token");
  const base = c.get("config").publicBaseUrl ?? new URL(c.req.url).origin;
  const identity = token ? parseStaticTokens(c.env.AUTH_TOKENS).get(token) : undefined;
  if (!identity) throw unauthorized(base);
  c.set("ctx", makeContext(identity, c.get("requestId")));
  await next();
};
