// The hand-kept route table (404/405/Allow/body rules) and the Hono routes must describe the same API.
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { ROUTES } from "../../src/http/route-table";

/** Hono's registered handlers under /v2 as "METHOD /v2/images/{}/file" (parameter names erased). */
const registered = new Set(
  app.routes
    .filter((r) => r.path.startsWith("/v2/") && r.method !== "ALL")
    .map((r) => `${r.method} ${r.path.replace(/\/$/, "").replace(/:\w+/g, "{}")}`),
);
const tabled = new Set(ROUTES.flatMap((s) => s.methods.map((m) => `${m} ${s.path.replace(/\{\w+\}/g, "{}")}`)));

describe("route table", () => {
  it("lists every method of every registered /v2 route", () => {
    expect([...registered].filter((r) => !tabled.has(r))).toEqual([]);
  });

  it("has a handler for every method it allows", () => {
    expect([...tabled].filter((r) => !registered.has(r))).toEqual([]);
  });
});
