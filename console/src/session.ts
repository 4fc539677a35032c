// The signed-in session: the token and who it belongs to, kept in sessionStorage only (per tab, gone on sign-out).

export interface Session {
  token: string;
  userId: string;
  projectId: string | null;
  roles: string[];
  isAdmin: boolean;
  /** How the person signed in: a pasted token, or user/password through Keystone. */
  method: "token" | "keystone";
  /** Keystone's expiry, when known (ISO time). */
  expiresAt?: string;
}

const KEY = "glance-console.session";
let current: Session | null = read();
const listeners = new Set<(s: Session | null) => void>();

function read(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    const s = raw ? (JSON.parse(raw) as Session) : null;
    return s && typeof s.token === "string" && s.token !== "" ? s : null;
  } catch {
    return null;
  }
}

export const getSession = (): Session | null => current;

export function setSession(s: Session | null, reason?: string): void {
  current = s;
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  if (reason) sessionStorage.setItem(`${KEY}.notice`, reason);
  for (const l of listeners) l(s);
}

/** A message for the sign-in page ("your session expired"), read once. */
export function takeNotice(): string | null {
  const n = sessionStorage.getItem(`${KEY}.notice`);
  sessionStorage.removeItem(`${KEY}.notice`);
  return n;
}

export function onSessionChange(fn: (s: Session | null) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
