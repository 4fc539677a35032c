// Sign-in: a token (static tokens, or a Keystone token), or user/password/project through the Worker's Keystone forward.
import { useState } from "preact/hooks";
import { call } from "../api";
import { Alert, Field } from "../components/ui";
import { type Session, setSession, takeNotice } from "../session";

interface WhoAmI {
  user_id: string;
  project_id: string | null;
  roles: string[];
  is_admin: boolean;
}

/** Asks the Worker who the token belongs to; a 401 here means the token is not valid. */
async function identify(token: string): Promise<Omit<Session, "method">> {
  const who = (await call<WhoAmI>("GET", "/console/session", { token })).data;
  return { token, userId: who.user_id, projectId: who.project_id, roles: who.roles, isAdmin: who.is_admin };
}

export function SignIn({ authMode }: { authMode: "static" | "keystone" }) {
  const [tab, setTab] = useState<"token" | "keystone">(authMode === "keystone" ? "keystone" : "token");
  const [notice] = useState(takeNotice);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = (fn: () => Promise<void>) => async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const signInWithToken = run(async () => {
    const form = new FormData(document.getElementById("token-form") as HTMLFormElement);
    const token = String(form.get("token") ?? "").trim();
    if (!token) throw new Error("Enter a token.");
    setSession({ ...(await identify(token)), method: "token" });
  });

  const signInWithPassword = run(async () => {
    const f = new FormData(document.getElementById("keystone-form") as HTMLFormElement);
    const v = (k: string) => String(f.get(k) ?? "").trim();
    const body = {
      auth: {
        identity: {
          methods: ["password"],
          password: {
            user: {
              name: v("username"),
              domain: { name: v("user_domain") || "Default" },
              password: String(f.get("password") ?? ""),
            },
          },
        },
        scope: { project: { name: v("project"), domain: { name: v("project_domain") || "Default" } } },
      },
    };
    const a = await call<{ token?: { expires_at?: string } }>("POST", "/console/auth/tokens", {
      json: body,
      token: "",
    });
    const token = a.headers.get("X-Subject-Token");
    if (!token) throw new Error("Keystone answered without a token.");
    setSession({ ...(await identify(token)), method: "keystone", expiresAt: a.data?.token?.expires_at });
  });

  return (
    <main class="signin" id="main" tabIndex={-1}>
      <h1>Sign in to the image service</h1>
      {notice && <Alert kind="warning">{notice}</Alert>}
      {authMode === "keystone" && (
        <div
          class="tabs"
          role="tablist"
          aria-label="Sign-in method"
          onKeyDown={(e) => {
            // Two tabs: either arrow moves to the other one, as the WAI-ARIA tabs pattern asks.
            if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
            const next = tab === "token" ? "keystone" : "token";
            setTab(next);
            document.getElementById(`tab-${next}`)?.focus();
          }}
        >
          <button
            type="button"
            role="tab"
            id="tab-keystone"
            tabIndex={tab === "keystone" ? 0 : -1}
            aria-selected={tab === "keystone"}
            aria-controls="keystone-form"
            onClick={() => setTab("keystone")}
          >
            User and password
          </button>
          <button
            type="button"
            role="tab"
            id="tab-token"
            tabIndex={tab === "token" ? 0 : -1}
            aria-selected={tab === "token"}
            aria-controls="token-form"
            onClick={() => setTab("token")}
          >
            Token
          </button>
        </div>
      )}
      {error && <Alert>{error}</Alert>}
      {tab === "token" ? (
        <form id="token-form" class="card form" onSubmit={signInWithToken} aria-label="Sign in with a token">
          <Field
            label="Token"
            hint={
              authMode === "static"
                ? "An X-Auth-Token, e.g. a dev token printed by npm run dev."
                : "A Keystone token (X-Auth-Token)."
            }
          >
            <input name="token" type="password" autocomplete="off" required spellcheck={false} />
          </Field>
          <button class="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      ) : (
        <form id="keystone-form" class="card form" onSubmit={signInWithPassword} aria-label="Sign in with Keystone">
          <Field label="User name">
            <input name="username" autocomplete="username" required />
          </Field>
          <Field label="Password">
            <input name="password" type="password" autocomplete="current-password" required />
          </Field>
          <Field label="Project">
            <input name="project" required />
          </Field>
          <div class="row">
            <Field label="User domain">
              <input name="user_domain" placeholder="Default" />
            </Field>
            <Field label="Project domain">
              <input name="project_domain" placeholder="Default" />
            </Field>
          </div>
          <button class="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      )}
      <p class="muted small">
        The token stays in this tab's session storage and is sent only as the X-Auth-Token header to this service.
      </p>
    </main>
  );
}
