#!/usr/bin/env bash
# Keystone mode as README's "Keystone mode" section runs it: the fake Keystone, `npm run dev` with the settings in
# the environment (the password in .dev.vars works the same way), a token from Keystone, curl. Then what only a
# real server shows: the banner (auth mode, no static tokens), a 503 and a log line when Keystone is down, and
# with the service password missing: /versions still 200, /v2 503, one log line naming the variable.
#   KS_PORT (default 5081), PORT (default 8781). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
ks_port="${KS_PORT:-5081}"
port="${PORT:-8781}"
url="http://127.0.0.1:$port"
work="$(mktemp -d "${TMPDIR:-/tmp}/ks-mode.XXXXXX")"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS keystone-mode: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL keystone-mode: $1${2:+: $2}"; }
expect() { # expect NAME ACTUAL WANTED
  if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

stop_dev() {
  [[ -n "${dev_pid:-}" ]] || return 0
  kill -TERM -- "-$dev_pid" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 -- "-$dev_pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$dev_pid" 2>/dev/null
  dev_pid=""
}
cleanup() {
  stop_dev
  [[ -n "${ks_pid:-}" ]] && kill -TERM "$ks_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# start_dev LOG: `npm run dev`'s script with the Keystone settings of the current environment.
start_dev() {
  PORT="$port" PERSIST_DIR="$work/state" setsid bash scripts/dev.sh > "$1" 2>&1 < /dev/null &
  dev_pid=$!
  for _ in $(seq 1 120); do
    [[ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$url/versions")" == 200 ]] && return 0
    sleep 0.5
  done
  echo "keystone-mode: the service did not start; last lines of $1:"; tail -n 20 "$1" | sed 's/^/  | /'
  return 1
}
status() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$@"; }
token() { # token USER: a project-scoped token from the fake Keystone (X-Subject-Token)
  curl -si -m 5 -H 'Content-Type: application/json' \
    -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$1\",\"domain\":{\"name\":\"Default\"},\"password\":\"$1-pass\"}}},\"scope\":{\"project\":{\"name\":\"$1-project\",\"domain\":{\"name\":\"Default\"}}}}}" \
    "http://127.0.0.1:$ks_port/v3/auth/tokens" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-subject-token" {print $2}'
}

export DEV_VARS="$work/no-dev-vars" # a developer's own .dev.vars must not change these checks
node scripts/clients/fake-keystone.mjs "$ks_port" "$url" > "$work/keystone.log" 2>&1 &
ks_pid=$!
export AUTH_MODE=keystone KEYSTONE_URL="http://127.0.0.1:$ks_port/v3" KEYSTONE_SERVICE_USER=glance \
  KEYSTONE_SERVICE_PASSWORD=glance-pass KEYSTONE_SERVICE_PROJECT=service
if start_dev "$work/dev1.log"; then
  if grep -q "^Auth mode: keystone" "$work/dev1.log"; then pass "the banner says keystone mode"; else fail "the banner says keystone mode"; fi
  if grep -q "demo-token" "$work/dev1.log"; then fail "no static dev tokens printed in keystone mode"; else pass "no static dev tokens printed in keystone mode"; fi
  tok="$(token demo)"
  expect "a Keystone token lists images" "$(status -H "X-Auth-Token: $tok" "$url/v2/images")" 200
  expect "a static dev token is refused" "$(status -H "X-Auth-Token: demo-token" "$url/v2/images")" 401
  kill -TERM "$ks_pid" 2>/dev/null; wait "$ks_pid" 2>/dev/null; ks_pid=""
  fresh="never-seen-$RANDOM$RANDOM"
  expect "Keystone down: 503" "$(status -H "X-Auth-Token: $fresh" "$url/v2/images")" 503
  sleep 1
  if grep -Eq "keystone token validation at 127\.0\.0\.1:$ks_port failed: [A-Za-z]*Error" "$work/dev1.log"; then
    pass "Keystone down: the log names the host and the error class"
  else
    fail "Keystone down: the log names the host and the error class" "$(grep -i keystone "$work/dev1.log" | tail -n 3)"
  fi
  if grep -q -- "$fresh" "$work/dev1.log"; then fail "Keystone down: the token is not logged"; else pass "Keystone down: the token is not logged"; fi
fi
stop_dev

unset KEYSTONE_SERVICE_PASSWORD
if start_dev "$work/dev2.log"; then
  expect "no service password: /versions still 200" "$(status "$url/versions")" 200
  expect "no service password: / still 300" "$(status "$url/")" 300
  expect "no service password: /v2/images 503" "$(status -H "X-Auth-Token: x" "$url/v2/images")" 503
  status "$url/v2/schemas/image" > /dev/null
  sleep 1
  n="$(grep -c "configuration error: AUTH_MODE=keystone needs KEYSTONE_SERVICE_PASSWORD" "$work/dev2.log")"
  expect "no service password: one log line names KEYSTONE_SERVICE_PASSWORD" "$n" 1
fi
stop_dev

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
