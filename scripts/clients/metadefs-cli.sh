#!/usr/bin/env bash
# The metadata definitions catalog end to end: loads Debian's metadef files (glance-common) with
# `npm run metadefs:load` into the running service's state, checks what it lists against Glance 25's answers for
# the same files (scripts/metadefs/compare-catalog.mjs), then drives every `glance md-*` command of
# python-glanceclient 4.1 (namespaces, resource types, properties, objects, tags) and `npm run metadefs:export`.
#
#   OS_IMAGE_URL  service endpoint (default http://127.0.0.1:8787); tokens from dev-tokens.json
#   PERSIST_DIR   the service's local state (as given to scripts/dev.sh); without it the load and export
#                 steps are skipped and the catalog must already be loaded
#   METADEFS_DIR  metadef files (default /usr/share/glance-common/metadefs)
# Prints one PASS/FAIL line per step and ends with "N passed, N failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
OS_IMAGE_URL="${OS_IMAGE_URL:-http://127.0.0.1:8787}"
METADEFS_DIR="${METADEFS_DIR:-/usr/share/glance-common/metadefs}"
unset OS_AUTH_URL OS_CLOUD OS_USERNAME OS_PASSWORD OS_PROJECT_NAME OS_IMAGE_API_VERSION

work="$(mktemp -d "${TMPDIR:-/tmp}/metadefs-cli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
GHOME="$work/home"
mkdir -p "$GHOME"
passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1: $2"; }

n=0
OUT=""
# g TOKEN ARGS...: one glance command (shared HOME, so the client caches the service's schemas as users' do).
g() {
  local token="$1"
  shift
  n=$((n + 1))
  OUT="$work/$(printf '%02d' "$n")-$1"
  HOME="$GHOME" glance --os-image-url "$OS_IMAGE_URL" --os-auth-token "$token" "$@" >"$OUT" 2>"$OUT.err" <&-
}
why() { echo "exit $1; $(grep -v '^\s*$' "$OUT.err" | tail -n 1 | cut -c1-300)"; }
# field FILE KEY: the value of KEY in a Property/Value table.
field() { awk -F'|' -v k="$2" '{ key = $2; gsub(/^ +| +$/, "", key); if (key == k) { v = $3; gsub(/^ +| +$/, "", v); print v; exit } }' "$1"; }
# column FILE: the first column of a list table (header excluded).
column() { awk -F'|' 'NR > 3 && NF > 2 { v = $2; gsub(/^ +| +$/, "", v); if (v != "") print v }' "$1"; }
# ok STEP TEST...: passes when the command succeeded and TEST (a shell test on its output) holds.
ok() {
  local step="$1" rc="$2"
  shift 2
  if [[ $rc -ne 0 ]]; then fail "$step" "$(why "$rc")"
  elif "$@"; then pass "$step"
  else fail "$step" "unexpected output: $(tr -s ' \n-+' ' ' < "$OUT" | head -c 300)"; fi
}
refused() { # refused STEP CODE: the command failed with HTTP CODE
  if [[ $2 -eq 0 ]]; then fail "$1" "it succeeded"
  elif grep -q "$3" "$OUT.err"; then pass "$1"
  else fail "$1" "expected $3: $(why "$2")"; fi
}
has() { grep -qE -- "$1" "$OUT"; }
lacks() { ! grep -qE -- "$1" "$OUT"; }

# --- the Debian catalog ------------------------------------------------------------------------------
if [[ -n "${PERSIST_DIR:-}" && -d "$METADEFS_DIR" ]]; then
  if npm run -s metadefs:load -- "$METADEFS_DIR" > "$work/load.out" 2>&1; then
    if grep -qE '^(33|[0-9]+) namespace\(s\) loaded' "$work/load.out"; then pass "metadefs:load $METADEFS_DIR: $(tail -n 1 "$work/load.out")"
    else fail "metadefs:load" "$(tail -n 3 "$work/load.out")"; fi
  else fail "metadefs:load" "$(tail -n 5 "$work/load.out")"; fi
  if npm run -s metadefs:load -- "$METADEFS_DIR" > "$work/load2.out" 2>&1 && grep -qE '^0 namespace\(s\) loaded, [0-9]+ already present' "$work/load2.out"; then
    pass "metadefs:load again changes nothing: $(tail -n 1 "$work/load2.out")"
  else fail "metadefs:load again" "$(tail -n 3 "$work/load2.out")"; fi
