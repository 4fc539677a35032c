// Every /v2 path Glance routes, with its methods: drives 405 + Allow, 404/501, and body_reject (400).
import type { MiddlewareHandler } from "hono";
import { badRequest, DomainError, notFound } from "../domain/errors";
import type { AppEnv } from "./context";

export interface RouteSpec {
  /** Glance's path template, e.g. /v2/images/{id}/file. */
  path: string;
  pattern: RegExp;
  /** In Glance's order: it is the Allow header's text. */
  methods: string[];
  /** Methods that refuse a request body (Glance's body_reject). */
  noBody?: string[];
}

const SEG = "[^/]+";
const r = (path: string, methods: string[], noBody: string[] = []): RouteSpec => ({
  path,
  pattern: new RegExp(`^${path.replace(/\{\w+\}/g, SEG)}$`),
  methods,
  noBody,
});

export const ROUTES: readonly RouteSpec[] = [
  r("/v2/images", ["GET", "POST"], ["GET"]),
  r("/v2/images/{id}", ["GET", "PATCH", "DELETE"], ["GET", "DELETE"]),
  r("/v2/images/{id}/file", ["GET", "PUT"], ["GET"]),
  r("/v2/images/{id}/stage", ["GET", "PUT"], ["GET"]),
  r("/v2/images/{id}/import", ["POST"]),
  r("/v2/images/{id}/tasks", ["GET"], ["GET"]),
  r("/v2/images/{id}/tags/{tag}", ["PUT", "DELETE"], ["PUT", "DELETE"]),
  r("/v2/images/{id}/actions/deactivate", ["POST"], ["POST"]),
  r("/v2/images/{id}/actions/reactivate", ["POST"], ["POST"]),
  r("/v2/images/{id}/members", ["GET", "POST"], ["GET"]),
  r("/v2/images/{id}/members/{member}", ["GET", "PUT", "DELETE"], ["GET", "DELETE"]),
  r("/v2/schemas/{name}", ["GET"], ["GET"]),
  r("/v2/schemas/metadefs/{name}", ["GET"], ["GET"]),
  r("/v2/info/import", ["GET"], ["GET"]),
  r("/v2/info/stores", ["GET"], ["GET"]),
  r("/v2/info/stores/detail", ["GET"], ["GET"]),
  r("/v2/info/usage", ["GET"], ["GET"]),
  r("/v2/stores/{store}/{id}", ["DELETE"], ["DELETE"]),
  // The metadata definitions catalog, with Glance's body_reject flags route by route (glance/api/v2/router.py).
  r("/v2/metadefs/resource_types", ["GET"], ["GET"]),
  r("/v2/metadefs/namespaces", ["GET", "POST"]),
  r("/v2/metadefs/namespaces/{ns}", ["GET", "PUT", "DELETE"], ["GET", "DELETE"]),
  r("/v2/metadefs/namespaces/{ns}/resource_types", ["GET", "POST"], ["GET"]),
  r("/v2/metadefs/namespaces/{ns}/resource_types/{rt}", ["DELETE"], ["DELETE"]),
  r("/v2/metadefs/namespaces/{ns}/properties", ["GET", "POST", "DELETE"], ["GET"]),
  r("/v2/metadefs/namespaces/{ns}/properties/{name}", ["GET", "PUT", "DELETE"]),
  r("/v2/metadefs/namespaces/{ns}/objects", ["GET", "POST", "DELETE"]),
  r("/v2/metadefs/namespaces/{ns}/objects/{name}", ["GET", "PUT", "DELETE"], ["GET", "DELETE"]),
  r("/v2/metadefs/namespaces/{ns}/tags", ["GET", "POST", "DELETE"]),
  r("/v2/metadefs/namespaces/{ns}/tags/{name}", ["GET", "POST", "PUT", "DELETE"], ["GET", "POST", "DELETE"]),
  r("/v2/tasks", ["GET"], ["GET"]),
  // DELETE is routed so it gets Glance's explanation (always 405, Allow: GET) rather than the generic 405.
  r("/v2/tasks/{id}", ["GET", "DELETE"], ["GET"]),
];

const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"]);

function hasBody(req: Request): boolean {
  const len = req.headers.get("content-length");
  if (len !== null && Number(len) > 0) return true;
  return ["POST", "PUT", "PATCH"].includes(req.method) && req.headers.get("transfer-encoding") !== null;
}

/**
 * Runs before Hono's router (which would answer HEAD as GET): unknown path -> 404 (501 for an unknown
 * method), known path with another method -> 405 + Allow, body on a body_reject route -> 400.
 */
export const routeGuard: MiddlewareHandler<AppEnv> = async (c, next) => {
  const path = new URL(c.req.url).pathname;
  const method = c.req.method;
  const spec = ROUTES.find((s) => s.pattern.test(path));
  if (!spec) {
    if (!KNOWN_METHODS.has(method)) throw new DomainError("not_implemented", undefined);
    throw notFound();
  }
  if (!spec.methods.includes(method)) {
    throw new DomainError("method_not_allowed", `The method ${method} is not allowed for this resource. `, {
      headers: { Allow: spec.methods.join(", ") },
    });
  }
  if (spec.noBody?.includes(method) && hasBody(c.req.raw))
    throw badRequest("A body is not expected with this request.");
  await next();
};
