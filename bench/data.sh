#!/usr/bin/env bash
# `npm run bench:data`: image data throughput and worker memory under local `wrangler dev`; prints one JSON line.
# Starts its own wrangler dev on PORT (default 8802) with a throwaway state dir, uploads 256 MiB and 1 GiB random
# files chunked and with Content-Length, downloads them, and compares with md5sum/sha512sum and a plain R2 put.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${PORT:-8802}"
base="http://127.0.0.1:$port"
tmp="$(mktemp -d)"
token="demo-token"
dev_pgid=""

cleanup() {
  [ -n "$dev_pgid" ] && kill -TERM -- "-$dev_pgid" 2>/dev/null || true
  [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# wrangler dev reloads (and cuts transfers short) whenever a watched file changes; others edit this tree while we
# measure, so the server runs from a snapshot of it. setsid gives wrangler and its workerd children one process
# group, stopped as one on exit.
mkdir "$tmp/app"
cp -r src migrations scripts wrangler.toml package.json tsconfig.json dev-tokens.json "$tmp/app/"
ln -s "$PWD/node_modules" "$tmp/app/node_modules"
(cd "$tmp/app" && PORT="$port" PERSIST_DIR="$tmp/state" exec setsid bash scripts/dev.sh --var BENCH_ROUTES:1 >"$tmp/dev.log" 2>&1) &
dev_pgid=$!
for _ in $(seq 1 120); do
  curl -sf "$base/versions" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "$base/versions" >/dev/null || { cat "$tmp/dev.log" >&2; exit 1; }

now() { date +%s.%N; }
mbps() { python3 -c "import sys; print(round($1 / 1e6 / ($3 - $2), 1))"; }

# The user-worker workerd is the workerd in our process group with the most RSS (the proxy stays ~60 MB).
worker_rss_kb() {
  ps -o rss=,comm= -g "$dev_pgid" 2>/dev/null | awk '$2 == "workerd" && $1 > m { m = $1 } END { print m + 0 }'
}
start_sampler() {
  echo 0 >"$tmp/peak"
  (
    peak=0
    while :; do
      r=$(worker_rss_kb)
      [ "$r" -gt "$peak" ] && peak=$r && echo "$peak" >"$tmp/peak"
      sleep 0.5
    done
  ) &
  sampler=$!
}
stop_sampler() {
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  echo $(($(cat "$tmp/peak") / 1024))
}

new_image() {
  curl -sf -X POST "$base/v2/images" -H "X-Auth-Token: $token" -H 'Content-Type: application/json' \
    -d '{"name": "bench", "disk_format": "raw", "container_format": "bare"}' |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])'
}

results="$tmp/results.json"
echo '{}' >"$results"
put_result() { python3 - "$results" "$1" "$2" <<'EOF'
import json, sys
path, key, value = sys.argv[1], sys.argv[2], sys.argv[3]
doc = json.load(open(path))
try:
    doc[key] = json.loads(value)
except ValueError:
    doc[key] = value
json.dump(doc, open(path, "w"))
EOF
}

put_result rss_idle_mb "$(( $(worker_rss_kb) / 1024 ))"
for label in 256MiB 1GiB; do
  file="$tmp/$label.bin"
  count=$([ "$label" = 256MiB ] && echo 256 || echo 1024)
  head -c "$((count * 1024 * 1024))" /dev/urandom >"$file"
  bytes=$(stat -c %s "$file")
  cat "$file" >/dev/null # into the page cache, so disk reads do not count

  t0=$(now); md5=$(md5sum "$file" | cut -d' ' -f1); t1=$(now)
  put_result "${label}_md5sum_mbps" "$(mbps "$bytes" "$t0" "$t1")"
  t0=$(now); sha=$(sha512sum "$file" | cut -d' ' -f1); t1=$(now)
  put_result "${label}_sha512sum_mbps" "$(mbps "$bytes" "$t0" "$t1")"

  start_sampler
  t0=$(now)
  code=$(curl -s -o /dev/null -w '%{http_code}' -T "$file" -H 'Content-Type: application/octet-stream' "$base/_bench/r2-put")
  t1=$(now)
  put_result "${label}_r2_put_nohash_mbps" "$([ "$code" = 200 ] && mbps "$bytes" "$t0" "$t1" || echo "\"HTTP $code\"")"
  put_result "${label}_r2_put_nohash_peak_rss_mb" "$(stop_sampler)"

  for mode in chunked content_length; do
    id=$(new_image)
    extra=()
    [ "$mode" = chunked ] && extra=(-H 'Transfer-Encoding: chunked')
    start_sampler
    t0=$(now)
    code=$(curl -s -o /dev/null -w '%{http_code}' -T "$file" -X PUT "$base/v2/images/$id/file" \
      -H "X-Auth-Token: $token" -H 'Content-Type: application/octet-stream' "${extra[@]}")
    t1=$(now)
    peak=$(stop_sampler)
    put_result "${label}_upload_${mode}_mbps" "$([ "$code" = 204 ] && mbps "$bytes" "$t0" "$t1" || echo "\"HTTP $code\"")"
    put_result "${label}_upload_${mode}_peak_rss_mb" "$peak"
    ok=$(curl -sf "$base/v2/images/$id" -H "X-Auth-Token: $token" | python3 -c "
import json, sys; d = json.load(sys.stdin)
print(str(d['checksum'] == '$md5' and d['os_hash_value'] == '$sha' and d['size'] == $bytes).lower())")
    put_result "${label}_upload_${mode}_hashes_ok" "$ok"

    if [ "$mode" = content_length ]; then
      start_sampler
      t0=$(now)
      code=$(curl -s -o /dev/null -w '%{http_code}' "$base/v2/images/$id/file" -H "X-Auth-Token: $token")
      t1=$(now)
      put_result "${label}_download_mbps" "$([ "$code" = 200 ] && mbps "$bytes" "$t0" "$t1" || echo "\"HTTP $code\"")"
      put_result "${label}_download_peak_rss_mb" "$(stop_sampler)"
      t0=$(now)
      code=$(curl -s -o /dev/null -w '%{http_code}' "$base/_bench/r2-get/$id")
      t1=$(now)
      put_result "${label}_r2_get_plain_mbps" "$([ "$code" = 200 ] && mbps "$bytes" "$t0" "$t1" || echo "\"HTTP $code\"")"
    fi
    curl -s -o /dev/null -X DELETE "$base/v2/images/$id" -H "X-Auth-Token: $token"
  done
  rm -f "$file"
done

put_result load_avg_1m "$(cut -d' ' -f1 /proc/loadavg)"
put_result dev_server_reloads "$(grep -c 'Reloading local server' "$tmp/dev.log" || true)"
python3 -c "import json, sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(',', ':')))" "$results"
