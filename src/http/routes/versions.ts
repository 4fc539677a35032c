// GET / (300) and GET /versions (200): the version document clients probe before anything else.
import type { Context } from "hono";
import { type AppEnv, publicBase } from "../context";

/**
 * Glance 25 with one store and no cache advertises these (v2.15 current), plus v2.12 because
 * GET /v2/images/{id}/tasks works here (glanceclient and tempest key the tasks call on it); Glance's order.
 */
const VERSIONS: [string, string][] = [
  ["v2.15", "CURRENT"],
  ["v2.12", "SUPPORTED"],
  ["v2.9", "SUPPORTED"],
  ["v2.7", "SUPPORTED"],
  ["v2.6", "SUPPORTED"],
  ["v2.5", "SUPPORTED"],
  ["v2.4", "SUPPORTED"],
  ["v2.3", "SUPPORTED"],
  ["v2.2", "SUPPORTED"],
  ["v2.1", "SUPPORTED"],
  ["v2.0", "SUPPORTED"],
];

/** Path prefixes Glance rewrites to /v2 (version_negotiation.py, single store, no cache). */
export const VERSION_ALIASES = /^\/v2\.(?:[0-7]|9|12|15)(?=\/|$)/;

export function versionsResponse(c: Context<AppEnv>, status: 200 | 300): Response {
  const href = `${publicBase(c)}/v2/`;
  const versions = VERSIONS.map(([id, st]) => ({ id, status: st, links: [{ rel: "self", href }] }));
  return c.json({ versions }, status);
}
