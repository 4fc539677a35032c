#!/usr/bin/env bash
# `npm run test:tempest`: Debian's tempest (33) `tempest.api.image.v2` against `wrangler dev` in Keystone mode.
# Starts the fake Keystone (scripts/clients/fake-keystone.mjs) with pre-provisioned tempest accounts, a static
# HTTP server for web-download's `http_image`, and its own `wrangler dev` (fresh state, AUTH_MODE=keystone);
# writes a tempest workspace (tempest.conf, accounts.yaml) in a temp dir, runs tempest with the exclude list
# scripts/tempest-exclude.txt, prints tempest's per-test lines, then "N skipped" / "N excluded" and a closing
# "N passed, N failed". Stops everything it started (by process id / group), also on failure or interrupt.
#
#   TEMPEST_PORT         first port to try for wrangler dev (default 8840; up to TEMPEST_PORT_LAST, default
#                        8849, are searched); the http_image server takes the next free port in the same range
#   TEMPEST_KS_PORT      fake Keystone port (default 5084)
#   TEMPEST_CONCURRENCY  tempest workers (default 2: the machines have 2 cores); one account set each
#   TEMPEST_REGEX        test selection (default '^tempest\.api\.image\.v2')
#   TEMPEST_EXCLUDE      exclude list (default scripts/tempest-exclude.txt; "none" runs everything)
#   TEMPEST_START_TIMEOUT seconds to wait for the service (default 120)
#   TEMPEST_METADEFS_DIR metadef files loaded before the run (default /usr/share/glance-common/metadefs)
#   TEMPEST_KEEP=1       keeps the work directory (workspace, tempest.log, service log) and prints where it is
#   STORES               passed on to the service start (scripts/dev.sh: several R2 stores, issue 12); tempest 33
#                        has no multi-store options, it discovers the stores through GET /v2/info/stores
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

ks_port="${TEMPEST_KS_PORT:-5084}"
concurrency="${TEMPEST_CONCURRENCY:-2}"
regex="${TEMPEST_REGEX:-^tempest\.api\.image\.v2}"
exclude="${TEMPEST_EXCLUDE:-$root/scripts/tempest-exclude.txt}"
start_timeout="${TEMPEST_START_TIMEOUT:-120}"
metadefs="${TEMPEST_METADEFS_DIR:-/usr/share/glance-common/metadefs}"
work="$(mktemp -d "${TMPDIR:-/tmp}/tempest.XXXXXX")"
ws="$work/workspace"
mkdir -p "$ws/etc" "$ws/lock" "$work/http"
dev_pgid="" ks_pid="" http_pid=""

