#!/usr/bin/env bash
# Raw-socket suite against a running service ($OS_IMAGE_URL, $OS_AUTH_TOKEN): cut-off bodies never make an
# image active or a stage complete, early answers reach a client that is still sending and the connection
# is closed, a DELETE with a body gets Glance's 400. The service must run with BENCH_ROUTES=1 and a
# USER_STORAGE_QUOTA under 100 GB (scripts/e2e.sh starts it so). An optional argument filters checks by name
# (a regular expression). Ends with "N passed, N failed".
set -uo pipefail
exec node "$(dirname "$0")/truncation.mjs" "$@"
