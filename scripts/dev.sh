#!/usr/bin/env bash
# `npm run dev`: local D1 + R2 with migrations applied, the dev tokens printed, then `wrangler dev` on 127.0.0.1.
# PORT (default 8787) and PERSIST_DIR (default .wrangler/state) can be overridden; extra args go to wrangler dev.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8787}"
persist="${PERSIST_DIR:-.wrangler/state}"

# wrangler dev reads secrets for local runs from .dev.vars; the dev tokens live in dev-tokens.json.
printf 'AUTH_TOKENS=%s\n' "$(node -e 'process.stdout.write(JSON.stringify(require("./dev-tokens.json")))')" > .dev.vars

# The web console's files (console/dist, served as static assets). After editing console/src, run
# `npm run console:build`: wrangler dev serves the new files right away.
node scripts/console-build.mjs --quiet

CI=true bash scripts/wrangler.sh d1 migrations apply DB --local --persist-to "$persist" >/dev/null

node -e '
const t = require("./dev-tokens.json");
console.log("Glance v2 on http://127.0.0.1:'"$port"' (local D1 + R2 in '"$persist"')");
console.log("Dev tokens (X-Auth-Token):");
for (const [tok, v] of Object.entries(t)) console.log(`  ${tok.padEnd(18)} user ${v.user_id.padEnd(12)} project ${String(v.project_id).padEnd(14)} roles ${v.roles.join(",")}`);
console.log(`Try: export OS_IMAGE_URL=http://127.0.0.1:'"$port"' OS_AUTH_TOKEN=demo-token`);
'
exec bash scripts/wrangler.sh dev --ip 127.0.0.1 --port "$port" --persist-to "$persist" "$@"
