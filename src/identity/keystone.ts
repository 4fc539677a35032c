// KeystoneProvider: validates user tokens against Keystone v3 with a service token, caching successes only.
import { DomainError } from "../domain/errors";
import type { ServiceEndpoint } from "../domain/request-context";
import type { Identity, IdentityProvider } from "./identity";

export interface KeystoneSettings {
  /** Keystone's public URL, e.g. https://keystone.example.com/v3 (a trailing /v3 is optional). */
  url: string;
  serviceUser: string;
  servicePassword: string;
  serviceProject: string;
  userDomain: string;
  projectDomain: string;
  /** Upper bound on how long a validated token is trusted without asking Keystone again. */
  cacheTtlSeconds: number;
}

interface CachedIdentity {
  identity: Identity;
  until: number;
}

/** Renew the service token this long before Keystone says it expires. */
const RENEW_MARGIN_MS = 5 * 60 * 1000;
const MAX_CACHED = 1000;

/** Per-isolate state: it survives across requests served by the same isolate. */
const serviceTokens = new Map<string, { token: string; expiresAt: number }>();
const validated = new Map<string, CachedIdentity>();

export const unavailable = () =>
  new DomainError("service_unavailable", "The identity service is unavailable. Please try again later.");

/** Keystone's root from its configured URL: trailing slashes and an optional /v3 dropped. */
export const keystoneBase = (url: string): string => url.replace(/\/+$/, "").replace(/\/v3$/, "");

