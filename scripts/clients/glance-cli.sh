#!/usr/bin/env bash
# python-glanceclient (`glance`, Debian's python3-glanceclient) against a running service, token auth only:
#   glance --os-image-url $OS_IMAGE_URL --os-auth-token <token> ...
# Covers image-create (with and without --file), image-list (property filter, sort, paging), image-show,
# image-update (--property / --remove-property), tags, image-upload, image-download (the client verifies
# the SHA-512), members, deactivate/reactivate, image-delete, image-create-via-import (glance-direct) and
# image-tasks. Each step checks the exit status and the
# output that matters.
#
#   OS_IMAGE_URL  service endpoint (default http://127.0.0.1:8787); tokens come from dev-tokens.json:
#                 demo-token (owner, demo-project), alt-token (alt-project), admin-token.
#   GLANCE_CLI_KEEP=1 keeps the work directory (every command's output and stderr) and prints where it is.
#
# Prints one PASS/FAIL line per step and ends with "N passed, N failed"; exits non-zero on any failure.
#
# A client quirk the suite works around (not a service bug): without --file, `glance image-create` uploads
# standard input whenever it is not a terminal (under CI it is /dev/null, which makes an empty upload).
# Every command runs with standard input closed (<&-), which the client reads as "no data".
# Commands share a private HOME, so from the second command on the client builds its options from the image
# schema it cached from the service, as it does for users (Glance's schema lists "stores", which made
# glanceclient 4.1 die with "argument --stores: conflicting option string"; ours leaves it out).
set -uo pipefail

OS_IMAGE_URL="${OS_IMAGE_URL:-http://127.0.0.1:8787}"
unset OS_AUTH_URL OS_CLOUD OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_IMAGE_API_VERSION

if ! command -v glance >/dev/null 2>&1; then
  echo "glance (python3-glanceclient) is not installed"
  echo "0 passed, 1 failed"
  exit 1
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/glance-cli.XXXXXX")"
if [[ "${GLANCE_CLI_KEEP:-}" == 1 ]]; then
  echo "work directory: $work"
else
  trap 'rm -rf "$work"' EXIT
fi
GHOME="$work/home"
mkdir -p "$GHOME"

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

n=0
OUT=""
# g TOKEN ARGS...: runs one glance command; its stdout goes to $OUT (a new file each time), stderr to $OUT.err.
g() {
  local token="$1"
  shift
  n=$((n + 1))
  local cmd
  for cmd in "$@"; do [[ "$cmd" == -* ]] || break; done
  OUT="$work/$(printf '%02d' "$n")-$cmd"
  HOME="$GHOME" glance --os-image-url "$OS_IMAGE_URL" --os-auth-token "$token" "$@" >"$OUT" 2>"$OUT.err" <&-
}
# Why the last command failed: exit status and the last stderr line.
why() { echo "exit $1; $(grep -v '^\s*$' "$OUT.err" | tail -n 1 | cut -c1-300)"; }
# field FILE KEY: the value of KEY in a `glance image-show`-style Property/Value table.
field() { awk -F'|' -v k="$2" '{ key = $2; gsub(/^ +| +$/, "", key); if (key == k) { v = $3; gsub(/^ +| +$/, "", v); print v; exit } }' "$1"; }
# ids FILE: the ID column of a list table, in order.
ids() { grep -oE '^\| [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12} ' "$1" | cut -c3-38; }
has_line() { grep -qE "$2" "$1"; }

