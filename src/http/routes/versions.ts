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

/** Glance 25 with several stores and no cache (golden 01 of its multi-store recording), in its order. */
const MULTI_STORE_VERSIONS: [string, string][] = [
  ["v2.15", "CURRENT"],
  ...[
    "v2.13",
    "v2.12",
    "v2.11",
    "v2.10",
    "v2.9",
    "v2.8",
    "v2.7",
    "v2.6",
    "v2.5",
    "v2.4",
    "v2.3",
    "v2.2",
    "v2.1",
    "v2.0",
  ].map((id): [string, string] => [id, "SUPPORTED"]),
];

/** Path prefixes Glance rewrites to /v2 (version_negotiation.py, single store, no cache). */
export const VERSION_ALIASES = /^\/v2\.(?:[0-7]|9|12|15)(?=\/|$)/;
/** The same with several stores: 2.8, 2.10, 2.11 and 2.13 too. */
export const MULTI_STORE_VERSION_ALIASES = /^\/v2\.(?:[0-9]|1[0-35])(?=\/|$)/;

export function versionsResponse(c: Context<AppEnv>, status: 200 | 300): Response {
  const href = `${publicBase(c)}/v2/`;
  // No config when it is invalid (app.ts still serves the version document then): the single-store list.
  const multi = (c.var.config as AppEnv["Variables"]["config"] | undefined)?.stores.catalog.multi ?? false;
  const list = multi ? MULTI_STORE_VERSIONS : VERSIONS;
  const versions = list.map(([id, st]) => ({ id, status: st, links: [{ rel: "self", href }] }));
  return c.json({ versions }, status);
}
