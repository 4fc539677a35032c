#!/usr/bin/env bash
# `npm run upload` (scripts/upload.mjs) against a running service: the chunked stage, interrupted uploads
# resumed with --image, the glance-direct import and the hash verification.
#   * a ~22 MiB random file (not a multiple of the chunk size) in 5 MiB chunks, stopped after the 2nd chunk
#     (test hook UPLOAD_TEST_EXIT_AFTER_CHUNKS=2), then resumed: the resumed run must say it resumed at byte
#     10485760 and send only the remaining 3 chunks; the image ends active with the local MD5/SHA-512 and
#     downloads byte-identical;
#   * the same file killed with SIGKILL once the server has a chunk (UPLOAD_TEST_CHUNK_DELAY_MS slows the run
#     down so that the kill lands mid-upload), a resume attempt with a file of another
#     size (refused, nothing sent), then the real resume from the server's byte count;
#   * re-running on the active image only verifies; a different file against it exits 3; bad usage exits 2.
#
#   OS_IMAGE_URL   service endpoint (default http://127.0.0.1:8787)
#   OS_AUTH_TOKEN  token (default demo-token)
#   UPLOAD_CLI_KEEP=1 keeps the work directory (files, every run's stdout/stderr) and prints where it is.
# Prints one PASS/FAIL line per check and ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
root="$(pwd)"

export OS_IMAGE_URL="${OS_IMAGE_URL:-http://127.0.0.1:8787}"
export OS_AUTH_TOKEN="${OS_AUTH_TOKEN:-demo-token}"
export UPLOAD_BACKOFF_BASE_MS=200
url="$OS_IMAGE_URL"
tok="$OS_AUTH_TOKEN"
MIB=$((1024 * 1024))

work="$(mktemp -d "${TMPDIR:-/tmp}/upload-cli.XXXXXX")"
if [[ "${UPLOAD_CLI_KEEP:-}" == 1 ]]; then
  echo "work directory: $work"
else
  trap 'rm -rf "$work"' EXIT
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }
# check NAME CONDITION-DESCRIPTION COMMAND...: PASS when the command succeeds.
check() {
  local name="$1" what="$2"
  shift 2
  if "$@"; then pass "$name"; else fail "$name" "$what"; fi
}

