#!/usr/bin/env bash
# `npm run test:e2e`: starts its own `wrangler dev` (fresh local D1/R2 state in a temp dir, migrations applied
# by scripts/dev.sh) on a free port in 8790-8799, waits for GET /versions = 200, runs the seed walkthrough
# (scripts/walkthrough.sh), the raw-socket suite (scripts/clients/truncation.sh: cut-off bodies, early answers)
# and, when the clients are installed, the python-glanceclient suites (scripts/clients/glance-cli.sh;
# scripts/clients/metadefs-cli.sh: the metadefs catalog loaded from Debian's glance-common files, then
# glance md-*; scripts/clients/glance-download.sh: two instances as two Keystone regions), the openstack CLI + openstacksdk suite through a fake Keystone (scripts/clients/openstack-cli.sh),
# tempest's image v2 API tests (scripts/tempest.sh) and, when Chromium is installed, the web console's browser
# suite (scripts/console/browser-suite.mjs); then stops wrangler by process group, also on failure or
# interrupt. The service runs with BENCH_ROUTES=1 (the truncation suite checks R2 through /_bench) and a 100 GB
# USER_STORAGE_QUOTA (its over-quota case); no other suite comes near it.
#
#   E2E_PORT         first port to try (default 8790)
#   E2E_PORT_LAST    last port to try (default 8799)
#   E2E_OPENSTACK_PORT, E2E_KEYSTONE_PORT  the openstack suite's service and fake Keystone (8780, 5080)
#   E2E_KSMODE_PORT, E2E_KSMODE_KEYSTONE_PORT  the keystone-mode suite's service and fake Keystone (8781, 5081)
#   E2E_GD_PORT, E2E_GD_PORT2, E2E_GD_KEYSTONE_PORT, E2E_GD_INSPECTOR_PORT  the glance-download suite's two
#                    instances (two regions), their fake Keystone and first inspector port (8782, 8783, 5083, 9235)
# A developer's own .dev.vars is not read (DEV_VARS points to an empty file), so it cannot change the results.
#   E2E_START_TIMEOUT seconds to wait for the service (default 90)
#   E2E_SUITE_TIMEOUT seconds each suite may take (default 600)
# The service log is kept in .wrangler/e2e-service.log (its tail is printed on failure).
# Ends with one combined "N passed, N failed" line; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

start_timeout="${E2E_START_TIMEOUT:-90}"
suite_timeout="${E2E_SUITE_TIMEOUT:-600}"
mkdir -p .wrangler
log="$root/.wrangler/e2e-service.log"
persist="$(mktemp -d "${TMPDIR:-/tmp}/e2e-state.XXXXXX")"
out="$(mktemp -d "${TMPDIR:-/tmp}/e2e-out.XXXXXX")"
export DEV_VARS="$out/no-dev-vars"
pgid=""

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_service() {
  [[ -n "$pgid" ]] || return 0
  if kill -0 -- "-$pgid" 2>/dev/null; then
    kill -TERM -- "-$pgid" 2>/dev/null
    for _ in $(seq 1 50); do
      kill -0 -- "-$pgid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$pgid" 2>/dev/null
  fi
  pgid=""
}
cleanup() {
  stop_service
  rm -rf "$persist" "$out"
}
trap cleanup EXIT
trap 'echo "e2e: interrupted"; exit 130' INT TERM

port=""
for p in $(seq "${E2E_PORT:-8790}" "${E2E_PORT_LAST:-8799}"); do
  if ! port_busy "$p"; then port="$p"; break; fi
done
if [[ -z "$port" ]]; then
  echo "e2e: no free port in ${E2E_PORT:-8790}-${E2E_PORT_LAST:-8799}"
  echo "0 passed, 1 failed"
  exit 1
fi
url="http://127.0.0.1:$port"

# No job control in a script: the background child is not a group leader, so setsid does not fork and
# $! is the new session's (and process group's) id.
PORT="$port" PERSIST_DIR="$persist" setsid bash scripts/dev.sh --var BENCH_ROUTES:1 --var USER_STORAGE_QUOTA:100GB \
  >"$log" 2>&1 </dev/null &
pgid=$!
echo "e2e: wrangler dev on $url (process group $pgid, state $persist, log $log)"

t0=$SECONDS
ready=""
while (( SECONDS - t0 < start_timeout )); do
  if [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url/versions")" == 200 ]]; then ready=1; break; fi
  if ! kill -0 "$pgid" 2>/dev/null; then break; fi
  sleep 0.3
done
if [[ -z "$ready" ]]; then
  echo "e2e: the service did not answer GET /versions with 200 within ${start_timeout}s; last lines of $log:"
  tail -n 40 "$log" | sed 's/^/  | /'
  echo "0 passed, 1 failed"
  exit 1
fi
echo "e2e: ready after $((SECONDS - t0))s"

