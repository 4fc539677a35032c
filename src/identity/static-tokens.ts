// StaticTokenProvider: tokens from configuration (AUTH_TOKENS JSON), the local default and for single-tenant use.
import type { Identity, IdentityProvider } from "./identity";

const parsed = new Map<string, Map<string, Identity>>();

class TokensError extends Error {}

/** Parses AUTH_TOKENS: {"<token>": {"user_id": "...", "project_id": "...", "roles": ["member"]}}. */
function parseStaticTokens(raw: string | undefined): Map<string, Identity> {
  const key = raw ?? "";
  const hit = parsed.get(key);
  if (hit) return hit;
  const out = new Map<string, Identity>();
  if (key) {
    let doc: unknown;
    try {
      doc = JSON.parse(key);
    } catch {
      // Never echo the value: it is a secret.
      throw new TokensError("is not valid JSON");
    }
    if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new TokensError("must be a JSON object");
    for (const [token, v] of Object.entries(doc as Record<string, unknown>)) {
      const e = v as { user_id?: unknown; project_id?: unknown; roles?: unknown };
      if (typeof e?.user_id !== "string" || !Array.isArray(e.roles) || !e.roles.every((r) => typeof r === "string"))
        throw new TokensError("entries need user_id (string) and roles (string[])");
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

/** What is wrong with an AUTH_TOKENS value (never quoting it), or null; config.ts checks it once. */
export function staticTokensProblem(raw: string | undefined): string | null {
  try {
    parseStaticTokens(raw);
    return null;
  } catch (e) {
    if (e instanceof TokensError) return e.message;
    throw e;
  }
}

export class StaticTokenProvider implements IdentityProvider {
  private readonly tokens: Map<string, Identity>;
  constructor(
    raw: string | undefined,
    readonly authUri: string,
  ) {
    this.tokens = parseStaticTokens(raw);
  }

  async validate(token: string): Promise<Identity | null> {
    return this.tokens.get(token) ?? null;
  }
}
