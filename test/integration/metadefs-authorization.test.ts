// Who may do what in the metadefs catalog: five callers × three namespaces × every route (Glance's secure RBAC).
import { beforeAll, describe, expect, it } from "vitest";
import { call, type Who } from "../helpers/api";

const NS = "/v2/metadefs/namespaces";
type Caller = Who | "norole";
const CALLERS: Caller[] = ["admin", "demo", "demoReader", "alt", "norole"];
const PROJECT: Record<Caller, string> = {
  admin: "admin-project",
  demo: "demo-project",
  demoReader: "demo-project",
  alt: "alt-project",
  norole: "demo-project",
};

/** public, private to demo-project, private to alt-project; each holds one of everything. */
const NAMESPACES = [
  { name: "authz-public", visibility: "public", owner: "admin-project" },
  { name: "authz-demo", visibility: "private", owner: "demo-project" },
  { name: "authz-alt", visibility: "private", owner: "alt-project" },
];

function send(who: Caller, method: string, path: string, json?: unknown) {
  const headers = { Accept: "application/json", ...(who === "norole" ? { "X-Auth-Token": "norole-token" } : {}) };
  return call(method, path, { as: who === "norole" ? null : who, headers, json });
}

beforeAll(async () => {
  for (const ns of NAMESPACES) {
    const res = await send("admin", "POST", NS, {
      namespace: ns.name,
      visibility: ns.visibility,
      owner: ns.owner,
      resource_type_associations: [{ name: "OS::Glance::Image", prefix: "x_" }],
      properties: { p: { title: "P", type: "string" } },
      objects: [{ name: "o" }],
      tags: [{ name: "t" }],
    });
    expect(res.status).toBe(201);
  }
});

/** Glance's database scoping: admins see every namespace, others public ones and their project's. */
const sees = (who: Caller, ns: (typeof NAMESPACES)[number]) =>
  who === "admin" || ns.visibility === "public" || ns.owner === PROJECT[who];

const READS = (n: string) => [
  `${NS}/${n}`,
  `${NS}/${n}/objects`,
  `${NS}/${n}/objects/o`,
  `${NS}/${n}/properties`,
  `${NS}/${n}/properties/p`,
  `${NS}/${n}/properties/x_p?resource_type=OS::Glance::Image`,
  `${NS}/${n}/tags`,
  `${NS}/${n}/tags/t`,
  `${NS}/${n}/resource_types`,
];

/** Writes that would succeed for an admin; each names the policy rule Glance reports when refusing. */
const WRITES = (n: string): [string, string, unknown, string][] => [
  ["PUT", `${NS}/${n}`, { namespace: n }, "modify_metadef_namespace"],
  ["DELETE", `${NS}/${n}`, undefined, "delete_metadef_namespace"],
  ["DELETE", `${NS}/${n}/objects`, undefined, "delete_metadef_namespace"],
  ["DELETE", `${NS}/${n}/properties`, undefined, "delete_metadef_namespace"],
  ["DELETE", `${NS}/${n}/tags`, undefined, "delete_metadef_namespace"],
  ["POST", `${NS}/${n}/objects`, { name: "new" }, "add_metadef_object"],
  ["PUT", `${NS}/${n}/objects/o`, { name: "o" }, "modify_metadef_object"],
  ["DELETE", `${NS}/${n}/objects/o`, undefined, "delete_metadef_object"],
  ["POST", `${NS}/${n}/properties`, { name: "new", title: "N", type: "string" }, "add_metadef_property"],
  ["PUT", `${NS}/${n}/properties/p`, { name: "p", title: "P", type: "string" }, "modify_metadef_property"],
  ["DELETE", `${NS}/${n}/properties/p`, undefined, "remove_metadef_property"],
  ["POST", `${NS}/${n}/tags/new`, undefined, "add_metadef_tag"],
  ["POST", `${NS}/${n}/tags`, { tags: [{ name: "new" }] }, "add_metadef_tags"],
  ["PUT", `${NS}/${n}/tags/t`, { name: "t" }, "modify_metadef_tag"],
  ["DELETE", `${NS}/${n}/tags/t`, undefined, "delete_metadef_tag"],
  ["POST", `${NS}/${n}/resource_types`, { name: "OS::Nova::Flavor" }, "add_metadef_resource_type_association"],
  ["DELETE", `${NS}/${n}/resource_types/OS::Glance::Image`, undefined, "remove_metadef_resource_type_association"],
];

describe("metadefs authorization", () => {
  for (const ns of NAMESPACES) {
    for (const who of CALLERS) {
      it(`${who} reading ${ns.name}: ${who !== "norole" && sees(who, ns) ? 200 : 404}`, async () => {
        const want = who !== "norole" && sees(who, ns) ? 200 : 404;
        for (const path of READS(ns.name)) expect((await send(who, "GET", path)).status, path).toBe(want);
      });
      if (who === "admin") continue;
      it(`${who} writing ${ns.name}: ${who !== "norole" && sees(who, ns) ? "403 naming the rule" : "404"}`, async () => {
        for (const [method, path, body, rule] of WRITES(ns.name)) {
          const res = await send(who, method, path, body);
          const text = ((await res.json()) as { message: string }).message;
          if (who === "norole" || !sees(who, ns)) {
            expect(res.status, `${method} ${path}`).toBe(404);
          } else {
            expect(res.status, `${method} ${path}`).toBe(403);
            expect(text).toContain(`You are not authorized to complete ${rule} action.`);
          }
        }
      });
    }
  }

  it("lists: each caller sees the namespaces it may read, the role-less caller none (404)", async () => {
    for (const who of CALLERS) {
      const res = await send(who, "GET", NS);
      if (who === "norole") {
        expect(res.status).toBe(404);
        continue;
      }
      const names = ((await res.json()) as { namespaces: { namespace: string }[] }).namespaces
        .map((n) => n.namespace)
        .sort();
      expect(names, who).toEqual(
        NAMESPACES.filter((ns) => sees(who, ns))
          .map((ns) => ns.name)
          .sort(),
      );
    }
    expect((await send("norole", "GET", "/v2/metadefs/resource_types")).status).toBe(404);
    expect((await send("demoReader", "GET", "/v2/metadefs/resource_types")).status).toBe(200);
  });

  it("only admins create namespaces: members and readers get 403, the role-less caller 404", async () => {
    expect((await send("demo", "POST", NS, { namespace: "authz-new" })).status).toBe(403);
    expect((await send("demoReader", "POST", NS, { namespace: "authz-new" })).status).toBe(403);
    expect((await send("norole", "POST", NS, { namespace: "authz-new" })).status).toBe(404);
    expect((await send("admin", "GET", `${NS}/authz-new`)).status).toBe(404);
  });

  it("an admin's writes go through (every route answers 2xx)", async () => {
    for (const [method, path, body] of WRITES("authz-alt").filter(
      ([m, p]) => !(m === "DELETE" && p === `${NS}/authz-alt`),
    )) {
      const res = await send("admin", method, path, body);
      expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
      if (path.endsWith("/objects") && method === "DELETE")
        await send("admin", "POST", `${NS}/authz-alt/objects`, { name: "o" });
      if (path.endsWith("/properties") && method === "DELETE")
        await send("admin", "POST", `${NS}/authz-alt/properties`, { name: "p", title: "P", type: "string" });
      // The bulk POST replaces the tags too.
      if (path.endsWith("/tags")) await send("admin", "POST", `${NS}/authz-alt/tags/t`);
    }
    expect((await send("admin", "DELETE", `${NS}/authz-alt`)).status).toBe(204);
  });
});
