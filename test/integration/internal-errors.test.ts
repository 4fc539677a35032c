// Unexpected failures (here: the images table is gone) answer WebOb's generic 500, never storage details.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { call } from "../helpers/api";

describe("storage failure", () => {
  beforeAll(async () => {
    // Storage is isolated per test file, so breaking it here affects no other file.
    await env.DB.exec("DROP TABLE images");
  });

  it.each([
    ["GET", "/v2/images/00000000-0000-0000-0000-000000000000", undefined],
    ["POST", "/v2/images", '{"name": "x"}'],
    ["DELETE", "/v2/images/00000000-0000-0000-0000-000000000000", undefined],
    ["PUT", "/v2/images/00000000-0000-0000-0000-000000000000/tags/t", undefined],
  ])("%s %s -> 500 with the generic body", async (method, path, body) => {
    const res = await call(method, path, {
      body,
      headers: { Accept: "application/json", "Content-Type": "application/json" },
    });
    expect(res.status).toBe(500);
    expect(res.headers.get("x-openstack-request-id")).toMatch(/^req-/);
    expect(await res.text()).toBe(
      '{"message": "The server has either erred or is incapable of performing the requested operation.<br /><br />\\n\\n\\n", "code": "500 Internal Server Error", "title": "Internal Server Error"}',
    );
  });

  it("the HTML form says nothing more", async () => {
    const res = await call("GET", "/v2/images/00000000-0000-0000-0000-000000000000", { headers: { Accept: "*/*" } });
    const text = await res.text();
    expect(text).toContain("<h1>500 Internal Server Error</h1>");
    expect(text).not.toMatch(/images|SQL|D1|sqlite|no such table/i);
  });

  it("routes that need no storage still work", async () => {
    expect((await call("GET", "/versions", { as: null })).status).toBe(200);
    expect((await call("GET", "/v2/schemas/image")).status).toBe(200);
  });
});