async function sha256Hex(s: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

interface TokenBody {
  token?: {
    expires_at?: string;
    user?: { id?: string; domain?: { id?: string } };
    project?: { id?: string; domain?: { id?: string } };
    roles?: { name?: string }[];
    catalog?: {
      type?: string;
      endpoints?: { region_id?: string | null; region?: string | null; interface?: string; url?: string }[];
    }[];
  };
}

/** The image service's endpoints of a v3 catalog, kept with the cached identity (a few hundred bytes). */
function imageEndpoints(catalog: NonNullable<TokenBody["token"]>["catalog"]): ServiceEndpoint[] {
  const out: ServiceEndpoint[] = [];
  for (const service of Array.isArray(catalog) ? catalog : []) {
    if (service?.type !== "image" || !Array.isArray(service.endpoints)) continue;
    for (const e of service.endpoints) {
      const region = e?.region_id ?? e?.region;
      if (typeof region === "string" && typeof e.interface === "string" && typeof e.url === "string")
        out.push({ region, interface: e.interface, url: e.url });
    }
  }
  return out;
}

function toIdentity(body: TokenBody): { identity: Identity; expiresAt: number } | null {
  const t = body.token;
  const expiresAt = t?.expires_at ? Date.parse(t.expires_at) : NaN;
  if (!t?.user?.id || Number.isNaN(expiresAt)) return null;
  return {
    identity: {
      userId: t.user.id,
      projectId: t.project?.id ?? null,
      roles: (t.roles ?? []).map((r) => r.name ?? "").filter((r) => r !== ""),
      domainId: t.project?.domain?.id ?? t.user.domain?.id ?? null,
      imageEndpoints: imageEndpoints(t.catalog),
    },
    expiresAt,
  };
}

export class KeystoneProvider implements IdentityProvider {
  readonly authUri: string;
  private readonly base: string;
  /** For log lines: where Keystone is, without path or credentials. */
  private readonly host: string;

  constructor(
    private readonly s: KeystoneSettings,
    private readonly fetcher: typeof fetch,
    private readonly now: () => number = Date.now,
    private readonly cache: Cache | null = null,
  ) {
    this.base = keystoneBase(s.url);
    this.authUri = this.base;
    this.host = URL.canParse(this.base) ? new URL(this.base).host : "(invalid KEYSTONE_URL)";
  }

  async validate(token: string): Promise<Identity | null> {
    const key = await sha256Hex(token);
    const hit = await this.cached(key);
    if (hit) return hit;
    let res = await this.ask(token, await this.serviceToken(false));
    // Our service token may have been revoked or expired early: get a fresh one and ask once more.
    if (res.status === 401) res = await this.ask(token, await this.serviceToken(true));
    if (res.status === 404 || res.status === 401) {
      await res.body?.cancel();
      return null;
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      console.error(`keystone token validation at ${this.host} answered HTTP ${res.status}`);
      throw unavailable();
    }
    const parsed = toIdentity((await res.json()) as TokenBody);
    if (!parsed || parsed.expiresAt <= this.now()) return null;
    await this.remember(key, parsed.identity, Math.min(parsed.expiresAt, this.now() + this.s.cacheTtlSeconds * 1000));
    return parsed.identity;
  }

  private async ask(token: string, serviceToken: string): Promise<Response> {
    try {
      return await this.fetcher(`${this.base}/v3/auth/tokens`, {
        headers: { "X-Auth-Token": serviceToken, "X-Subject-Token": token, Accept: "application/json" },
      });
    } catch (err) {
      throw this.unreachable("token validation", err);
    }
  }

  /** Logs why Keystone could not be asked (host and error class: never a token or a message) -> 503. */
  private unreachable(what: string, err: unknown): DomainError {
    console.error(
      `keystone ${what} at ${this.host} failed: ${err instanceof Error ? err.name : "non-Error thrown"} (unreachable?)`,
    );
    return unavailable();
  }

  /** Password-authenticates the service user; reuses the token until shortly before it expires. */
  private async serviceToken(forceRenew: boolean): Promise<string> {
    const id = `${this.base}|${this.s.serviceUser}|${this.s.serviceProject}`;
    const current = serviceTokens.get(id);
    if (!forceRenew && current && current.expiresAt - RENEW_MARGIN_MS > this.now()) return current.token;
    const body = {
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: { name: this.s.serviceUser, domain: { name: this.s.userDomain }, password: this.s.servicePassword },
          },
        },
        scope: { project: { name: this.s.serviceProject, domain: { name: this.s.projectDomain } } },
      },
    };
    let res: Response;
    try {
      res = await this.fetcher(`${this.base}/v3/auth/tokens`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw this.unreachable("service authentication", err);
    }
    const token = res.headers.get("x-subject-token");
    if (res.status !== 201 || !token) {
      await res.body?.cancel();
      // Wrong service credentials are an operator problem; callers see a 503 without details.
      console.error(`keystone service authentication at ${this.host} failed with HTTP ${res.status}`);
      throw unavailable();
    }
    const parsed = toIdentity((await res.json()) as TokenBody);
    const expiresAt = parsed?.expiresAt ?? this.now() + RENEW_MARGIN_MS * 2;
    serviceTokens.set(id, { token, expiresAt });
    return token;
  }

  /** In-isolate LRU first, then the colo's Cache API; keys are SHA-256 of the token, never the token. */
  private async cached(key: string): Promise<Identity | null> {
    const local = validated.get(key);
    if (local) {
      validated.delete(key);
      if (local.until > this.now()) {
        validated.set(key, local);
        return local.identity;
      }
    }
    if (!this.cache) return null;
    const res = await this.cache.match(this.cacheUrl(key));
    if (!res) return null;
    const entry = (await res.json()) as CachedIdentity;
    if (entry.until <= this.now()) return null;
    this.rememberLocal(key, entry);
    return entry.identity;
  }

  private rememberLocal(key: string, entry: CachedIdentity): void {
    validated.set(key, entry);
    if (validated.size > MAX_CACHED) validated.delete(validated.keys().next().value!);
  }

  private async remember(key: string, identity: Identity, until: number): Promise<void> {
    const entry = { identity, until };
    this.rememberLocal(key, entry);
    if (!this.cache) return;
    const maxAge = Math.max(1, Math.floor((until - this.now()) / 1000));
    await this.cache.put(
      this.cacheUrl(key),
      new Response(JSON.stringify(entry), {
        headers: { "Cache-Control": `max-age=${maxAge}`, "Content-Type": "application/json" },
      }),
    );
  }

  private cacheUrl(key: string): string {
    return `https://glance-token-cache.invalid/${key}`;
  }
}

/** Test hook: forget every cached token and service token of this isolate. */
export function resetKeystoneCaches(): void {
  serviceTokens.clear();
  validated.clear();
}