n=0
OUT=""
RC=0
# up ARGS...: one run of the upload command; stdout in $OUT, stderr in $OUT.err, exit status in $RC.
up() {
  n=$((n + 1))
  OUT="$work/run$n"
  node "$root/scripts/upload.mjs" "$@" >"$OUT" 2>"$OUT.err"
  RC=$?
}
# jget FILE KEY: a top-level field of a JSON document ("" when missing or null).
jget() { node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const v = d[process.argv[2]]; process.stdout.write(v === undefined || v === null ? "" : String(v))' "$1" "$2" 2>/dev/null; }
api_get() { curl -s -o "$2" -w '%{http_code}' -H "X-Auth-Token: $tok" "$url$1"; }
created_id() { grep -o 'created image [0-9a-fA-F-]*' "$1" | head -n 1 | awk '{print $3}'; }
show_err() { sed 's/^/    | /' "$OUT.err" | tail -n 8; }

if [[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/versions")" != 200 ]]; then
  echo "no service at $url (GET /versions)"
  echo "0 passed, 1 failed"
  exit 1
fi

file="$work/disk.img"
head -c $((22 * MIB + 12345)) /dev/urandom >"$file"
size=$(stat -c %s "$file")
md5=$(md5sum "$file" | cut -d' ' -f1)
sha=$(sha512sum "$file" | cut -d' ' -f1)
other="$work/other.img"
head -c "$size" /dev/urandom >"$other"
small="$work/small.img"
head -c $((7 * MIB)) /dev/urandom >"$small"

# ---- 1. stopped after two chunks by the test hook, then resumed (one chunk at a time, so the server has a prefix)
UPLOAD_TEST_EXIT_AFTER_CHUNKS=2 up "$file" --name upload-cli-hook --chunk-size 5MiB --parallel 1
id="$(created_id "$OUT.err")"
check "hook: first run stops after 2 chunks (exit 75)" "exit $RC, id '$id'" test "$RC" = 75 -a -n "$id"
code=$(api_get "/v2/images/$id/stage" "$work/stage1.json")
check "hook: GET /stage says 10485760 of $size received, chunk_size 5 MiB" \
  "HTTP $code $(cat "$work/stage1.json")" \
  test "$code" = 200 -a "$(jget "$work/stage1.json" received)" = $((10 * MIB)) \
  -a "$(jget "$work/stage1.json" total)" = "$size" -a "$(jget "$work/stage1.json" chunk_size)" = $((5 * MIB))
api_get "/v2/images/$id" "$work/img1.json" >/dev/null
check "hook: image is uploading" "status '$(jget "$work/img1.json" status)'" test "$(jget "$work/img1.json" status)" = uploading

up "$file" --image "$id" --chunk-size 5MiB --parallel 1 --json
check "hook: resumed run exits 0" "exit $RC" test "$RC" = 0 || show_err
check "hook: resumed run says where it resumed" "$(grep -m1 resum "$OUT.err")" \
  grep -q "resuming at byte $((10 * MIB)) of $size (chunk 3 of 5)" "$OUT.err"
check "hook: resumed run sent only the 3 missing chunks" \
  "resumed_at $(jget "$OUT" resumed_at), chunks_sent $(jget "$OUT" chunks_sent), bytes_sent $(jget "$OUT" bytes_sent)" \
  test "$(jget "$OUT" resumed_at)" = $((10 * MIB)) -a "$(jget "$OUT" chunks_sent)" = 3 \
  -a "$(jget "$OUT" bytes_sent)" = $((size - 10 * MIB))
check "hook: summary reports md5/sha512 ok" "$(cat "$OUT")" \
  test "$(jget "$OUT" ok)" = true -a "$(jget "$OUT" md5_ok)" = true -a "$(jget "$OUT" sha512_ok)" = true
api_get "/v2/images/$id" "$work/img2.json" >/dev/null
check "hook: image active with the local size, MD5 and SHA-512" "$(cat "$work/img2.json")" \
  test "$(jget "$work/img2.json" status)" = active -a "$(jget "$work/img2.json" size)" = "$size" \
  -a "$(jget "$work/img2.json" checksum)" = "$md5" -a "$(jget "$work/img2.json" os_hash_algo)" = sha512 \
  -a "$(jget "$work/img2.json" os_hash_value)" = "$sha"
code=$(api_get "/v2/images/$id/file" "$work/download.bin")
check "hook: download is byte-identical" "HTTP $code" eval 'test "$code" = 200 && cmp -s "$file" "$work/download.bin"'
rm -f "$work/download.bin"

# ---- 2. the same image again: only verifies; a different file is a mismatch (exit 3)
up "$file" --image "$id"
check "active image: re-run only verifies (exit 0, nothing sent)" "exit $RC: $(cat "$OUT")" \
  eval 'test "$RC" = 0 && grep -q "already active; only verifying" "$OUT.err" && grep -q "^upload: OK .*sent 0 bytes in 0 chunks" "$OUT"'
up "$other" --image "$id"
check "active image: a different file exits 3 with MISMATCH" "exit $RC: $(cat "$OUT")" \
  eval 'test "$RC" = 3 && grep -q "MISMATCH" "$OUT"'

# ---- 3. SIGKILL once the server has at least one chunk; a file of another size is refused; then resume
received_of() {
  curl -s -H "X-Auth-Token: $tok" "$url/v2/images/$1/stage" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { process.stdout.write(String(JSON.parse(s).received ?? 0)); } catch { process.stdout.write("0"); } })'
}
UPLOAD_TEST_CHUNK_DELAY_MS=1500 node "$root/scripts/upload.mjs" "$file" --name upload-cli-kill --chunk-size 5MiB --parallel 1 >"$work/kill.out" 2>"$work/kill.err" &
pid=$!
kid=""
killed=""
for _ in $(seq 1 500); do
  [[ -z "$kid" ]] && kid="$(created_id "$work/kill.err")"
  if [[ -n "$kid" && "$(received_of "$kid")" -ge $((5 * MIB)) ]]; then
    kill -9 "$pid" 2>/dev/null && killed=1
    break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.02