RUN="$(date +%s)-$$"
DATA1="$work/data1.raw"
DATA2="$work/data2.raw"
head -c $((1024 * 1024 + 17)) /dev/urandom > "$DATA1"
head -c $((300 * 1024 + 5)) /dev/urandom > "$DATA2"
md5() { md5sum < "$1" | awk '{print $1}'; }
# sha512_shown TABLE FILE: the table's os_hash_value is FILE's SHA-512 (the table cuts values at 80 columns).
sha512_shown() {
  local shown full
  shown="$(field "$1" os_hash_value)"
  full="$(sha512sum < "$2" | awk '{print $1}')"
  [[ ${#shown} -ge 64 && "$full" == "$shown"* ]]
}
size() { wc -c < "$1" | tr -d ' '; }

A="" B="" C="" D=""

# --- create ------------------------------------------------------------------------------------------
step="image-create (no --file)"
if g demo-token image-create --name "cli-$RUN-a" --disk-format raw --container-format bare --property "suite=$RUN"; then
  A="$(field "$OUT" id)"
  if [[ ! "$A" =~ ^[0-9a-f-]{36}$ ]]; then fail "$step" "no id in the output: $(head -c 300 "$OUT")"
  elif [[ "$(field "$OUT" status)" != queued ]]; then fail "$step" "status is '$(field "$OUT" status)', expected queued"
  elif [[ "$(field "$OUT" name)" != "cli-$RUN-a" || "$(field "$OUT" suite)" != "$RUN" ]]; then fail "$step" "name/property not shown as sent"
  else pass "$step: $A queued"; fi
else fail "$step" "$(why $?)"; fi

step="image-create --file --progress (raw/bare)"
if g demo-token image-create --name "cli-$RUN-b" --disk-format raw --container-format bare --property "suite=$RUN" \
  --file "$DATA1" --progress; then
  B="$(field "$OUT" id)"
  if [[ ! "$B" =~ ^[0-9a-f-]{36}$ ]]; then fail "$step" "no id in the output: $(head -c 300 "$OUT")"
  elif [[ "$(field "$OUT" status)" != active ]]; then fail "$step" "status is '$(field "$OUT" status)', expected active"
  elif [[ "$(field "$OUT" size)" != "$(size "$DATA1")" ]]; then fail "$step" "size is '$(field "$OUT" size)', expected $(size "$DATA1")"
  elif [[ "$(field "$OUT" checksum)" != "$(md5 "$DATA1")" ]]; then fail "$step" "checksum is '$(field "$OUT" checksum)', expected $(md5 "$DATA1")"
  elif ! sha512_shown "$OUT" "$DATA1"; then fail "$step" "os_hash_value '$(field "$OUT" os_hash_value)' is not the SHA-512 of the file"
  else pass "$step: $B active, $(size "$DATA1") bytes"; fi
else
  rc=$?
  B="$(field "$OUT" id)"
  fail "$step" "$(why $rc)"
fi

for x in c d; do
  step="image-create (no --file) $x"
  if g demo-token image-create --name "cli-$RUN-$x" --disk-format qcow2 --container-format bare --property "suite=$RUN"; then
    id="$(field "$OUT" id)"
    if [[ "$id" =~ ^[0-9a-f-]{36}$ ]]; then pass "$step: $id"; else fail "$step" "no id in the output"; fi
  else
    fail "$step" "$(why $?)"
    id=""
  fi
  if [[ $x == c ]]; then C="$id"; else D="$id"; fi
done

need() { # need STEP IDS...: fails STEP when an id it depends on is missing
  local s="$1"
  shift
  for v in "$@"; do
    if [[ -z "$v" ]]; then
      fail "$s" "skipped: an image it needs was not created"
      return 1
    fi
  done
}

# --- show / update -----------------------------------------------------------------------------------
step="image-show"
if need "$step" "$A"; then
  if g demo-token image-show "$A"; then
    if [[ "$(field "$OUT" id)" == "$A" && "$(field "$OUT" status)" == queued && "$(field "$OUT" disk_format)" == raw ]]; then
      pass "$step: id, status queued, disk_format raw"
    else fail "$step" "unexpected table: $(tr -s ' \n' ' ' < "$OUT" | head -c 300)"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="image-update --property"
if need "$step" "$A"; then
  if g demo-token image-update "$A" --property "flavor=vanilla" --property "os_distro=ubuntu" --min-ram 512; then
    if [[ "$(field "$OUT" flavor)" == vanilla && "$(field "$OUT" os_distro)" == ubuntu && "$(field "$OUT" min_ram)" == 512 ]]; then
      pass "$step: flavor=vanilla, os_distro=ubuntu, min_ram=512"
    else fail "$step" "properties not shown: flavor='$(field "$OUT" flavor)' os_distro='$(field "$OUT" os_distro)' min_ram='$(field "$OUT" min_ram)'"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="image-list --property-filter"
if need "$step" "$A" "$B"; then
  if g demo-token image-list --property-filter "flavor=vanilla"; then
    if ids "$OUT" | grep -qx "$A" && ! ids "$OUT" | grep -qx "$B"; then pass "$step: only the image with flavor=vanilla"
    else fail "$step" "listed: $(ids "$OUT" | tr '\n' ' ')(expected $A only)"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="image-update --remove-property"
if need "$step" "$A"; then
  if g demo-token image-update "$A" --remove-property flavor; then
    if [[ -z "$(field "$OUT" flavor)" && "$(field "$OUT" os_distro)" == ubuntu ]]; then
      if g demo-token image-show "$A" && [[ -z "$(field "$OUT" flavor)" ]]; then pass "$step: flavor gone, os_distro kept"
      else fail "$step" "image-show still shows flavor ($(why $?))"; fi
    else fail "$step" "flavor='$(field "$OUT" flavor)' os_distro='$(field "$OUT" os_distro)' after removal"; fi
  else fail "$step" "$(why $?)"; fi
fi

# --- list: sorting and paging -------------------------------------------------------------------------
step="image-list --sort-key name --sort-dir desc"
if need "$step" "$A" "$B" "$C" "$D"; then
  if g demo-token image-list --property-filter "suite=$RUN" --sort-key name --sort-dir desc; then
    got="$(ids "$OUT" | tr '\n' ' ')"
    if [[ "$got" == "$D $C $B $A " ]]; then pass "$step: d, c, b, a"
    else fail "$step" "order $got, expected $D $C $B $A"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="image-list --page-size 1 (follows next across pages)"
if need "$step" "$A" "$B" "$C" "$D"; then
  if g demo-token --debug image-list --property-filter "suite=$RUN" --page-size 1 --sort-key name --sort-dir asc; then
    got="$(ids "$OUT" | tr '\n' ' ')"
    pages="$(grep -cE '"GET /v2/images\?[^"]*HTTP/1.1" 200' "$OUT.err")"
    if [[ "$got" != "$A $B $C $D " ]]; then fail "$step" "listed $got, expected $A $B $C $D"
    elif [[ "$pages" -lt 4 ]]; then fail "$step" "only $pages list requests for 4 images of page size 1"
    else pass "$step: 4 images in order over $pages requests"; fi
  else fail "$step" "$(why $?)"; fi
fi

# --- tags --------------------------------------------------------------------------------------------
step="image-tag-update"
if need "$step" "$A"; then
  if g demo-token image-tag-update "$A" t-one && g demo-token image-tag-update "$A" t-two; then
    if has_line "$OUT" "t-one" && has_line "$OUT" "t-two"; then pass "$step: t-one, t-two"
    else fail "$step" "tags not shown: $(tr -s ' \n' ' ' < "$OUT" | head -c 300)"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="image-tag-delete"
if need "$step" "$A"; then
  if g demo-token image-tag-delete "$A" t-one; then
    if g demo-token image-show "$A" && ! has_line "$OUT" "t-one" && has_line "$OUT" "t-two"; then pass "$step: t-one gone, t-two kept"
    else fail "$step" "tags after delete: $(field "$OUT" tags)"; fi
  else fail "$step" "$(why $?)"; fi
fi

# --- data --------------------------------------------------------------------------------------------
step="image-upload --file"
if need "$step" "$A"; then
  if g demo-token image-upload --file "$DATA2" "$A"; then
    if g demo-token image-show "$A" && [[ "$(field "$OUT" status)" == active && "$(field "$OUT" size)" == "$(size "$DATA2")" && "$(field "$OUT" checksum)" == "$(md5 "$DATA2")" ]]; then
      pass "$step: active, $(size "$DATA2") bytes, checksum matches"
    else fail "$step" "after upload: status='$(field "$OUT" status)' size='$(field "$OUT" size)' checksum='$(field "$OUT" checksum)'"; fi
  else fail "$step" "$(why $?)"; fi
fi

for pair in "A:$DATA2" "B:$DATA1"; do
  var="${pair%%:*}"
  src="${pair#*:}"
  id="${!var}"
  step="image-download --file (image $(echo "$var" | tr 'AB' 'ab'), SHA-512 checked by the client)"
  if need "$step" "$id"; then
    rm -f "$work/down"
    if g demo-token image-download --file "$work/down" "$id"; then
      if cmp -s "$src" "$work/down"; then pass "$step: $(size "$src") identical bytes"
      else fail "$step" "downloaded bytes differ ($(size "$work/down" 2>/dev/null || echo 0) vs $(size "$src"))"; fi
    else fail "$step" "$(why $?)"; fi
  fi
done

# --- members (A is "shared", the default visibility) ------------------------------------------------
step="member-create"
if need "$step" "$A"; then
  if g demo-token member-create "$A" alt-project; then
    if has_line "$OUT" "\| $A +\| alt-project +\| pending +\|"; then pass "$step: alt-project pending"
    else fail "$step" "row not shown: $(tr -s ' \n' ' ' < "$OUT" | head -c 300)"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="member-update (by the member: accepted)"
if need "$step" "$A"; then
  if g alt-token member-update "$A" alt-project accepted; then
    if has_line "$OUT" "\| $A +\| alt-project +\| accepted +\|"; then pass "$step: accepted"
    else fail "$step" "row not shown: $(tr -s ' \n' ' ' < "$OUT" | head -c 300)"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="member-list"
if need "$step" "$A"; then
  if g demo-token member-list --image-id "$A"; then
    if has_line "$OUT" "\| $A +\| alt-project +\| accepted +\|"; then pass "$step: alt-project accepted"
    else fail "$step" "row not shown: $(tr -s ' \n' ' ' < "$OUT" | head -c 300)"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="accepted member sees the image (image-show, image-list)"
if need "$step" "$A"; then
  if g alt-token image-show "$A" && [[ "$(field "$OUT" id)" == "$A" ]]; then
    if g alt-token image-list --property-filter "suite=$RUN" && ids "$OUT" | grep -qx "$A"; then pass "$step"
    else fail "$step" "image-list by alt-project does not list it ($(why $?))"; fi
  else fail "$step" "image-show by alt-project: $(why $?)"; fi
fi

step="member-delete"
if need "$step" "$A"; then
  if g demo-token member-delete "$A" alt-project; then
    if g demo-token member-list --image-id "$A" && ! has_line "$OUT" "alt-project"; then pass "$step: member list empty"
    else fail "$step" "alt-project still listed ($(why $?))"; fi
  else fail "$step" "$(why $?)"; fi
fi

# --- deactivate / reactivate ----------------------------------------------------------------------------
step="image-deactivate"
if need "$step" "$B"; then
  if g demo-token image-deactivate "$B"; then
    if g demo-token image-show "$B" && [[ "$(field "$OUT" status)" == deactivated ]]; then pass "$step: deactivated"
    else fail "$step" "status is '$(field "$OUT" status)'"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="image-download of a deactivated image is refused (403)"
if need "$step" "$B"; then
  rm -f "$work/down"
  if g demo-token image-download --file "$work/down" "$B"; then fail "$step" "download succeeded"
  elif grep -q "403" "$OUT.err"; then pass "$step"
  else fail "$step" "expected a 403: $(why 1)"; fi
fi

step="image-download of a deactivated image by an admin (admin-token)"
if need "$step" "$B"; then
  rm -f "$work/down"
  if g admin-token image-download --file "$work/down" "$B"; then
    if cmp -s "$DATA1" "$work/down"; then pass "$step: identical bytes"
    else fail "$step" "downloaded bytes differ"; fi
  else fail "$step" "$(why $?)"; fi
fi

step="image-reactivate"
if need "$step" "$B"; then
  if g demo-token image-reactivate "$B"; then
    if g demo-token image-show "$B" && [[ "$(field "$OUT" status)" == active ]]; then pass "$step: active"
    else fail "$step" "status is '$(field "$OUT" status)'"; fi
  else fail "$step" "$(why $?)"; fi
fi

# --- delete ------------------------------------------------------------------------------------------
step="image-delete"
if need "$step" "$A" "$B" "$C" "$D"; then
  if g demo-token image-delete "$A" "$B" "$C" "$D"; then
    if g demo-token image-show "$A"; then fail "$step" "image-show after delete succeeded"
    elif grep -q "404" "$OUT.err"; then pass "$step: 4 images, then image-show 404"
    else fail "$step" "image-show after delete: expected 404, $(why 1)"; fi
  else fail "$step" "$(why $?)"; fi
fi

# --- interoperable import (glance-direct) and the image's tasks ----------------------------------------
step="image-create-via-import (glance-direct)"
E=""
if g demo-token image-create-via-import --name "cli-$RUN-e" --disk-format raw --container-format bare \
  --import-method glance-direct --file "$DATA2"; then
  E="$(field "$OUT" id)"
  for _ in $(seq 1 40); do
    g demo-token image-show "$E" && [[ "$(field "$OUT" status)" == active ]] && break
    sleep 0.25
  done
  if [[ "$(field "$OUT" status)" != active ]]; then fail "$step" "status is '$(field "$OUT" status)', expected active"
  elif [[ "$(field "$OUT" checksum)" != "$(md5 "$DATA2")" ]]; then fail "$step" "checksum is not the file's MD5"
  else pass "$step: $E active"; fi
else fail "$step" "$(why $?)"; fi

step="image-tasks"
if need "$step" "$E"; then
  if g demo-token image-tasks "$E" && has_line "$OUT" "success"; then pass "$step: one success task"
  else fail "$step" "$(why $?) $(head -c 300 "$OUT")"; fi
  g demo-token image-delete "$E" || fail "$step" "could not delete $E"
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
