#!/usr/bin/env node
// A fake Keystone v3 for the console's browser suite: project-scoped password logins and token validation
// for the service, plus GET /_log (what it was asked, without passwords). Test fixture only.
// Usage: node fake-keystone.mjs <port>
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 5082);
const USERS = {
  demo: { password: "demo-pass", project: "demo-project", roles: ["member", "reader"] },
  alt: { password: "alt-pass", project: "alt-project", roles: ["member", "reader"] },
  glance: { password: "glance-pass", project: "service", roles: ["service", "admin"] },
};
const tokens = new Map();
const log = [];

const iso = (ms) => new Date(ms).toISOString().replace(/\.\d+Z$/, ".000000Z");
function tokenBody(name, expiresAt) {
  const u = USERS[name];
  const domain = { id: "default", name: "Default" };
  return {
    token: {
      methods: ["password"],
      expires_at: iso(expiresAt),
      issued_at: iso(Date.now()),
      user: { id: `${name}-id`, name, domain },
      project: { id: u.project, name: u.project, domain },
      roles: u.roles.map((r) => ({ id: `${r}-role`, name: r })),
    },
  };
}
function send(res, status, body, headers = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}
const unauthorized = {
  error: { code: 401, message: "The request you have made requires authentication.", title: "Unauthorized" },
};

createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    const url = new URL(req.url, `http://127.0.0.1:${port}`);
    if (url.pathname === "/_log") return send(res, 200, log);
    const entry = { method: req.method, path: url.pathname };
    log.push(entry);
    if (url.pathname !== "/v3/auth/tokens")
      return send(res, 404, { error: { code: 404, message: "not found", title: "Not Found" } });
    if (req.method === "POST") {
      let name;
      try {
        const auth = JSON.parse(raw).auth;
        const user = auth.identity.password.user;
        name = entry.user = user.name;
        if (!USERS[name] || USERS[name].password !== user.password) throw new Error("bad password");
        if (auth.scope?.project?.name !== USERS[name].project) throw new Error("bad project");
      } catch {
        return send(res, 401, unauthorized);
      }
      const token = randomUUID().replace(/-/g, "");
      const expiresAt = Date.now() + 3600_000;
      tokens.set(token, { name, expiresAt });
      return send(res, 201, tokenBody(name, expiresAt), { "X-Subject-Token": token });
    }
    if (req.method === "GET") {
      if (!tokens.has(req.headers["x-auth-token"])) return send(res, 401, unauthorized);
      const subject = tokens.get(req.headers["x-subject-token"]);
      if (!subject) return send(res, 404, { error: { code: 404, message: "token not found", title: "Not Found" } });
      return send(res, 200, tokenBody(subject.name, subject.expiresAt), {
        "X-Subject-Token": req.headers["x-subject-token"],
      });
    }
    send(res, 405, { error: { code: 405, message: "method not allowed", title: "Method Not Allowed" } });
  });
}).listen(port, "127.0.0.1", () => console.log(`fake keystone on http://127.0.0.1:${port}/v3`));