total_passed=0
total_failed=0
# run_suite NAME CMD...: runs a suite that ends with "N passed, N failed", adds its counts to the totals.
# Its own closing line is reprinted as "NAME totals: passed N, failed N" so that only the combined line at
# the end reads as a closing line.
run_suite() {
  local name="$1"
  shift
  echo "== $name"
  OS_IMAGE_URL="$url" OS_AUTH_TOKEN=demo-token timeout "$suite_timeout" "$@" >"$out/$name" 2>&1
  local rc=$?
  sed -E "s/^([0-9]+) passed, ([0-9]+) failed$/$name totals: passed \\1, failed \\2/" "$out/$name"
  local summary
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out/$name" | tail -n 1)"
  if [[ -z "$summary" ]]; then
    echo "$name: no summary line (exit $rc)"
    total_failed=$((total_failed + 1))
    return
  fi
  local p f
  p="${summary%% passed*}"
  f="${summary#*, }"
  f="${f%% failed}"
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
  if [[ $rc -ne 0 && $f -eq 0 ]]; then
    echo "$name: exit $rc with no failed step"
    total_failed=$((total_failed + 1))
  fi
}

run_suite walkthrough bash scripts/walkthrough.sh
run_suite upload-cli bash scripts/clients/upload-cli.sh
run_suite truncation bash scripts/clients/truncation.sh
# Starts its own wrangler dev in Keystone mode, with a fake Keystone (ports 8781 and 5081 by default).
run_suite keystone-mode env PORT="${E2E_KSMODE_PORT:-8781}" KS_PORT="${E2E_KSMODE_KEYSTONE_PORT:-5081}" \
  bash scripts/clients/keystone-mode.sh
if command -v glance >/dev/null 2>&1; then
  run_suite glance-cli bash scripts/clients/glance-cli.sh
  # Two instances as two regions of one fake Keystone: glance-download from one into the other.
  run_suite glance-download env GD_PORT="${E2E_GD_PORT:-8782}" GD_PORT2="${E2E_GD_PORT2:-8783}" \
    GD_KS_PORT="${E2E_GD_KEYSTONE_PORT:-5083}" GD_INSPECTOR_PORT="${E2E_GD_INSPECTOR_PORT:-9235}" \
    bash scripts/clients/glance-download.sh
  # Loads Debian's metadef files into this service's state, compares with Glance's answers, runs glance md-*.
  run_suite metadefs-cli env PERSIST_DIR="$persist" bash scripts/clients/metadefs-cli.sh
else
  echo "== glance-cli, glance-download and metadefs-cli skipped: no glance command (apt-get install python3-glanceclient)"
fi
# The openstack CLI and openstacksdk go through Keystone: that suite starts the fake Keystone and its own
# wrangler dev in Keystone mode (ports 8780 and 5080 by default, outside this script's range).
if command -v openstack >/dev/null 2>&1; then
  run_suite openstack-cli env LOG_DIR="$out" PORT="${E2E_OPENSTACK_PORT:-8780}" KS_PORT="${E2E_KEYSTONE_PORT:-5080}" \
    bash scripts/clients/openstack-cli.sh
else
  echo "== openstack-cli skipped: no openstack command (apt-get install python3-openstackclient)"
fi
# Tempest starts its own fake Keystone, http_image server and wrangler dev in Keystone mode (ports 5084 and
# 8840-8849 unless TEMPEST_KS_PORT / TEMPEST_PORT say otherwise).
if command -v tempest >/dev/null 2>&1; then
  run_suite tempest bash scripts/tempest.sh
  # Issue 12 with two stores (tempest finds them through GET /v2/info/stores): the multi-store imports, copy-image,
  # web-download into a named store, and the rest of the import tests beside them.
  run_suite tempest-stores env STORES=fast,slow \
    TEMPEST_REGEX='^tempest\.api\.image\.v2\.(test_images\.(MultiStoresImportImagesTest|ImportImagesTest)|admin\.test_images\.ImportCopyImagesTest|test_images_negative\.ImportImagesNegativeTest)' \
    bash scripts/tempest.sh
else
  echo "== tempest skipped: no tempest command (apt-get install tempest)"
fi

# The web console in headless Chromium (Debian's package, driven by playwright-core); its Keystone checks start
# a fake Keystone and a Keystone-mode wrangler dev of their own (ports 5082 and 8824); failure screenshots
# go to .wrangler/console-e2e.
if [[ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]]; then
  run_suite console-browser env CONSOLE_ARTIFACTS="$root/.wrangler/console-e2e" node scripts/console/browser-suite.mjs
else
  echo "== console-browser skipped: no ${CHROMIUM_PATH:-/usr/bin/chromium} (apt-get install chromium)"
fi

stop_service
if [[ $total_failed -gt 0 ]]; then
  echo "e2e: last lines of the service log ($log):"
  tail -n 60 "$log" | sed 's/^/  | /'
fi
if [[ -n "${CI_STARTED_AT:-}" ]]; then echo "e2e: $(( $(date +%s) - CI_STARTED_AT ))s since .ci/run started"; fi
echo "$total_passed passed, $total_failed failed"
[[ $total_failed -eq 0 ]]
