#!/usr/bin/env node
import { randomUUID } from "node:crypto";
// A fake Keystone v3 for the client end-to-end suite: password auth with a catalog pointing at the image
// service under test, and token validation for the service (GET /v3/auth/tokens). Test fixture only.
// Usage: node fake-keystone.mjs <port> <image-endpoint-url>
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 5000);
const imageUrl = process.argv[3] ?? "http://127.0.0.1:8787";
const base = `http://127.0.0.1:${port}`;

/** user -> password, project, roles. The glance service user validates tokens for the image service. */
const USERS = {
  admin: { password: "admin-pass", project: "admin-project", roles: ["admin", "member", "reader"] },
  demo: { password: "demo-pass", project: "demo-project", roles: ["member", "reader"] },
  alt: { password: "alt-pass", project: "alt-project", roles: ["member", "reader"] },
  glance: { password: "glance-pass", project: "service", roles: ["service", "admin"] },
};
const tokens = new Map(); // token -> { user, expiresAt }

const catalog = () => [
  {
    id: "image-svc",
    type: "image",
    name: "glance",
    endpoints: ["public", "internal", "admin"].map((iface) => ({
      id: `image-${iface}`,
      interface: iface,
      region: "RegionOne",
      region_id: "RegionOne",
      url: imageUrl,
    })),
  },
  {
    id: "identity-svc",
    type: "identity",
    name: "keystone",
    endpoints: ["public", "internal", "admin"].map((iface) => ({
      id: `identity-${iface}`,
      interface: iface,
      region: "RegionOne",
      region_id: "RegionOne",
      url: `${base}/v3`,
    })),
  },
];

function tokenBody(name, expiresAt, withCatalog) {
  const u = USERS[name];
  const domain = { id: "default", name: "Default" };
  const token = {
    methods: ["password"],
    expires_at: new Date(expiresAt).toISOString().replace(/\.\d+Z$/, ".000000Z"),
    issued_at: new Date().toISOString().replace(/\.\d+Z$/, ".000000Z"),
    user: { id: `${name}-id`, name, domain, password_expires_at: null },
    project: { id: u.project, name: u.project, domain },
    roles: u.roles.map((r) => ({ id: `${r}-role`, name: r })),
    audit_ids: [randomUUID()],
  };
  if (withCatalog) token.catalog = catalog();
  return { token };
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

const version = {
  id: "v3.14",
  status: "stable",
  updated: "2020-04-07T00:00:00Z",
  links: [{ rel: "self", href: `${base}/v3/` }],
  "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
};

createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const path = new URL(req.url, base).pathname.replace(/\/+$/, "");
    if (req.method === "GET" && path === "") return send(res, 300, { versions: { values: [version] } });
    if (req.method === "GET" && path === "/v3") return send(res, 200, { version });
    // Projects, for commands that resolve a project name (openstack image add project IMAGE PROJECT).
    const projects = [...new Set(Object.values(USERS).map((u) => u.project))].map((id) => ({
      id,
      name: id,
      domain_id: "default",
      enabled: true,
      description: "",
      parent_id: "default",
      is_domain: false,
      links: { self: `${base}/v3/projects/${id}` },
    }));
    if (req.method === "GET" && path.startsWith("/v3/projects")) {
      if (!tokens.has(req.headers["x-auth-token"]))
        return send(res, 401, { error: { code: 401, message: "unauthorized", title: "Unauthorized" } });
      const id = decodeURIComponent(path.slice("/v3/projects/".length));
      if (path === "/v3/projects") {
        const name = new URL(req.url, base).searchParams.get("name");
        return send(res, 200, {
          projects: projects.filter((p) => !name || p.name === name),
          links: { self: `${base}/v3/projects`, next: null, previous: null },
        });
      }
      const project = projects.find((p) => p.id === id);
      return project
        ? send(res, 200, { project })
        : send(res, 404, { error: { code: 404, message: `Could not find project: ${id}.`, title: "Not Found" } });
    }
    if (path !== "/v3/auth/tokens")
      return send(res, 404, { error: { code: 404, message: "not found", title: "Not Found" } });
    if (req.method === "POST") {
      let name;
      try {
        const p = JSON.parse(raw).auth.identity.password.user;
        name = p.name;
        if (!USERS[name] || USERS[name].password !== p.password) throw new Error("bad");
      } catch {
        return send(res, 401, {
          error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" },
        });
      }
      const token = randomUUID().replace(/-/g, "");
      const expiresAt = Date.now() + 3600_000;
      tokens.set(token, { name, expiresAt });
      return send(res, 201, tokenBody(name, expiresAt, true), { "X-Subject-Token": token });
    }
    if (req.method === "GET" || req.method === "HEAD") {
      const caller = tokens.get(req.headers["x-auth-token"]);
      if (!caller || caller.expiresAt < Date.now())
        return send(res, 401, { error: { code: 401, message: "unauthorized", title: "Unauthorized" } });
      const subject = tokens.get(req.headers["x-subject-token"]);
      if (!subject || subject.expiresAt < Date.now())
        return send(res, 404, { error: { code: 404, message: "token not found", title: "Not Found" } });
      return send(
        res,
        200,
        tokenBody(
          subject.name,
          subject.expiresAt,
          !("nocatalog" in Object.fromEntries(new URL(req.url, base).searchParams)),
        ),
        { "X-Subject-Token": req.headers["x-subject-token"] },
      );
    }
    send(res, 405, {});
  });
}).listen(port, "127.0.0.1", () => console.log(`fake keystone on ${base}/v3 -> image ${imageUrl}`));