done
wait "$pid" 2>/dev/null
if [[ -z "$killed" ]]; then
  echo "SKIP kill -9: the upload finished before it could be killed (not counted)"
else
  at="$(received_of "$kid")"
  check "kill -9: the server kept whole chunks only ($at bytes)" "received '$at'" \
    eval 'test "$at" -ge $((5 * MIB)) && test "$at" -lt "$size" && test $((at % (5 * MIB))) = 0'
  up "$small" --image "$kid"
  check "kill -9: resuming with a file of another size is refused, nothing sent" \
    "exit $RC: $(tail -n 2 "$OUT.err"), server now has $(received_of "$kid")" \
    eval 'test "$RC" = 1 && grep -q "not the same file" "$OUT.err" && test "$(received_of "$kid")" = "$at"'
  up "$file" --image "$kid" --parallel 1 --json
  check "kill -9: resume exits 0 and verifies" "exit $RC" test "$RC" = 0 -a "$(jget "$OUT" ok)" = true || show_err
  check "kill -9: resume started at the server's byte count ($at), sent only the rest" \
    "resumed_at $(jget "$OUT" resumed_at), bytes_sent $(jget "$OUT" bytes_sent)" \
    test "$(jget "$OUT" resumed_at)" = "$at" -a "$(jget "$OUT" bytes_sent)" = $((size - at))
fi

# ---- 4. chunks in parallel (the default, 4 at once): interrupted after two chunks, resumed, verified
UPLOAD_TEST_EXIT_AFTER_CHUNKS=2 up "$file" --name upload-cli-parallel --chunk-size 5MiB
pid_="$(created_id "$OUT.err")"
check "parallel: first run stops after 2 chunks (exit 75)" "exit $RC, id '$pid_'" test "$RC" = 75 -a -n "$pid_"
check "parallel: it sent chunks 4 at a time" "$(grep -m1 'at once' "$OUT.err")" grep -q "sending up to 4 chunks at once" "$OUT.err"
code=$(api_get "/v2/images/$pid_/stage" "$work/pstage.json")
pmissing="$(node -e 'const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write(String(s.total - s.missing.reduce((n, [a, b]) => n + b - a + 1, 0) === s.received))' "$work/pstage.json")"
check "parallel: GET /stage lists what is missing (received + missing = total)" "HTTP $code $(cat "$work/pstage.json")" \
  test "$code" = 200 -a "$pmissing" = true
up "$file" --image "$pid_" --chunk-size 5MiB --json
check "parallel: resumed run exits 0 and verifies" "exit $RC: $(cat "$OUT")" \
  test "$RC" = 0 -a "$(jget "$OUT" ok)" = true -a "$(jget "$OUT" md5_ok)" = true -a "$(jget "$OUT" sha512_ok)" = true ||
  show_err
check "parallel: the resumed run sent exactly what was missing" \
  "resumed_at $(jget "$OUT" resumed_at), bytes_sent $(jget "$OUT" bytes_sent)" \
  test "$(($(jget "$OUT" resumed_at) + $(jget "$OUT" bytes_sent)))" = "$size"
code=$(api_get "/v2/images/$pid_/file" "$work/pdownload.bin")
check "parallel: download is byte-identical" "HTTP $code" eval 'test "$code" = 200 && cmp -s "$file" "$work/pdownload.bin"'
rm -f "$work/pdownload.bin"

# ---- 5. usage errors
up "$file" --chunk-size 1MiB
check "usage: --chunk-size under 5MiB exits 2" "exit $RC" test "$RC" = 2
up "$work/missing.img"
check "usage: a missing file exits 2" "exit $RC" test "$RC" = 2

# ---- cleanup of the images this suite created
for img in $(cat "$work"/*.err 2>/dev/null | grep -o 'created image [0-9a-fA-F-]*' | awk '{print $3}' | sort -u); do
  curl -s -o /dev/null -X DELETE -H "X-Auth-Token: $tok" "$url/v2/images/$img"
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
