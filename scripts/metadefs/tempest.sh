#!/usr/bin/env bash
# Runs tempest 33's metadefs tests (the 8 admin tests and the 10 metadefs schema tests) against `wrangler dev` in
# Keystone mode: loads Debian's metadef files first (devstack loads them too; the tests pick a resource type from
# the catalog), starts scripts/clients/fake-keystone.mjs and the service, writes a tempest workspace with
# pre-provisioned credentials, runs `tempest run --serial`, prints "N passed, N failed". Needs Debian's tempest
# and glance-common; not part of CI (the project's tempest harness is). Ports: PORT (default 8818), KS_PORT (5081).
set -uo pipefail
cd "$(dirname "$0")/../.."
port="${PORT:-8818}"
ks_port="${KS_PORT:-5081}"
metadefs="${METADEFS_DIR:-/usr/share/glance-common/metadefs}"
work="$(mktemp -d "${TMPDIR:-/tmp}/metadefs-tempest.XXXXXX")"
cleanup() {
  [[ -n "${dev_pid:-}" ]] && kill -TERM -- "-$dev_pid" 2>/dev/null
  [[ -n "${ks_pid:-}" ]] && kill -TERM "$ks_pid" 2>/dev/null
  wait 2>/dev/null
  [[ "${KEEP:-}" == 1 ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

PERSIST_DIR="$work/state" npm run -s metadefs:load -- "$metadefs" || { echo "0 passed, 1 failed"; exit 1; }
node scripts/clients/fake-keystone.mjs "$ks_port" "http://127.0.0.1:$port" > "$work/keystone.log" 2>&1 &
ks_pid=$!
PORT="$port" PERSIST_DIR="$work/state" setsid bash scripts/dev.sh \
  --var AUTH_MODE:keystone --var "KEYSTONE_URL:http://127.0.0.1:$ks_port/v3" \
  --var KEYSTONE_SERVICE_USER:glance --var KEYSTONE_SERVICE_PASSWORD:glance-pass \
  --var KEYSTONE_SERVICE_PROJECT:service > "$work/service.log" 2>&1 < /dev/null &
dev_pid=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/versions" > /dev/null 2>&1 && break
  sleep 0.5
done

(cd "$work" && tempest init ws > /dev/null 2>&1) || { echo "tempest init failed"; echo "0 passed, 1 failed"; exit 1; }
# The fake Keystone's users (password "<user>-pass"); tempest takes the admin one for the admin tests.
cat > "$work/ws/etc/accounts.yaml" <<YAML
- {username: admin, project_name: admin-project, password: admin-pass, domain_name: Default, roles: [admin]}
- {username: demo, project_name: demo-project, password: demo-pass, domain_name: Default, roles: [member]}
- {username: alt, project_name: alt-project, password: alt-pass, domain_name: Default, roles: [member]}
YAML
cat > "$work/ws/etc/tempest.conf" <<CONF
[DEFAULT]
log_file = tempest.log
[auth]
use_dynamic_credentials = false
test_accounts_file = $work/ws/etc/accounts.yaml
default_credentials_domain_name = Default
[identity]
uri_v3 = http://127.0.0.1:$ks_port/v3
auth_version = v3
region = RegionOne
[identity-feature-enabled]
api_v2 = false
[image]
region = RegionOne
endpoint_type = public
[service_available]
glance = true
nova = false
cinder = false
neutron = false
swift = false
[validation]
run_validation = false
CONF
# Serial: three pre-provisioned accounts are not enough for parallel workers.
(cd "$work/ws" && tempest run --serial --regex 'tempest\.api\.image\.v2\.(admin\.test_images_metadefs|test_images_metadefs_schema)') \
  > "$work/tempest.out" 2>&1
grep -E '^\{[0-9]+\} ' "$work/tempest.out" | sed -E 's/^\{[0-9]+\} //'
p="$(grep -E '^ - Passed: ' "$work/tempest.out" | awk '{print $3}')"
f="$(grep -E '^ - Failed: ' "$work/tempest.out" | awk '{print $3}')"
if [[ -z "$p" ]]; then
  tail -n 30 "$work/tempest.out"
  echo "0 passed, 1 failed"
  exit 1
fi
echo "$p passed, ${f:-0} failed"
[[ "${f:-0}" -eq 0 && "$p" -ge 18 ]]