summary_fail() { # the closing line for a run that never got to tempest's totals
  echo "tempest: $1"
  echo "0 passed, 1 failed"
  exit 1
}
cleanup() {
  if [[ -n "$dev_pgid" ]] && kill -0 -- "-$dev_pgid" 2>/dev/null; then
    kill -TERM -- "-$dev_pgid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 -- "-$dev_pgid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$dev_pgid" 2>/dev/null
  fi
  [[ -n "$ks_pid" ]] && kill -TERM "$ks_pid" 2>/dev/null
  [[ -n "$http_pid" ]] && kill -TERM "$http_pid" 2>/dev/null
  wait 2>/dev/null
  if [[ "${TEMPEST_KEEP:-}" == 1 ]]; then echo "tempest: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "tempest: interrupted"; exit 130' INT TERM

command -v tempest >/dev/null 2>&1 || summary_fail "no tempest command (apt-get install tempest)"
if [[ "$exclude" != none && ! -f "$exclude" ]]; then summary_fail "exclude list $exclude not found"; fi

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_last="${TEMPEST_PORT_LAST:-8849}"
free_port() { # free_port FIRST: the first free port in FIRST..TEMPEST_PORT_LAST
  local p
  for p in $(seq "$1" "$port_last"); do port_busy "$p" || { echo "$p"; return 0; }; done
  return 1
}
port="$(free_port "${TEMPEST_PORT:-8840}")" || summary_fail "no free port in ${TEMPEST_PORT:-8840}-$port_last"
http_port="$(free_port $((port + 1)))" || summary_fail "no free port for the http_image server after $port"
port_busy "$ks_port" && summary_fail "port $ks_port (TEMPEST_KS_PORT) is busy"
url="http://127.0.0.1:$port"
ks_url="http://127.0.0.1:$ks_port/v3"

# Pre-provisioned accounts (see README "Tempest" for why not dynamic credentials): per worker two project
# members (tempest's primary and alt) and one admin, each in a project of its own. One list feeds both the fake
# Keystone (--users) and tempest (accounts.yaml).
node -e '
const [n, usersFile, accountsFile] = [Number(process.argv[1]), process.argv[2], process.argv[3]];
const users = {};
const add = (name, project, roles) => (users[name] = { password: `${name}-pass`, project, roles });
for (let i = 1; i <= 2 * n; i++) add(`tempest-user-${i}`, `tempest-project-${i}`, ["member", "reader"]);
for (let i = 1; i <= n; i++) add(`tempest-admin-${i}`, `tempest-admin-project-${i}`, ["admin", "member", "reader"]);
require("fs").writeFileSync(usersFile, JSON.stringify(users, null, 2));
const account = ([name, u]) =>
  [`- username: ${name}`, `  project_name: ${u.project}`, `  password: ${u.password}`,
   "  user_domain_name: Default", "  project_domain_name: Default",
   u.roles.includes("admin") ? "  types: [admin]" : "  roles: [member]"].join("\n");
require("fs").writeFileSync(accountsFile, Object.entries(users).map(account).join("\n") + "\n");
' "$concurrency" "$work/users.json" "$ws/etc/accounts.yaml"

# web-download's source (tempest's [image] http_image): random bytes served over loopback HTTP. The service may
# fetch it because IMPORT_ALLOW_HOSTS names exactly this host:port.
head -c 65536 /dev/urandom > "$work/http/tempest-image.img"
/usr/bin/python3 -m http.server "$http_port" --bind 127.0.0.1 --directory "$work/http" > "$work/http.log" 2>&1 &
http_pid=$!

# The alternate image endpoint (tempest's test_remote_import/test_remote_delete, "a different API worker") is the
# same URL: a Workers deployment has one endpoint, and stage and import meet in R2 and D1 whichever isolate serves.
node scripts/clients/fake-keystone.mjs "$ks_port" "$url" --users "$work/users.json" \
  --service "image_remote=$url" > "$work/keystone.log" 2>&1 &
ks_pid=$!

# Glance's metadef files, loaded as devstack loads them (the metadefs tests take a resource type from the
# catalog). Loading before the service starts also applies the migrations to the fresh state.
if [[ -d "$metadefs" ]]; then
  PERSIST_DIR="$work/state" npm run -s metadefs:load -- "$metadefs" > "$work/metadefs.log" 2>&1 \
    || summary_fail "npm run metadefs:load $metadefs failed: $(tail -n 3 "$work/metadefs.log")"
else
  echo "tempest: no $metadefs (apt-get install glance-common): the metadefs tests will find no resource type"
fi

# No job control in a script: the background child is not a group leader, so setsid does not fork and $! is the
# new session's (and process group's) id. STORES, when set, reaches scripts/dev.sh through the environment.
PORT="$port" PERSIST_DIR="$work/state" setsid bash scripts/dev.sh \
  --var AUTH_MODE:keystone --var "KEYSTONE_URL:$ks_url" \
  --var KEYSTONE_SERVICE_USER:glance --var KEYSTONE_SERVICE_PASSWORD:glance-pass \
  --var KEYSTONE_SERVICE_PROJECT:service --var "IMPORT_ALLOW_HOSTS:127.0.0.1:$http_port" \
  > "$work/service.log" 2>&1 < /dev/null &
dev_pgid=$!
echo "tempest: wrangler dev on $url (keystone $ks_url, http_image on :$http_port, work $work)"

status_of() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$1"; }
t0=$SECONDS
ready=""
while (( SECONDS - t0 < start_timeout )); do
  if [[ "$(status_of "$url/versions")" == 200 && "$(status_of "$ks_url")" == 200 ]] \
    && [[ "$(status_of "http://127.0.0.1:$http_port/tempest-image.img")" == 200 ]]; then
    ready=1
    break
  fi
  kill -0 "$dev_pgid" 2>/dev/null || break
  sleep 0.3
done
if [[ -z "$ready" ]]; then
  tail -n 30 "$work/service.log" "$work/keystone.log" "$work/http.log" 2>/dev/null | sed 's/^/  | /'
  summary_fail "the service, Keystone or the http_image server did not come up within ${start_timeout}s"
fi
echo "tempest: ready after $((SECONDS - t0))s"

# Everything but glance off; image-feature flags as this service implements them: import (the methods come from
# GET /v2/info/import), os_glance_* reserved (403), no image locations API and no image cache API (not offered).
cat > "$ws/etc/tempest.conf" <<EOF
[DEFAULT]
log_file = $ws/tempest.log
debug = true

[oslo_concurrency]
lock_path = $ws/lock

[auth]
use_dynamic_credentials = false
test_accounts_file = $ws/etc/accounts.yaml
create_isolated_networks = false
default_credentials_domain_name = Default
admin_role = admin

[identity]
auth_version = v3
uri_v3 = $ks_url
region = RegionOne
v3_endpoint_type = public

[identity-feature-enabled]
api_v3 = true

[image]
region = RegionOne
endpoint_type = public
http_image = http://127.0.0.1:$http_port/tempest-image.img
alternate_image_endpoint = image_remote
alternate_image_endpoint_type = public
image_caching_enabled = false
build_timeout = 120
build_interval = 1

[image-feature-enabled]
import_image = true
os_glance_reserved = true
manage_locations = false

[service_available]
glance = true
cinder = false
neutron = false
nova = false
swift = false
horizon = false

[validation]
run_validation = false
EOF

# A stestr repository for tempest's results (tempest run --list-tests needs one as well).
(cd "$ws" && stestr init > /dev/null) || summary_fail "stestr init failed in $ws"
list_tests() { # list_tests [EXTRA ARGS]: the ids of the selected tests, without their [id-…,attr] suffix
  (cd "$ws" && PYTHON=/usr/bin/python3 tempest run --config-file "$ws/etc/tempest.conf" --regex "$regex" "$@" \
    --list-tests 2>/dev/null) | grep '^tempest\.' | sed 's/\[.*//'
}
args=(run --config-file "$ws/etc/tempest.conf" --regex "$regex" --concurrency "$concurrency")
list_tests > "$work/all-tests"
if [[ "$exclude" != none ]]; then
  args+=(--exclude-list "$exclude")
  list_tests --exclude-list "$exclude" > "$work/selected-tests"
else
  cp "$work/all-tests" "$work/selected-tests"
fi
[[ -s "$work/selected-tests" ]] || summary_fail "no test matches $regex"
excluded=$(( $(wc -l < "$work/all-tests") - $(wc -l < "$work/selected-tests") ))

t1=$SECONDS
(cd "$ws" && PYTHON=/usr/bin/python3 tempest "${args[@]}") > "$work/tempest.out" 2>&1
rc=$?
cat "$work/tempest.out"
echo "tempest: run took $((SECONDS - t1))s (exit $rc)"

count() { sed -nE "s/^ - $1: ([0-9]+)$/\\1/p" "$work/tempest.out" | tail -n 1; }
passed="$(count Passed)" failed="$(count Failed)"
xfail="$(count 'Expected Fail')" unexpected="$(count 'Unexpected Success')"
if [[ -z "$passed" || -z "$failed" ]]; then
  echo "tempest: last lines of the service log:"; tail -n 40 "$work/service.log" | sed 's/^/  | /'
  summary_fail "no totals in tempest's output (exit $rc)"
fi
failed=$((failed + ${unexpected:-0}))
if (( rc != 0 && failed == 0 )); then failed=1; echo "tempest: exit $rc with no failed test"; fi
if (( failed > 0 )); then
  echo "tempest: last lines of the service log:"; tail -n 40 "$work/service.log" | sed 's/^/  | /'
fi
# tempest counts a class skipped in setUpClass once; count its tests instead, and say why each was skipped.
skipped_tests=0
while IFS=$'\t' read -r cls reason; do
  n="$(grep -c "^$cls\." "$work/selected-tests" || true)"
  skipped_tests=$((skipped_tests + n))
  echo "tempest: skipped $cls ($n test$([[ $n == 1 ]] || echo s)): $reason"
done < <(sed -nE 's/^\{[0-9]+\} setUpClass \(([^)]*)\) \.\.\. SKIPPED: (.*)$/\1\t\2/p' "$work/tempest.out")
# Single tests skipped by tempest (a missing import method, store, or endpoint).
while IFS=$'\t' read -r test reason; do
  skipped_tests=$((skipped_tests + 1))
  echo "tempest: skipped $test: $reason"
done < <(sed -nE 's/^\{[0-9]+\} (tempest\.[^ []*)[^ ]* \.\.\. SKIPPED: (.*)$/\1\t\2/p' "$work/tempest.out")
echo "$skipped_tests skipped, ${xfail:-0} expected failures, $excluded excluded (${exclude#"$root/"})"
echo "$passed passed, $failed failed"
(( failed == 0 ))