else
  echo "(load skipped: no PERSIST_DIR or no $METADEFS_DIR; the catalog must already be loaded)"
fi

node scripts/metadefs/compare-catalog.mjs "$OS_IMAGE_URL" > "$work/compare.out" 2>&1
sed 's/^/  compare: /' "$work/compare.out" | grep -v '^  compare:   ours'
summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/compare.out" | tail -n 1)"
if [[ -n "$summary" ]]; then
  passed=$((passed + ${summary%% passed*}))
  f="${summary#*, }"
  failed=$((failed + ${f%% failed}))
else fail "compare-catalog" "no summary: $(tail -n 3 "$work/compare.out")"; fi

g admin-token md-namespace-list; rc=$?
ok "md-namespace-list (admin): all 33 Debian namespaces" $rc test "$(column "$OUT" | grep -cE '^(OS|CIM)::')" -ge 33
g demo-token md-namespace-list --page-size 5; rc=$?
ok "md-namespace-list --page-size 5 (demo): public ones only" $rc has 'OS::Compute::Watchdog'
lacks 'OS::OperatingSystem' && pass "demo does not see OS::OperatingSystem (no visibility: private to owner admin)" || fail "demo sees a private namespace" "OS::OperatingSystem listed"
g demo-token md-namespace-list --resource-types OS::Nova::Flavor --visibility public; rc=$?
ok "md-namespace-list --resource-types OS::Nova::Flavor --visibility public" $rc eval 'has OS::Compute::Watchdog && lacks OS::Software::DBMS'
g demo-token md-resource-type-list; rc=$?
ok "md-resource-type-list: the 6 resource types" $rc test "$(column "$OUT" | wc -l)" -eq 6
g demo-token md-namespace-show OS::Compute::Watchdog --resource-type OS::Nova::Flavor; rc=$?
ok "md-namespace-show --resource-type OS::Nova::Flavor (prefix hw:)" $rc has 'hw:watchdog_action'
g demo-token md-namespace-resource-type-list OS::Compute::Watchdog; rc=$?
ok "md-namespace-resource-type-list" $rc eval 'has "OS::Nova::Flavor +\| hw:" && has "OS::Cinder::Volume +\| hw_ +\| image"'
g demo-token md-property-list OS::Compute::Watchdog; rc=$?
ok "md-property-list" $rc has 'watchdog_action +\| Watchdog Action +\| string'
g demo-token md-property-show OS::Compute::Watchdog watchdog_action; rc=$?
ok "md-property-show" $rc eval '[[ "$(field "$OUT" title)" == "Watchdog Action" ]]'
g demo-token md-object-list OS::Software::DBMS; rc=$?
ok "md-object-list" $rc eval 'has MySQL && has PostgreSQL'
g demo-token md-object-property-show OS::Software::DBMS MySQL sw_database_mysql_version; rc=$?
ok "md-object-property-show" $rc eval '[[ "$(field "$OUT" name)" == sw_database_mysql_version ]]'

