// A fake Keystone v3 (password auth + token validation) for tests, served by stubbing the Worker's global fetch.
import { vi } from "vitest";

export const KEYSTONE_URL = "http://keystone.test:5000/v3";

export interface FakeUser {
  userId: string;
  projectId: string;
  roles: string[];
  /** ISO time; defaults to one hour from now. */
  expiresAt?: string;
}

export class FakeKeystone {
  readonly users = new Map<string, FakeUser>();
  serviceTokens = new Set<string>();
  validations = 0;
  serviceLogins = 0;
  mode: "up" | "down" | "error" = "up";
  /** The v3 service catalog every validated token carries (empty: none, as before). */
  catalog: { type: string; endpoints: { region_id: string; interface: string; url: string }[] }[] = [];
  private n = 0;

  constructor(readonly servicePassword = "service-secret") {}

  tokenBody(u: FakeUser) {
    return {
      token: {
        expires_at: u.expiresAt ?? new Date(Date.now() + 3600_000).toISOString(),
        user: { id: u.userId, name: u.userId, domain: { id: "default" } },
        project: { id: u.projectId, name: u.projectId, domain: { id: "default" } },
        roles: u.roles.map((name) => ({ id: `${name}-id`, name })),
        ...(this.catalog.length > 0 && { catalog: this.catalog }),
      },
    };
  }

  async handle(req: Request): Promise<Response> {
    if (this.mode === "down") throw new TypeError("connect ECONNREFUSED");
    if (this.mode === "error") return new Response("boom", { status: 500 });
    const url = new URL(req.url);
    if (url.pathname !== "/v3/auth/tokens") return new Response("not found", { status: 404 });
    if (req.method === "POST") {
      const body = (await req.json()) as {
        auth: { identity: { password: { user: { name: string; password: string } } } };
      };
      if (body.auth.identity.password.user.password !== this.servicePassword)
        return new Response("{}", { status: 401 });
      this.serviceLogins++;
      const token = `svc-${++this.n}`;
      this.serviceTokens.add(token);
      const svc = this.tokenBody({ userId: "glance", projectId: "service", roles: ["service", "admin"] });
      return new Response(JSON.stringify(svc), { status: 201, headers: { "X-Subject-Token": token } });
    }
    if (!this.serviceTokens.has(req.headers.get("x-auth-token") ?? "")) return new Response("{}", { status: 401 });
    this.validations++;
    const user = this.users.get(req.headers.get("x-subject-token") ?? "");
    if (!user || (user.expiresAt && Date.parse(user.expiresAt) <= Date.now()))
      return new Response("{}", { status: 404 });
    return Response.json(this.tokenBody(user));
  }

  /**
   * Routes the isolate's fetch for KEYSTONE_URL to this fake; `others` may answer other requests (null: not
   * theirs); everything else goes to the real fetch.
   */
  install(others?: (req: Request) => Promise<Response> | Response | null): void {
    const real = globalThis.fetch;
    vi.stubGlobal("fetch", (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      if (req.url.startsWith(new URL(KEYSTONE_URL).origin)) return this.handle(req);
      return others?.(req) ?? real(input, init);
    });
  }
}
