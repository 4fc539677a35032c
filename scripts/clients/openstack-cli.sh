#!/usr/bin/env bash
# `openstack image …` (python-openstackclient over openstacksdk) against the service in Keystone mode:
# starts the fake Keystone and its own `wrangler dev` (AUTH_MODE=keystone), runs the commands users run,
# checks exit status and output, and ends with "N passed, N failed". Also runs the openstacksdk script.
#   KS_PORT (default 5080), PORT (default 8780); LOG_DIR keeps the service log (default: a temp dir).
set -uo pipefail
cd "$(dirname "$0")/../.."
ks_port="${KS_PORT:-5080}"
port="${PORT:-8780}"
work="$(mktemp -d "${TMPDIR:-/tmp}/osc.XXXXXX")"
log_dir="${LOG_DIR:-$work}"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS openstack: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL openstack: $1${2:+: $2}"; }

cleanup() {
  [[ -n "${dev_pid:-}" ]] && kill -TERM -- "-$dev_pid" 2>/dev/null
  [[ -n "${ks_pid:-}" ]] && kill -TERM "$ks_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

node scripts/clients/fake-keystone.mjs "$ks_port" "http://127.0.0.1:$port" > "$log_dir/keystone.log" 2>&1 &
ks_pid=$!
PORT="$port" PERSIST_DIR="$work/state" setsid bash scripts/dev.sh \
  --var AUTH_MODE:keystone --var "KEYSTONE_URL:http://127.0.0.1:$ks_port/v3" \
  --var KEYSTONE_SERVICE_USER:glance --var KEYSTONE_SERVICE_PASSWORD:glance-pass \
  --var KEYSTONE_SERVICE_PROJECT:service > "$log_dir/service-keystone.log" 2>&1 < /dev/null &
dev_pid=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/versions" > /dev/null 2>&1 && break
  sleep 0.5
done

# Static-token settings from the caller (e2e.sh exports them) would clash with password auth.
unset OS_AUTH_TOKEN OS_TOKEN OS_IMAGE_URL OS_CLOUD
export OS_AUTH_URL="http://127.0.0.1:$ks_port/v3" OS_IDENTITY_API_VERSION=3 OS_IMAGE_API_VERSION=2 \
  OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_INTERFACE=public OS_REGION_NAME=RegionOne
as() { # as USER cmd... : run the openstack CLI as one of the fake Keystone's users
  local user="$1"; shift
  OS_USERNAME="$user" OS_PASSWORD="$user-pass" OS_PROJECT_NAME="$user-project" openstack "$@" < /dev/null
}
# check NAME EXPECTED_REGEX cmd... : exit 0 and output matching the regex
check() {
  local name="$1" want="$2"; shift 2
  local out
  if out="$("$@" 2>&1)"; then
    if [[ -z "$want" ]] || grep -Eq -- "$want" <<< "$out"; then pass "$name"; else fail "$name" "output lacks /$want/: $(head -c 400 <<< "$out")"; fi
  else
    fail "$name" "exit $?: $(tail -c 400 <<< "$out")"
  fi
}
field() { as "$1" image show "$2" -f value -c "$3" 2>/dev/null; }

head -c $((3 * 1024 * 1024 + 17)) /dev/urandom > "$work/disk.raw"
sha=$(sha512sum "$work/disk.raw" | cut -d' ' -f1)

# OSC shows the record from before the upload (queued), as it does against Glance; `image show` checks status.
check "image create --file" "osc-image" as demo image create --file "$work/disk.raw" --disk-format raw --container-format bare \
  --property os_distro=cirros --tag e2e osc-image
[[ "$(field demo osc-image status)" == active ]] && pass "image is active after create --file" || fail "image is active after create --file"
[[ "$(field demo osc-image checksum)" == "$(md5sum "$work/disk.raw" | cut -d' ' -f1)" ]] && pass "checksum is the MD5 of the file" || fail "checksum is the MD5 of the file"
check "image list" "osc-image" as demo image list
check "image list --long" "osc-image.*raw" as demo image list --long
check "image list --property" "osc-image" as demo image list --property os_distro=cirros
check "image list --tag" "osc-image" as demo image list --tag e2e
check "image show" "$sha" as demo image show osc-image -f json
check "image set --property/--tag/--name" "" as demo image set --property hw_disk_bus=scsi --tag extra --name osc-renamed osc-image
check "image show after set" "hw_disk_bus" as demo image show osc-renamed -f json
[[ "$(field demo osc-renamed tags)" == *extra* ]] && pass "tag added" || fail "tag added"
check "image set --protected" "" as demo image set --protected osc-renamed
out=$(as demo image delete osc-renamed 2>&1) && fail "delete of a protected image fails" "$out" || pass "delete of a protected image fails"
check "image set --unprotected" "" as demo image set --unprotected osc-renamed
check "image unset --property --tag" "" as demo image unset --property hw_disk_bus --tag extra osc-renamed
props=$(as demo image show osc-renamed -f json 2>&1)
if grep -q hw_disk_bus <<< "$props" || grep -q '"extra"' <<< "$props"; then fail "unset removed property and tag" "$props"; else pass "unset removed property and tag"; fi
check "image save --file" "" as demo image save --file "$work/out.raw" osc-renamed
cmp -s "$work/disk.raw" "$work/out.raw" && pass "saved bytes equal the uploaded file" || fail "saved bytes equal the uploaded file"

check "image set --shared" "" as demo image set --shared osc-renamed
check "image add project" "pending" as demo image add project osc-renamed alt-project
id=$(field demo osc-renamed id)
out=$(as alt image list 2>&1); grep -q "$id" <<< "$out" && fail "pending share absent from consumer list" || pass "pending share absent from consumer list"
check "image member list" "alt-project" as demo image member list osc-renamed
check "image set --accept (consumer)" "" as alt image set --accept "$id"
check "accepted share in consumer list" "$id" as alt image list
check "consumer image save" "" as alt image save --file "$work/alt.raw" "$id"
cmp -s "$work/disk.raw" "$work/alt.raw" && pass "consumer download equals upload" || fail "consumer download equals upload"
out=$(as alt image set --name stolen "$id" 2>&1) && fail "consumer cannot rename" "$out" || pass "consumer cannot rename"

check "admin image create --public" "osc-public" as admin image create --file "$work/disk.raw" --disk-format raw --container-format bare --public osc-public
check "admin image list --public" "osc-public" as admin image list --public
check "admin image list --private" "" as admin image list --private
check "admin image list --shared" "" as admin image list --shared
out=$(as demo image create --file "$work/disk.raw" --disk-format raw --container-format bare --public no-public 2>&1) && fail "member cannot create public images" "$out" || pass "member cannot create public images"
check "public image visible to others" "osc-public" as alt image list --public

check "image delete" "" as demo image delete osc-renamed
out=$(as demo image show "$id" 2>&1) && fail "deleted image is gone" "$out" || pass "deleted image is gone"
check "admin image delete" "" as admin image delete osc-public

# openstacksdk: create with data, find by name, update, download with hash verification, delete.
if OS_USERNAME=demo OS_PASSWORD=demo-pass OS_PROJECT_NAME=demo-project /usr/bin/python3 scripts/clients/sdk_check.py "$work/disk.raw" > "$work/sdk.out" 2>&1; then
  pass "openstacksdk script"
else
  fail "openstacksdk script" "$(tail -c 600 "$work/sdk.out")"
fi
sed 's/^/  sdk: /' "$work/sdk.out"

if (( failed > 0 )); then
  echo "--- service log (tail) ---"; tail -n 40 "$log_dir/service-keystone.log"
fi
echo "$passed passed, $failed failed"
(( failed == 0 ))