# --- a namespace of our own --------------------------------------------------------------------------
RUN="$(date +%s)-$$"
NS="cli-$RUN"
g admin-token md-namespace-create "$NS" --display-name "CLI $RUN" --description "made by metadefs-cli.sh" --visibility public; rc=$?
ok "md-namespace-create" $rc eval '[[ "$(field "$OUT" namespace)" == "$NS" && "$(field "$OUT" visibility)" == public ]]'
g demo-token md-namespace-create "cli-$RUN-demo"; rc=$?
refused "md-namespace-create as a member is refused (403)" $rc 403
g admin-token md-namespace-update "$NS" --display-name "CLI renamed" --protected True; rc=$?
ok "md-namespace-update --display-name --protected True" $rc eval '[[ "$(field "$OUT" display_name)" == "CLI renamed" && "$(field "$OUT" protected)" == True ]]'
g admin-token md-namespace-delete "$NS"; rc=$?
refused "md-namespace-delete of a protected namespace is refused (403)" $rc 403
g admin-token md-namespace-update "$NS" --protected False; rc=$?
ok "md-namespace-update --protected False" $rc eval '[[ "$(field "$OUT" protected)" == False && "$(field "$OUT" display_name)" == "CLI renamed" ]]'

g admin-token md-resource-type-associate "$NS" --name OS::Glance::Image --prefix cli_; rc=$?
ok "md-resource-type-associate --prefix" $rc eval '[[ "$(field "$OUT" name)" == OS::Glance::Image && "$(field "$OUT" prefix)" == cli_ ]]'
g admin-token md-property-create "$NS" --name speed --title Speed --schema '{"type": "integer", "minimum": 1, "default": 3}'; rc=$?
ok "md-property-create" $rc eval '[[ "$(field "$OUT" name)" == speed && "$(field "$OUT" default)" == 3 ]]'
g admin-token md-property-create "$NS" --name speed --title Again --schema '{"type": "string"}'; rc=$?
refused "md-property-create of a taken name is refused (409)" $rc 409
g admin-token md-property-update "$NS" speed --title "Speed (rpm)" --schema '{"type": "integer", "maximum": 9000}'; rc=$?
ok "md-property-update --title --schema" $rc eval '[[ "$(field "$OUT" title)" == "Speed (rpm)" && "$(field "$OUT" maximum)" == 9000 ]]'
g demo-token md-namespace-show "$NS" --resource-type OS::Glance::Image; rc=$?
ok "md-namespace-show --resource-type: prefixed property" $rc has 'cli_speed'
g admin-token md-object-create "$NS" --name Disk --schema '{"description": "A disk", "required": ["size"], "properties": {"size": {"type": "integer", "title": "Size"}}}'; rc=$?
ok "md-object-create" $rc eval '[[ "$(field "$OUT" name)" == Disk && "$(field "$OUT" description)" == "A disk" ]]'
g admin-token md-object-update "$NS" Disk --name Drive; rc=$?
ok "md-object-update --name" $rc eval '[[ "$(field "$OUT" name)" == Drive ]]'
g demo-token md-object-show "$NS" Drive; rc=$?
ok "md-object-show" $rc eval '[[ "$(field "$OUT" name)" == Drive ]] && has size'
g admin-token md-tag-create "$NS" --name first; rc=$?
ok "md-tag-create" $rc eval '[[ "$(field "$OUT" name)" == first ]]'
g admin-token md-tag-create-multiple "$NS" --names "a,b,c"; rc=$?
ok "md-tag-create-multiple (replaces the tags)" $rc eval 'has "\| a +\|" && has "\| c +\|"'
# python-glanceclient 4.1's --append dies in the client before sending ("quote_from_bytes() expected bytes": it
# sets the header to the boolean True); curl sends the request the client means to.
status="$(curl -s -o "$work/append.json" -w '%{http_code}' -X POST -H "X-Auth-Token: admin-token" -H "Content-Type: application/json" \
  -H "X-Openstack-Append: True" -d '{"tags": [{"name": "d"}]}' "$OS_IMAGE_URL/v2/metadefs/namespaces/$NS/tags")"
