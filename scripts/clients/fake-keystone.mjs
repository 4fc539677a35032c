#!/usr/bin/env node
// A fake Keystone v3 for the client end-to-end suites and tempest: password auth with a catalog pointing at the
// image service under test, token validation for the service (GET /v3/auth/tokens), project lookups. Test fixture.
// Usage: node fake-keystone.mjs <port> <image-endpoint-url> [--users FILE] [--service TYPE=URL]... [--region NAME]
//        [--endpoint REGION:TYPE=URL]...
//   --users FILE        JSON {name: {password, project, roles}} added to the built-in users (tempest's accounts)
//   --service TYPE=URL  one more catalog service (e.g. image_remote=http://…, tempest's alternate image endpoint)
//   --region NAME       the region of every endpoint (default RegionOne)
//   --endpoint REGION:TYPE=URL  the service TYPE also in REGION, at URL (glance-download's other region)
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const [portArg, imageArg, ...rest] = process.argv.slice(2);
const port = Number(portArg ?? 5000);
const imageUrl = imageArg ?? "http://127.0.0.1:8787";
const base = `http://127.0.0.1:${port}`;

/** user -> password, project, roles. The glance service user validates tokens for the image service. */
const USERS = {
  admin: { password: "admin-pass", project: "admin-project", roles: ["admin", "member", "reader"] },
  demo: { password: "demo-pass", project: "demo-project", roles: ["member", "reader"] },
  alt: { password: "alt-pass", project: "alt-project", roles: ["member", "reader"] },
  glance: { password: "glance-pass", project: "service", roles: ["service", "admin"] },
};
const services = { image: imageUrl };
/** type -> [{ region, url }]: the same service in further regions (--endpoint). */
const extra = {};
let region = "RegionOne";
for (let i = 0; i < rest.length; i += 2) {
  const [flag, value] = [rest[i], rest[i + 1]];
  if (value === undefined) throw new Error(`${flag} needs a value`);
  if (flag === "--users") Object.assign(USERS, JSON.parse(readFileSync(value, "utf8")));
  else if (flag === "--service") {
    const eq = value.indexOf("=");
    if (eq < 1) throw new Error(`--service wants TYPE=URL, got ${value}`);
    services[value.slice(0, eq)] = value.slice(eq + 1);
  } else if (flag === "--region") region = value;
  else if (flag === "--endpoint") {
    const m = /^([^:]+):([^=]+)=(.+)$/.exec(value);
    if (!m) throw new Error(`--endpoint wants REGION:TYPE=URL, got ${value}`);
    extra[m[2]] = [...(extra[m[2]] ?? []), { region: m[1], url: m[3] }];
  } else throw new Error(`unknown option ${flag}`);
}
services.identity = `${base}/v3`;

const tokens = new Map(); // token -> { name, expiresAt }

const catalog = () =>
  Object.entries(services).map(([type, url]) => ({
    id: `${type}-svc`,
    type,
    name: type === "identity" ? "keystone" : type === "image" ? "glance" : type,
    endpoints: [{ region, url }, ...(extra[type] ?? [])].flatMap((at) =>
      ["public", "internal", "admin"].map((iface) => ({
        id: at.region === region ? `${type}-${iface}` : `${type}-${at.region}-${iface}`,
        interface: iface,
        region: at.region,
        region_id: at.region,
        url: at.url,
      })),
    ),
  }));

const keystoneTime = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, ".000000Z");

function tokenBody(name, expiresAt, withCatalog) {
  const u = USERS[name];
  const domain = { id: "default", name: "Default" };
  const token = {
    methods: ["password"],
    expires_at: keystoneTime(expiresAt),
    issued_at: keystoneTime(Date.now()),
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
const error = (res, code, title, message) => send(res, code, { error: { code, message, title } });
const unauthorized = (res) => error(res, 401, "Unauthorized", "The request you have made requires authentication.");

const version = {
  id: "v3.14",
  status: "stable",
  updated: "2020-04-07T00:00:00Z",
  links: [{ rel: "self", href: `${base}/v3/` }],
  "media-types": [{ base: "application/json", type: "application/vnd.openstack.identity-v3+json" }],
};

/** The caller of an admin-ish read (projects): a live token, or null. */
function caller(req) {
  const t = tokens.get(req.headers["x-auth-token"]);
  return t && t.expiresAt >= Date.now() ? t : null;
}

function projects(req, res, path, url) {
  if (!caller(req)) return unauthorized(res);
  const all = [...new Set(Object.values(USERS).map((u) => u.project))].map((id) => ({
    id,
    name: id,
    domain_id: "default",
    enabled: true,
    description: "",
    parent_id: "default",
    is_domain: false,
    links: { self: `${base}/v3/projects/${id}` },
  }));
  if (path === "/v3/projects") {
    const name = url.searchParams.get("name");
    const list = all.filter((p) => !name || p.name === name);
    return send(res, 200, { projects: list, links: { self: `${base}/v3/projects`, next: null, previous: null } });
  }
  const id = decodeURIComponent(path.slice("/v3/projects/".length));
  const project = all.find((p) => p.id === id);
  return project ? send(res, 200, { project }) : error(res, 404, "Not Found", `Could not find project: ${id}.`);
}

function issue(res, raw) {
  let name;
  try {
    const p = JSON.parse(raw).auth.identity.password.user;
    name = p.name;
    if (!Object.hasOwn(USERS, name) || USERS[name].password !== p.password) throw new Error("bad");
  } catch {
    return unauthorized(res);
  }
  const token = randomUUID().replace(/-/g, "");
  const expiresAt = Date.now() + 3600_000;
  tokens.set(token, { name, expiresAt });
  return send(res, 201, tokenBody(name, expiresAt, true), { "X-Subject-Token": token });
}

function validate(req, res, url) {
  if (!caller(req)) return unauthorized(res);
  const subject = tokens.get(req.headers["x-subject-token"]);
  if (!subject || subject.expiresAt < Date.now()) return error(res, 404, "Not Found", "token not found");
  const body = tokenBody(subject.name, subject.expiresAt, !url.searchParams.has("nocatalog"));
  return send(res, 200, body, { "X-Subject-Token": req.headers["x-subject-token"] });
}

createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const url = new URL(req.url, base);
    const path = url.pathname.replace(/\/+$/, "");
    if (req.method === "GET" && path === "") return send(res, 300, { versions: { values: [version] } });
    if (req.method === "GET" && path === "/v3") return send(res, 200, { version });
    // Projects, for commands that resolve a project name (openstack image add project IMAGE PROJECT).
    if (req.method === "GET" && (path === "/v3/projects" || path.startsWith("/v3/projects/"))) {
      return projects(req, res, path, url);
    }
    if (path !== "/v3/auth/tokens") return error(res, 404, "Not Found", "not found");
    if (req.method === "POST") return issue(res, raw);
    if (req.method === "GET" || req.method === "HEAD") return validate(req, res, url);
    send(res, 405, {});
  });
}).listen(port, "127.0.0.1", () => {
  console.log(`fake keystone on ${base}/v3 (region ${region}) -> ${JSON.stringify({ ...services, extra })}`);
});
