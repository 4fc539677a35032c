#!/usr/bin/env bash
# Runs the project's wrangler with telemetry, update checks and the cf.json fetch turned off (no internet here).
set -euo pipefail
export WRANGLER_SEND_METRICS=false WRANGLER_SEND_ERROR_REPORTS=false WRANGLER_HIDE_BANNER=true CLOUDFLARE_CF_FETCH_ENABLED=false
cd "$(dirname "$0")/.."
exec npx --no-install wrangler "$@"
