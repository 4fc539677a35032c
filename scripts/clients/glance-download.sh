#!/usr/bin/env bash
# glance-download between two instances of this service, each a region of one fake Keystone: RegionOne on
# GD_PORT, RegionTwo on GD_PORT2 (each its own `wrangler dev` in Keystone mode with its own D1/R2 state). The
# glance CLI (python-glanceclient, password auth, the region picks the instance from the catalog) uploads an
# image to RegionTwo; glanceclient's library imports it into RegionOne with glance-download (the 4.1 CLI's
# `image-import --remote-region/--remote-image-id` never passes them on: README, Import); then the data,
# hashes and copied metadata are compared, and the failure cases checked (missing remote image, unknown
# region, another project's token, a bad id). Ends with "N passed, N failed".
#   GD_PORT (default 8782), GD_PORT2 (default 8783), GD_KS_PORT (default 5083),
#   GD_INSPECTOR_PORT (default 9235; the second instance takes the next one)
set -uo pipefail
cd "$(dirname "$0")/../.."
ks_port="${GD_KS_PORT:-5083}"
port_a="${GD_PORT:-8782}"
port_b="${GD_PORT2:-8783}"
inspector="${GD_INSPECTOR_PORT:-9235}"
url_a="http://127.0.0.1:$port_a"
url_b="http://127.0.0.1:$port_b"
ks_url="http://127.0.0.1:$ks_port/v3"
work="$(mktemp -d "${TMPDIR:-/tmp}/glance-download.XXXXXX")"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS glance-download: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL glance-download: $1${2:+: $2}"; }
expect() { # expect NAME ACTUAL WANTED
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do
    kill -TERM -- "-$p" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 -- "-$p" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$p" 2>/dev/null
  done
  [[ -n "${ks_pid:-}" ]] && kill -TERM "$ks_pid" 2>/dev/null
  wait 2>/dev/null
  if [[ "${GD_KEEP:-}" == 1 ]]; then echo "glance-download: work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "glance-download: interrupted"; exit 130' INT TERM

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$port_a" "$port_b" "$ks_port"; do
  if port_busy "$p"; then echo "glance-download: port $p is busy"; echo "0 passed, 1 failed"; exit 1; fi
done
if ! command -v glance > /dev/null 2>&1; then
  echo "glance-download: no glance command (apt-get install python3-glanceclient)"; echo "0 passed, 1 failed"; exit 1
fi

export DEV_VARS="$work/no-dev-vars" # a developer's own .dev.vars must not change these checks
node scripts/clients/fake-keystone.mjs "$ks_port" "$url_a" --endpoint "RegionTwo:image=$url_b" \
  > "$work/keystone.log" 2>&1 &
ks_pid=$!
# start NAME PORT INSPECTOR: one instance in Keystone mode with its own state (setsid: its own process group).
start() {
  PORT="$2" PERSIST_DIR="$work/state-$1" setsid bash scripts/dev.sh \
    --var AUTH_MODE:keystone --var "KEYSTONE_URL:$ks_url" \
    --var KEYSTONE_SERVICE_USER:glance --var KEYSTONE_SERVICE_PASSWORD:glance-pass \
    --var KEYSTONE_SERVICE_PROJECT:service --inspector-port "$3" > "$work/service-$1.log" 2>&1 < /dev/null &
  pids+=("$!")
}
start one "$port_a" "$inspector"
start two "$port_b" "$((inspector + 1))"
code() { curl -s -o /dev/null -m 2 -w '%{http_code}' "$@"; }
ready=""
for _ in $(seq 1 240); do
  if [[ "$(code "$url_a/versions")" == 200 && "$(code "$url_b/versions")" == 200 && "$(code "$ks_url")" == 200 ]]; then
    ready=1
    break
  fi
  sleep 0.5
done
if [[ -z "$ready" ]]; then
  tail -n 20 "$work/service-one.log" "$work/service-two.log" "$work/keystone.log" | sed 's/^/  | /'
  echo "glance-download: the instances or Keystone did not come up"; echo "0 passed, 1 failed"; exit 1
fi

# Password auth through the fake Keystone; OS_REGION_NAME picks the instance out of the catalog.
unset OS_AUTH_TOKEN OS_TOKEN OS_IMAGE_URL OS_CLOUD
export OS_AUTH_URL="$ks_url" OS_IDENTITY_API_VERSION=3 OS_IMAGE_API_VERSION=2 OS_USER_DOMAIN_NAME=Default \
  OS_PROJECT_DOMAIN_NAME=Default OS_INTERFACE=public
in_region() { # in_region REGION USER glance-args...
  local region="$1" user="$2"; shift 2
  OS_REGION_NAME="$region" OS_USERNAME="$user" OS_PASSWORD="$user-pass" OS_PROJECT_NAME="$user-project" \
    glance "$@" < /dev/null
}
token() { # token USER: a project-scoped token (X-Subject-Token)
  curl -si -m 5 -H 'Content-Type: application/json' \
    -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$1\",\"domain\":{\"name\":\"Default\"},\"password\":\"$1-pass\"}}},\"scope\":{\"project\":{\"name\":\"$1-project\",\"domain\":{\"name\":\"Default\"}}}}}" \
    "$ks_url/auth/tokens" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-subject-token" {print $2}'
}
demo="$(token demo)"
alt="$(token alt)"
# field URL TOKEN ID KEY: one attribute of an image document (empty when absent)
field() {
  curl -s -m 10 -H "X-Auth-Token: $2" "$1/v2/images/$3" |
    python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$4"
}
# wait_task URL TOKEN ID: the status of the image's last import task once it ended (or "timeout")
wait_task() {
  local s
  for _ in $(seq 1 240); do
    s="$(curl -s -m 10 -H "X-Auth-Token: $2" "$1/v2/images/$3/tasks" |
      python3 -c 'import json,sys; t=json.load(sys.stdin)["tasks"]; print(t[-1]["status"] if t else "")')"
    if [[ "$s" == success || "$s" == failure ]]; then echo "$s"; return; fi
    sleep 0.25
  done
  echo timeout
}
task_message() {
  curl -s -m 10 -H "X-Auth-Token: $2" "$1/v2/images/$3/tasks" | python3 -c 'import json,sys; print(json.load(sys.stdin)["tasks"][-1]["message"])'
}
upload() { # upload REGION USER NAME FILE [glance args]: the new active image's id
  local region="$1" user="$2" name="$3" file="$4"; shift 4
  in_region "$region" "$user" image-create --name "$name" --file "$file" "$@" 2>> "$work/glance.err" |
    awk -F'|' '$2 ~ /^ id / {gsub(/ /, "", $3); print $3}'
}
create() { # create URL TOKEN JSON: a new image without data (glance image-create would upload its stdin)
  curl -s -m 10 -H "X-Auth-Token: $2" -H 'Content-Type: application/json' -d "$3" "$1/v2/images" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
# gd_import REGION USER IMAGE REMOTE_REGION REMOTE_ID: glanceclient's images.image_import(glance-download)
# through a Keystone session in REGION (the endpoint comes from the catalog, as the CLI's would).
gd_import() {
  /usr/bin/python3 - "$ks_url" "$@" <<'PY'
import sys
from keystoneauth1 import loading, session
from glanceclient import Client
url, region, user, image, remote_region, remote_id = sys.argv[1:]
auth = loading.get_plugin_loader("password").load_from_options(
    auth_url=url, username=user, password=f"{user}-pass", project_name=f"{user}-project",
    user_domain_name="Default", project_domain_name="Default")
gc = Client("2", session=session.Session(auth=auth), region_name=region, interface="public")
gc.images.image_import(image, "glance-download", remote_region=remote_region, remote_image_id=remote_id)
PY
}

methods="$(curl -s -H "X-Auth-Token: $demo" "$url_a/v2/info/import")"
if grep -q '"glance-download"' <<< "$methods"; then pass "RegionOne offers glance-download"; else fail "RegionOne offers glance-download" "$methods"; fi

# The source: 6 MiB + 5 bytes of random data (two R2 parts) with properties, uploaded to RegionTwo.
head -c $((6 * 1024 * 1024 + 5)) /dev/urandom > "$work/disk.raw"
src="$(upload RegionTwo demo gd-source "$work/disk.raw" --disk-format raw --container-format bare \
  --property os_distro=debian --property hw_disk_bus=scsi --property trait:CUSTOM_GD=required --property speed=fast)"
expect "the source is active in RegionTwo (the catalog's second endpoint)" "$(field "$url_b" "$demo" "$src" status)" active
expect "the source is not in RegionOne" "$(code -H "X-Auth-Token: $demo" "$url_a/v2/images/$src")" 404

raw_bare='"disk_format": "raw", "container_format": "bare"'
dst="$(create "$url_a" "$demo" '{"name": "gd-target", "disk_format": "iso", "container_format": "ovf", "os_distro": "windows"}')"
out="$(gd_import RegionOne demo "$dst" RegionTwo "$src" 2>&1)" && pass "glanceclient image_import(glance-download)" \
  || fail "glanceclient image_import(glance-download)" "$(tail -c 300 <<< "$out")"
expect "the import task succeeds" "$(wait_task "$url_a" "$demo" "$dst")" success
expect "the target is active" "$(field "$url_a" "$demo" "$dst" status)" active
for key in size checksum os_hash_value disk_format container_format os_distro hw_disk_bus trait:CUSTOM_GD; do
  expect "the target's $key is the source's" "$(field "$url_a" "$demo" "$dst" "$key")" "$(field "$url_b" "$demo" "$src" "$key")"
done
expect "speed is not copied (not one of the default prefixes)" "$(field "$url_a" "$demo" "$dst" speed)" ""
expect "the target keeps its own name" "$(field "$url_a" "$demo" "$dst" name)" gd-target
in_region RegionOne demo image-download --file "$work/out.raw" "$dst" 2>> "$work/glance.err"
if cmp -s "$work/disk.raw" "$work/out.raw"; then pass "RegionOne serves the source's bytes"; else fail "RegionOne serves the source's bytes"; fi

# Failures: the task fails and the image is back to queued, with its own properties.
missing="$(create "$url_a" "$demo" "{$raw_bare}")"
gd_import RegionOne demo "$missing" RegionTwo 36d4b546-64a2-4bb9-bdd0-ba676aa48f2c >> "$work/glance.err" 2>&1
expect "a missing remote image fails the task" "$(wait_task "$url_a" "$demo" "$missing")" failure
expect "a missing remote image: back to queued" "$(field "$url_a" "$demo" "$missing" status)" queued
expect "a missing remote image: os_glance_failed_import" "$(field "$url_a" "$demo" "$missing" os_glance_failed_import)" default

noregion="$(create "$url_a" "$demo" "{$raw_bare, \"hw_cpu_cores\": \"1\"}")"
gd_import RegionOne demo "$noregion" RegionNowhere "$src" >> "$work/glance.err" 2>&1
expect "an unknown region fails the task" "$(wait_task "$url_a" "$demo" "$noregion")" failure
expect "an unknown region: the task says so" "$(task_message "$url_a" "$demo" "$noregion")" \
  "public glance endpoint not found for region RegionNowhere"
expect "an unknown region: back to queued, properties kept" \
  "$(field "$url_a" "$demo" "$noregion" status)/$(field "$url_a" "$demo" "$noregion" hw_cpu_cores)" queued/1

# The caller's own token goes to RegionTwo: alt may not read demo's private image there.
theirs="$(create "$url_a" "$alt" "{$raw_bare}")"
gd_import RegionOne alt "$theirs" RegionTwo "$src" >> "$work/glance.err" 2>&1
expect "another project's token cannot fetch a private remote image" "$(wait_task "$url_a" "$alt" "$theirs")" failure
expect "another project's token: back to queued" "$(field "$url_a" "$alt" "$theirs" status)" queued

bad="$(create "$url_a" "$demo" "{$raw_bare}")"
body='{"method": {"name": "glance-download", "glance_image_id": "foo", "glance_region": "RegionTwo"}}'
answer="$(curl -s -m 10 -w ' %{http_code}' -H "X-Auth-Token: $demo" -H 'Content-Type: application/json' \
  -H 'Accept: application/json' -d "$body" "$url_a/v2/images/$bad/import")"
if [[ "$answer" == *"does not look like a UUID"*" 400" ]]; then pass "a bad remote id is a 400 at POST /import"; else fail "a bad remote id is a 400 at POST /import" "$answer"; fi
expect "a bad remote id: still queued" "$(field "$url_a" "$demo" "$bad" status)" queued

if grep -q -- "$demo" "$work/service-one.log" "$work/service-two.log"; then fail "no token in the service logs"; else pass "no token in the service logs"; fi
if (( failed > 0 )); then
  echo "glance-download: last lines of the logs:"
  tail -n 15 "$work/service-one.log" "$work/service-two.log" "$work/glance.err" 2>/dev/null | sed 's/^/  | /'
fi
echo "$passed passed, $failed failed"
(( failed == 0 ))
