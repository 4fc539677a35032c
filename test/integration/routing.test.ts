// Version documents, schemas, authentication, request ids and the route guard (404/405/501, body_reject), plus a small fuzz.
import { describe, expect, it } from "vitest";
import { BASE, call, createImage } from "../helpers/api";
import goldenImageSchema from "./fixtures/golden-46-schema-image.json";

const REQ_ID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HTML = { Accept: "*/*" };
const JSON_ACCEPT = { Accept: "application/json" };

describe("versions", () => {
  const check = async (res: Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const doc = (await res.json()) as {
      versions: { id: string; status: string; links: { rel: string; href: string }[] }[];
    };
    expect(doc.versions.length).toBeGreaterThan(0);
    // golden 01: every entry is {id, status, links: [{rel: self, href: <base>/v2/}]}.
    for (const v of doc.versions) {
      expect(Object.keys(v).sort()).toEqual(["id", "links", "status"]);
      expect(v.id).toMatch(/^v2\.\d+$/);
      expect(["CURRENT", "SUPPORTED"]).toContain(v.status);
      expect(v.links).toEqual([{ rel: "self", href: `${BASE}/v2/` }]);
    }
    expect(doc.versions.filter((v) => v.status === "CURRENT")).toHaveLength(1);
    expect(doc.versions.map((v) => v.id)).toContain("v2.0");
    return doc;
  };

  it("GET / -> 300 and /versions -> 200 without a token, same body", async () => {
    const a = await check(await call("GET", "/", { as: null }), 300);
    const b = await check(await call("GET", "/versions", { as: null }), 200);
    expect(a).toEqual(b);
  });

  it("a bad token does not matter for version discovery", async () => {
    await check(await call("GET", "/", { headers: { "X-Auth-Token": "nope" }, as: null }), 300);
  });

  it.each(["/v1/images", "/v3", "/foo", "/v2.99/images", "/images"])(
    "unknown first segment %s -> 300",
    async (path) => {
      await check(await call("GET", path, { as: null }), 300);
    },
  );

  it("/v2.1/images and /v2.0/images/{id} are aliases of /v2", async () => {
    const img = await createImage({ name: "alias" });
    expect((await call("GET", "/v2.1/images")).status).toBe(200);
    const res = await call("GET", `/v2.0/images/${img.id}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(img.id);
    expect((await call("GET", `/v2.15/images/${img.id}`)).status).toBe(200);
  });
});

describe("schemas", () => {
  it("the image schema equals golden 46 without the multi-store `stores` property", async () => {
    const res = await call("GET", "/v2/schemas/image");
    expect(res.status).toBe(200);
    // glanceclient 4.1 builds CLI options from the cached schema and also declares --stores itself, so a
    // schema listing `stores` breaks every later `glance` command; we have one store, so we leave it out.
    const { stores, ...rest } = goldenImageSchema.properties;
    expect(stores).toBeDefined();
    expect(await res.json()).toEqual({ ...goldenImageSchema, properties: rest });
  });

  it.each([
    ["image", "image"],
    ["images", "images"],
    ["member", "member"],
    ["members", "members"],
    ["task", "task"],
    ["tasks", "tasks"],
    ["metadefs/namespace", "namespace"],
    ["metadefs/namespaces", "namespaces"],
    ["metadefs/resource_type", "resource_type_association"],
    ["metadefs/resource_types", "resource_type_associations"],
    ["metadefs/object", "object"],
    ["metadefs/objects", "objects"],
    ["metadefs/property", "property"],
    ["metadefs/properties", "properties"],
    ["metadefs/tag", "tag"],
    ["metadefs/tags", "tags"],
  ])("/v2/schemas/%s has name %s", async (path, name) => {
    const res = await call("GET", `/v2/schemas/${path}`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { name: string }).name).toBe(name);
  });

  it("the images schema wraps the image schema", async () => {
    const doc = (await (await call("GET", "/v2/schemas/images")).json()) as {
      properties: { images: { items: unknown } };
    };
    expect(doc.properties.images.items).toEqual(await (await call("GET", "/v2/schemas/image")).json());
  });

  it("unknown schema -> 404", async () => {
    expect((await call("GET", "/v2/schemas/nope")).status).toBe(404);
    expect((await call("GET", "/v2/schemas/metadefs/nope")).status).toBe(404);
  });
});

describe("authentication", () => {
  const UNAUTH_JSON =
    '{"message": "This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.<br /><br />\\n\\n\\n", "code": "401 Unauthorized", "title": "Unauthorized"}';

  it.each([
    ["no token", {}],
    ["a bad token", { "X-Auth-Token": "not-a-token" }],
    ["an empty token", { "X-Auth-Token": "" }],
  ])("%s -> 401 with WWW-Authenticate and WebOb's body", async (_, headers) => {
    const res = await call("GET", "/v2/images", { as: null, headers: { ...headers, ...JSON_ACCEPT } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe(`Keystone uri="${BASE}"`);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.text()).toBe(UNAUTH_JSON);
  });

  it("401 comes before routing: unknown paths, wrong methods and bodies are not revealed", async () => {
    const img = await createImage();
    const cases: [string, string, BodyInit | undefined][] = [
      ["GET", "/v2/nothing-here", undefined],
      ["HEAD", "/v2/images", undefined],
      ["POST", `/v2/images/${img.id}`, undefined],
      ["DELETE", `/v2/images/${img.id}`, "body"],
      ["GET", `/v2/images/${img.id}`, undefined],
      ["PATCH", `/v2/images/${img.id}`, "[]"],
      ["PUT", `/v2/images/${img.id}/tags/x`, undefined],
      ["POST", `/v2/images/${img.id}/actions/deactivate`, undefined],
      ["GET", "/v2/schemas/image", undefined],
    ];
    for (const [method, path, body] of cases) {
      const res = await call(method, path, { as: null, body });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect((await call("GET", `/v2/images/${img.id}`)).status).toBe(200);
  });

  it("the 401 HTML body is WebOb's page", async () => {
    const res = await call("GET", "/v2/images", { as: null, headers: HTML });
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    expect(await res.text()).toBe(
      "<html>\n <head>\n  <title>401 Unauthorized</title>\n </head>\n <body>\n  <h1>401 Unauthorized</h1>\n  This server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.<br /><br />\n\n\n\n </body>\n</html>",
    );
  });
});

describe("x-openstack-request-id", () => {
  it("is req-<uuid> on every kind of response", async () => {
    const img = await createImage();
    const responses = [
      await call("GET", "/", { as: null }),
      await call("GET", "/versions", { as: null }),
      await call("GET", "/v2/images", { as: null }),
      await call("GET", "/v2/images"),
      await call("POST", "/v2/images", { json: {} }),
      await call("GET", `/v2/images/${img.id}`),
      await call("GET", "/v2/images/00000000-0000-0000-0000-000000000000"),
      await call("HEAD", "/v2/images"),
      await call("GET", "/v2/nothing"),
      await call("PUT", `/v2/images/${img.id}/tags/t`),
      await call("POST", "/v2/images", { body: "{" }),
    ];
    for (const res of responses) expect(res.headers.get("x-openstack-request-id"), String(res.status)).toMatch(REQ_ID);
    const ids = responses.map((r) => r.headers.get("x-openstack-request-id"));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("adopts a sane inbound id, prefixing req- once and never twice", async () => {
    const id = (inbound: string) =>
      call("GET", "/v2/images", { headers: { "X-OpenStack-Request-ID": inbound } }).then((r) =>
        r.headers.get("x-openstack-request-id"),
      );
    expect(await id("req-0b7c8a8e-1111-2222-3333-444455556666")).toBe("req-0b7c8a8e-1111-2222-3333-444455556666");
    expect(await id("abc-123")).toBe("req-abc-123");
    expect(await id("req-req-x")).toBe("req-req-x");
    const long = await id("x".repeat(65));
    expect(long).toMatch(REQ_ID);
    expect(await id("bad id<script>")).toMatch(REQ_ID);
  });

  it("authenticated responses are private and nosniff", async () => {
    const res = await call("GET", "/v2/images");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});

describe("route guard", () => {
  it("golden 43: HEAD /v2/images -> 405, Allow: GET, POST, empty body", async () => {
    const res = await call("HEAD", "/v2/images");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
    expect(await res.text()).toBe("");
  });

  it("wrong methods on known paths -> 405 with Glance's Allow lists", async () => {
    const img = await createImage();
    const cases: [string, string, string][] = [
      ["POST", `/v2/images/${img.id}`, "GET, PATCH, DELETE"],
      ["HEAD", `/v2/images/${img.id}`, "GET, PATCH, DELETE"],
      ["PUT", `/v2/images/${img.id}`, "GET, PATCH, DELETE"],
      ["PUT", "/v2/images", "GET, POST"],
      ["DELETE", "/v2/images", "GET, POST"],
      ["GET", `/v2/images/${img.id}/tags/x`, "PUT, DELETE"],
      ["GET", `/v2/images/${img.id}/actions/deactivate`, "POST"],
      ["DELETE", `/v2/images/${img.id}/actions/reactivate`, "POST"],
      ["POST", "/v2/schemas/image", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const res = await call(method, path, { headers: JSON_ACCEPT });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow"), `${method} ${path}`).toBe(allow);
      if (method !== "HEAD")
        expect(await res.text()).toBe(
          `{"message": "The method ${method} is not allowed for this resource. <br /><br />\\n", "code": "405 Method Not Allowed", "title": "Method Not Allowed"}`,
        );
    }
  });

  it("unknown /v2 paths -> 404 (501 for an unknown method)", async () => {
    for (const path of [
      "/v2",
      "/v2/",
      "/v2/nothing",
      "/v2/images/",
      "/v2/images/x/y/z",
      "/v2/images/x/tags",
      "/v2/images/x/actions/explode",
    ]) {
      const res = await call("GET", path, { headers: HTML });
      expect(res.status, path).toBe(404);
    }
    expect((await call("DELETE", "/v2/images/")).status).toBe(404);
    expect((await call("PROPFIND", "/v2/nothing")).status).toBe(501);
    expect((await call("PROPFIND", "/v2/images")).status).toBe(405);
  });

  it("a body on GET/DELETE/tag/action routes -> 400 A body is not expected", async () => {
    const img = await createImage();
    const cases: [string, string][] = [
      ["DELETE", `/v2/images/${img.id}`],
      ["PUT", `/v2/images/${img.id}/tags/x`],
      ["DELETE", `/v2/images/${img.id}/tags/x`],
      ["POST", `/v2/images/${img.id}/actions/deactivate`],
      ["POST", `/v2/images/${img.id}/actions/reactivate`],
    ];
    for (const [method, path] of cases) {
      const res = await call(method, path, { body: '{"a": 1}', headers: JSON_ACCEPT });
      expect(res.status, `${method} ${path}`).toBe(400);
      expect((await res.json()) as object).toEqual({
        message: "A body is not expected with this request.<br /><br />\n\n\n",
        code: "400 Bad Request",
        title: "Bad Request",
      });
    }
    // GET cannot carry a body through fetch(); a declared Content-Length is what Glance looks at.
    for (const path of [`/v2/images/${img.id}`, "/v2/images", "/v2/schemas/image"]) {
      const res = await call("GET", path, { headers: { "Content-Length": "5" } });
      expect(res.status, path).toBe(400);
    }
    // Nothing was changed by the refused requests.
    const after = (await (await call("GET", `/v2/images/${img.id}`)).json()) as { tags: string[]; status: string };
    expect(after.tags).toEqual([]);
    expect(after.status).toBe("queued");
  });
});

describe("no 500s, no leaks", () => {
  const ODD_IDS = [
    "x".repeat(10_000),
    encodeURIComponent("ü😀"),
    "a%2Fb",
    "%2F..%2F..%2Fversions",
    "%00",
    "%ZZ",
    "%E0%A4%A",
    "'; DROP TABLE images; --",
    encodeURIComponent("' OR '1'='1"),
    "00000000-0000-0000-0000-00000000000G",
    "..",
    "%20",
  ];

  it.each(ODD_IDS.map((id) => [id.length > 40 ? `${id.slice(0, 20)}…(${id.length})` : id, id]))(
    "odd image id %s -> 404 everywhere",
    async (_, id) => {
      const cases: [string, string, BodyInit | undefined, Record<string, string>][] = [
        ["GET", `/v2/images/${id}`, undefined, {}],
        ["DELETE", `/v2/images/${id}`, undefined, {}],
        ["PATCH", `/v2/images/${id}`, "[]", { "Content-Type": "application/openstack-images-v2.1-json-patch" }],
        ["PUT", `/v2/images/${id}/tags/t`, undefined, {}],
        ["DELETE", `/v2/images/${id}/tags/t`, undefined, {}],
        ["POST", `/v2/images/${id}/actions/deactivate`, undefined, {}],
      ];
      for (const [method, path, body, headers] of cases) {
        const res = await call(method, path, { body, headers: { ...headers, ...JSON_ACCEPT } });
        expect(res.status, `${method} ${path.slice(0, 60)}`).toBe(404);
        const text = await res.text();
        expect(text).not.toMatch(/SQL|D1_|sqlite|stack|\bat \w+ \(|Error:/i);
      }
    },
  );

  it("odd create bodies never 500", async () => {
    const bodies = [
      '{"name": "\\ud800"}',
      '{"name": "\\u0000"}',
      `{"${"k".repeat(300)}": "v"}`,
      '{"tags": [[]]}',
      '{"tags": {"a": 1}}',
      '{"min_ram": 1e400}',
      '{"min_ram": -0}',
      '{"min_disk": 9007199254740993}',
      '{"visibility": ["public"]}',
      '{"owner": {}}',
      '{"__proto__": {"polluted": "yes"}}',
      '{"constructor": {"prototype": {}}}',
      "[".repeat(30_000) + "]".repeat(30_000),
      `{"a": ${"[".repeat(30_000)}${"]".repeat(30_000)}}`,
      `{"tags": ${"[".repeat(30_000)}${"]".repeat(30_000)}}`,
      `{"a": ${'{"b": '.repeat(10_000)}1${"}".repeat(10_000)}}`,
    ];
    for (const body of bodies) {
      const res = await call("POST", "/v2/images", {
        body,
        headers: { "Content-Type": "application/json", ...JSON_ACCEPT },
      });
      expect(res.status, body.slice(0, 40)).toBeLessThan(500);
      expect(await res.text()).not.toMatch(/SQL|D1_|sqlite|stack|\bat \w+ \(/i);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("odd PATCH bodies and tags never 500", async () => {
    const img = await createImage();
    const patches = [
      [{ op: "add", path: `/${"k".repeat(300)}`, value: "v" }],
      [{ op: "add", path: "/\u0000", value: "v" }],
      [{ op: "add", path: "/ü😀", value: "ü😀" }],
      [{ op: "replace", path: "/tags", value: ["a".repeat(255), "ü😀"] }],
      [{ op: "add", path: "/x", value: "v".repeat(60_000) }],
      [{ op: null, path: null }],
      [{ op: "add", path: "/name", value: { nested: [1, 2] } }],
    ];
    for (const p of patches) {
      const res = await call("PATCH", `/v2/images/${img.id}`, {
        body: JSON.stringify(p),
        headers: { "Content-Type": "application/openstack-images-v2.1-json-patch" },
      });
      expect(res.status, JSON.stringify(p).slice(0, 60)).toBeLessThan(500);
    }
    for (const tag of ["%F0%9F%98%80", "a%2Fb", "%25", "%ZZ", "x".repeat(2000)]) {
      const res = await call("PUT", `/v2/images/${img.id}/tags/${tag}`);
      expect(res.status, tag.slice(0, 40)).toBeLessThan(500);
    }
  });
});
