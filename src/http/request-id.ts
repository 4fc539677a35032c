// x-openstack-request-id on every response: adopt a sane inbound id (Glance does), else make req-<uuid>.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

/** Glance's max_request_id_length. Longer inbound ids are ignored rather than echoed back. */
const MAX_REQUEST_ID = 64;
const SAFE_ID = /^[A-Za-z0-9._:-]+$/;

export function requestIdFrom(inbound: string | undefined): string {
  if (inbound && inbound.length <= MAX_REQUEST_ID && SAFE_ID.test(inbound))
    return inbound.startsWith("req-") ? inbound : `req-${inbound}`;
  return `req-${crypto.randomUUID()}`;
}

export const requestId: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = requestIdFrom(c.req.header("x-openstack-request-id"));
  c.set("requestId", id);
  await next();
  c.res.headers.set("x-openstack-request-id", id);
  // Responses are per-caller: never let a shared cache keep them (OSSA-2013-027), never sniff JSON as HTML.
  // The console's files are the same for everyone and set their own caching (routes/console.ts).
  if (!c.req.path.startsWith("/console/")) c.res.headers.set("Cache-Control", "private, no-store");
  c.res.headers.set("X-Content-Type-Options", "nosniff");
};
