// The console's Keystone sign-in: forwards one project-scoped password login to POST /v3/auth/tokens, nothing else.
import { badRequest } from "../domain/errors";
import { keystoneBase, unavailable } from "./keystone";

interface PasswordAuth {
  auth?: {
    identity?: { methods?: unknown; password?: { user?: { name?: unknown; id?: unknown; password?: unknown } } };
    scope?: { project?: { name?: unknown; id?: unknown } };
  };
}

const isText = (v: unknown) => typeof v === "string" && v !== "";

/**
 * Only what a person types into a sign-in form gets through: the password method, scoped to a project.
 * Token, application-credential and unscoped logins are refused, so the Worker cannot be used to mint
 * other kinds of tokens.
 */
function checkPasswordAuth(body: unknown): void {
  const auth = (body as PasswordAuth).auth;
  const methods = auth?.identity?.methods;
  const user = auth?.identity?.password?.user;
  const project = auth?.scope?.project;
  const ok =
    Array.isArray(methods) &&
    methods.length === 1 &&
    methods[0] === "password" &&
    (isText(user?.name) || isText(user?.id)) &&
    typeof user?.password === "string" &&
    (isText(project?.name) || isText(project?.id));
  if (!ok) throw badRequest("Only password authentication scoped to a project is accepted here.");
}

export interface LoginAnswer {
  status: number;
  /** The new token (X-Subject-Token) on success. */
  token: string | null;
  body: string;
}

/**
 * Sends the login to Keystone and relays its answer: 201 with the token, or Keystone's own 4xx (wrong
 * password, unknown project) so the person sees why. Unreachable or 5xx -> 503. Nothing is logged: the body
 * holds a password.
 */
export async function forwardPasswordLogin(
  keystoneUrl: string,
  body: unknown,
  fetcher: typeof fetch,
): Promise<LoginAnswer> {
  checkPasswordAuth(body);
  let res: Response;
  try {
    res = await fetcher(`${keystoneBase(keystoneUrl)}/v3/auth/tokens?nocatalog`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      redirect: "manual",
    });
  } catch {
    throw unavailable();
  }
  if (res.status >= 500 || (res.status >= 300 && res.status < 400)) {
    await res.body?.cancel();
    throw unavailable();
  }
  const token = res.status === 201 ? res.headers.get("x-subject-token") : null;
  if (res.status === 201 && !token) {
    await res.body?.cancel();
    throw unavailable();
  }
  return { status: res.status, token, body: await res.text() };
}
