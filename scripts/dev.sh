#!/usr/bin/env bash
# `npm run dev`: local D1 + R2 with migrations applied, the auth mode printed (with the dev tokens in static
# mode), then `wrangler dev` on 127.0.0.1.
# PORT (default 8787) and PERSIST_DIR (default .wrangler/state) can be overridden; extra args go to wrangler dev.
# STORES=fast,slow starts with several local stores (one R2 bucket each, the first the default; README "Several
# stores"): a generated config (.wrangler-stores-PORT.toml, next to wrangler.toml) adds the buckets and the STORES var.
# AUTH_MODE and the KEYSTONE_* settings may come from the environment (see README, Keystone mode).
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8787}"
persist="${PERSIST_DIR:-.wrangler/state}"

# The web console's files (console/dist, served as static assets). After editing console/src, run
# `npm run console:build`: wrangler dev serves the new files right away.
node scripts/console-build.mjs --quiet

config=()
if [[ -n "${STORES:-}" ]]; then
  config=(--config "$(node scripts/stores-config.mjs ".wrangler-stores-$port.toml" "$STORES")")
  echo "Stores: $STORES (default ${STORES%%,*})"
fi

CI=true bash scripts/wrangler.sh d1 migrations apply DB --local --persist-to "$persist" "${config[@]}" >/dev/null

# Local secrets for wrangler dev: the dev tokens, then the user's .dev.vars (read, never rewritten), then AUTH_MODE
# and KEYSTONE_* settings from the environment, in a file of this state folder (scripts/dev-vars.mjs).
echo "Glance v2 on http://127.0.0.1:$port (local D1 + R2 in $persist)"
secrets="$persist/dev-vars.env"
node scripts/dev-vars.mjs "$port" "$secrets" "$@"
exec bash scripts/wrangler.sh dev "${config[@]}" --ip 127.0.0.1 --port "$port" --persist-to "$persist" --env-file "$secrets" "$@"
