// The one HTTP client of the console: X-Auth-Token from the session, JSON in and out, readable API errors.
import { errorMessage } from "./api-errors";
import { getSession, setSession } from "./session";

export { errorMessage };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface CallOptions {
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Statuses that are answers, not errors (e.g. 404 for "no stage session"). */
  allow?: number[];
  signal?: AbortSignal;
  /** Use this token instead of the session's (signing in). */
  token?: string;
}

export interface Answer<T> {
  status: number;
  data: T;
  headers: Headers;
}

export async function call<T = unknown>(method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> {
  const headers = new Headers({ Accept: "application/json", ...o.headers });
  const token = o.token ?? getSession()?.token;
  if (token) headers.set("X-Auth-Token", token);
  let body = o.body;
  if (o.json !== undefined) {
    body = JSON.stringify(o.json);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, signal: o.signal, credentials: "omit", cache: "no-store" });
  } catch (e) {
    if ((e as Error).name === "AbortError" || (e as Error).name === "TimeoutError") throw e;
    throw new ApiError(0, "The service cannot be reached. Check your connection and try again.");
  }
  if (res.ok || o.allow?.includes(res.status)) {
    const text = await res.text();
    let data: unknown = null;
    if (text && (res.headers.get("content-type") ?? "").includes("json")) data = JSON.parse(text);
    return { status: res.status, data: data as T, headers: res.headers };
  }
  const message = errorMessage(res.status, await res.text());
  if (res.status === 401 && o.token === undefined) sessionEnded();
  throw new ApiError(res.status, message);
}

/** A token that stopped working (expired, revoked) ends the session; the sign-in page says why. */
export function sessionEnded(): void {
  if (getSession()) setSession(null, "Your session has ended (the token is no longer valid). Please sign in again.");
}

export const getSessionToken = () => getSession()?.token ?? "";

export const get = <T>(path: string, o?: CallOptions) => call<T>("GET", path, o).then((a) => a.data);

export const PATCH_TYPE = "application/openstack-images-v2.1-json-patch";

export type PatchOp = { op: "add" | "replace" | "remove"; path: string; value?: unknown };

export const patchImage = <T>(id: string, ops: PatchOp[]) =>
  call<T>("PATCH", `/v2/images/${encodeURIComponent(id)}`, {
    body: JSON.stringify(ops),
    headers: { "Content-Type": PATCH_TYPE },
  }).then((a) => a.data);

/** JSON pointer for a top-level key (RFC 6901: "~" -> "~0", "/" -> "~1"). */
export const pointer = (key: string) => `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