if [[ "$status" == 201 ]] && grep -q '"d"' "$work/append.json"; then pass "POST …/tags with X-Openstack-Append: True (what md-tag-create-multiple --append sends)"
else fail "POST …/tags with X-Openstack-Append: True" "status $status: $(head -c 200 "$work/append.json")"; fi
g demo-token md-tag-list "$NS"; rc=$?
ok "md-tag-list: a b c d, first replaced" $rc eval '[[ "$(column "$OUT" | sort | tr "\n" " ")" == "a b c d " ]]'
g admin-token md-tag-update "$NS" a --name alpha; rc=$?
ok "md-tag-update --name" $rc eval '[[ "$(field "$OUT" name)" == alpha ]]'
g demo-token md-tag-show "$NS" alpha; rc=$?
ok "md-tag-show" $rc eval '[[ "$(field "$OUT" name)" == alpha ]]'
g admin-token md-tag-delete "$NS" alpha; rc=$?
ok "md-tag-delete" $rc true
g admin-token md-namespace-tags-delete "$NS" && g demo-token md-tag-list "$NS"; rc=$?
ok "md-namespace-tags-delete" $rc test "$(column "$OUT" | wc -l)" -eq 0
g admin-token md-object-delete "$NS" Drive; rc=$?
ok "md-object-delete" $rc true
g admin-token md-object-create "$NS" --name Other --schema '{}' && g admin-token md-namespace-objects-delete "$NS" && g demo-token md-object-list "$NS"; rc=$?
ok "md-namespace-objects-delete" $rc test "$(column "$OUT" | wc -l)" -eq 0
g admin-token md-property-delete "$NS" speed; rc=$?
ok "md-property-delete" $rc true
g admin-token md-property-create "$NS" --name p2 --title P2 --schema '{"type": "boolean"}' && g admin-token md-namespace-properties-delete "$NS" && g demo-token md-property-list "$NS"; rc=$?
ok "md-namespace-properties-delete" $rc test "$(column "$OUT" | wc -l)" -eq 0
g admin-token md-resource-type-deassociate "$NS" OS::Glance::Image && g demo-token md-namespace-resource-type-list "$NS"; rc=$?
ok "md-resource-type-deassociate" $rc lacks 'OS::Glance::Image'

cat > "$work/import.json" <<JSON
{"namespace": "$NS-imported", "display_name": "Imported", "visibility": "private",
 "resource_type_associations": [{"name": "OS::Nova::Flavor", "prefix": "imp:"}],
 "properties": {"color": {"title": "Color", "type": "string", "enum": ["red", "blue"]}},
 "objects": [{"name": "Box", "properties": {"side": {"title": "Side", "type": "number"}}}],
 "tags": [{"name": "imported"}]}
JSON
g admin-token md-namespace-import --file "$work/import.json"; rc=$?
ok "md-namespace-import --file (namespace with contents)" $rc eval 'has color && has Box && has imported'
g demo-token md-namespace-show "$NS-imported"; rc=$?
refused "a private namespace is hidden from other projects (404)" $rc 404
g admin-token md-namespace-delete "$NS-imported" && g admin-token md-namespace-delete "$NS"; rc=$?
ok "md-namespace-delete" $rc true
g admin-token md-namespace-show "$NS"; rc=$?
refused "md-namespace-show after delete (404)" $rc 404

# --- export --------------------------------------------------------------------------------------------
if [[ -n "${PERSIST_DIR:-}" ]]; then
  if npm run -s metadefs:export -- "$work/export" > "$work/export.out" 2>&1 && [[ -f "$work/export/WatchdogBehavior.json" ]]; then
    if node -e 'const d = JSON.parse(require("fs").readFileSync(process.argv[1])); process.exit(d.namespace === "OS::Compute::Watchdog" && d.properties.watchdog_action ? 0 : 1)' "$work/export/WatchdogBehavior.json"; then
      pass "metadefs:export: $(tail -n 1 "$work/export.out")"
    else fail "metadefs:export" "WatchdogBehavior.json lacks its namespace or property"; fi
  else fail "metadefs:export" "$(tail -n 3 "$work/export.out")"; fi
fi

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
