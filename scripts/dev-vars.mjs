#!/usr/bin/env node
// `npm run dev` helper: composes the local secrets file that scripts/dev.sh hands to wrangler dev
// (--env-file), and prints how to reach the service.
//   node scripts/dev-vars.mjs PORT OUT_FILE [wrangler dev args...]
// OUT_FILE gets, in this order (a later line wins): AUTH_TOKENS from dev-tokens.json, every line of the user's
// .dev.vars (read, never rewritten: KEYSTONE_SERVICE_PASSWORD=... stays where the user put it), and the settings
// of FROM_ENV that are set in the environment, so that no secret has to go on the command line. Prints the auth
// mode, and the static tokens only in static mode (in Keystone mode the service refuses them).
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const [port, out, ...args] = process.argv.slice(2);
const FROM_ENV = [
  "AUTH_MODE",
  "AUTH_TOKENS",
  "KEYSTONE_URL",
  "KEYSTONE_SERVICE_USER",
  "KEYSTONE_SERVICE_PASSWORD",
  "KEYSTONE_SERVICE_PROJECT",
  "KEYSTONE_USER_DOMAIN",
  "KEYSTONE_PROJECT_DOMAIN",
  "TOKEN_CACHE_TTL",
];

const nameOf = (line) => /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1] ?? null;
/** The value of a simple `NAME=value`, `NAME="value"` or `NAME='value'` line (enough for the banner). */
function lineValue(line) {
  const v = line.slice(line.indexOf("=") + 1).trim();
  if (/^".*"$/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {}
  }
  return /^".*"$|^'.*'$/.test(v) ? v.slice(1, -1) : v;
}
// dotenv keeps a single-quoted value as it is; plain values stay unquoted.
const quote = (v) => (/^[^\s'"#]*$/.test(v) ? v : v.includes("'") ? JSON.stringify(v) : `'${v}'`);

const devTokens = readFileSync("dev-tokens.json", "utf8");
// DEV_VARS points elsewhere (the e2e suites use an empty file, so that a developer's .dev.vars cannot change them).
const userFile = process.env.DEV_VARS || ".dev.vars";
const own = existsSync(userFile) ? readFileSync(userFile, "utf8").split("\n") : [];
const lines = [`AUTH_TOKENS=${JSON.stringify(JSON.parse(devTokens))}`, ...own];
for (const name of FROM_ENV) {
  const v = process.env[name];
  if (v !== undefined && v !== "") lines.push(`${name}=${quote(v)}`);
}
writeFileSync(out, `${lines.join("\n")}\n`, { mode: 0o600 });

/** What wrangler dev will use: a --var on the command line wins over the secrets file, which wins over wrangler.toml. */
function effective(name) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] === "--var" ? (args[i + 1] ?? "") : args[i].startsWith("--var=") ? args[i].slice(6) : null;
    if (a?.startsWith(`${name}:`)) return a.slice(name.length + 1);
  }
  const line = lines.findLast((l) => nameOf(l) === name);
  return line === undefined ? undefined : lineValue(line);
}

const mode = effective("AUTH_MODE") || "static";
const base = `http://127.0.0.1:${port}`;
if (mode === "keystone") {
  const url = effective("KEYSTONE_URL");
  console.log(`Auth mode: keystone (${url ? `KEYSTONE_URL ${url}` : "KEYSTONE_URL is not set: /v2 will answer 503"}).`);
  console.log(
    "Clients get their tokens from Keystone; the static dev tokens are refused in this mode (README, Keystone mode).",
  );
} else {
  let tokens = null;
  try {
    tokens = JSON.parse(effective("AUTH_TOKENS") ?? "{}");
  } catch {}
  if (!tokens || typeof tokens !== "object") {
    console.log(`Auth mode: ${mode}. AUTH_TOKENS is not a JSON object: /v2 will answer 503.`);
  } else {
    console.log(`Auth mode: ${mode}. Tokens (X-Auth-Token):`);
    for (const [tok, v] of Object.entries(tokens))
      console.log(
        `  ${tok.padEnd(18)} user ${String(v?.user_id).padEnd(12)} project ${String(v?.project_id).padEnd(14)} roles ${(v?.roles ?? []).join(",")}`,
      );
    if ("demo-token" in tokens) console.log(`Try: export OS_IMAGE_URL=${base} OS_AUTH_TOKEN=demo-token`);
  }
}
