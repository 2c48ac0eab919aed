#!/usr/bin/env bash
# Pack install and upgrade times, one command: `bash bench/packs.sh` (see bench/README.md).
#   install — each pack of the market into a fresh tenant through the API, RUNS times each: the
#             server's own figure (duration_ms: the one transaction) and the request's wall time;
#   upgrade — the sales pack to its next version (the test fixture Tests/TesseraServerTests/
#             Fixtures/sales-next: labels, a longer and a shorter text, a new field, a dropped
#             automation and view) on a tenant holding 1,000,000 leads; a dry run, then the upgrade.
# Floor: one trivial metadata change on the same tenant (an entity's label): the fixed cost of a
# metadata transaction (the tenant's lock, loading and checking its metadata, the revision).
set -euo pipefail

NAME=packs
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$BENCH/results/packs
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench-packs}
LEADS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-5}
TENANT=packs
SCHEMA=t_$TENANT
SERVER_PID=""

bench_prepare "$TENANT" "Packs Co."
ADMIN=$TENANT_KEY
OPERATOR=$(cat "$DATA/admin-token")

# The market the upgrade reads: the repository's, with the sales pack's next version laid over it.
NEXT=$WORK/market-next
rm -rf "$NEXT"; cp -r "$REPO/templates-market" "$NEXT"
FIXTURE=$REPO/Tests/TesseraServerTests/Fixtures/sales-next
(cd "$FIXTURE" && find . -name '*.yaml' -exec cp --parents {} "$NEXT/sales/" \;)
grep -v '^#' "$FIXTURE/REMOVED" | while read -r file; do [ -n "$file" ] && rm "$NEXT/sales/$file"; done

start_server() { # MARKET
  PORT=$(bench_free_port)
  URL=http://$HOST:$PORT
  "$BIN" serve --data-dir "$DATA" --host "$HOST" --port "$PORT" --packs-dir "$1" >> "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  bench_wait_healthz "$URL" "$SERVER_PID" "$WORK/server.log"
}
api() { # METHOD PATH KEY [BODY]
  local body=()
  [ $# -ge 4 ] && body=(--data-binary "$4")
  curl -sf -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' "${body[@]}" "$URL$2"
}
timed() { # OUT METHOD PATH KEY [BODY]: the body into OUT, prints the wall time in ms
  local out=$1; shift
  local t0 t1; t0=$(now)
  api "$@" > "$out" || die "$2 $3 failed: $(cat "$out")"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b - a) * 1000}'
}
json() { python3 "$BENCH/tools.py" json-field "$1" "$2"; }
median() { sort -n | awk '{v[NR]=$1} END{printf "%.1f", (NR % 2 ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2)}'; }

start_server "$REPO/templates-market"
bench_pg_env "$DATA"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

api GET /api/v1/packs "$ADMIN" > "$WORK/catalogue.json"
PACK_IDS=$(python3 -c "import json,sys; print(' '.join(p['id'] for p in json.load(open(sys.argv[1]))['data']))" "$WORK/catalogue.json")
requires() { # PACK: the packs it requires, installed first and not timed (crm needs sales)
  python3 -c "import json,sys; print(' '.join(r['id'] for p in json.load(open(sys.argv[1]))['data'] if p['id'] == sys.argv[2] for r in p['requires']))" \
    "$WORK/catalogue.json" "$1"
}
: > "$WORK/install.txt"
for pack in $PACK_IDS; do
  log "installing $pack into $RUNS fresh tenants"
  for ((i = 1; i <= RUNS; i++)); do
    slug=i_${pack}_$i
    api POST /api/v1/tenants "$OPERATOR" "{\"slug\":\"$slug\",\"name\":\"$slug\"}" > "$WORK/t.json"
    key=$(json "$WORK/t.json" api_key)
    for required in $(requires "$pack"); do api POST "/api/v1/packs/$required/install" "$key" > /dev/null; done
    wall=$(timed "$WORK/i.json" POST "/api/v1/packs/$pack/install" "$key")
    echo "$pack $(json "$WORK/i.json" duration_ms) $wall" >> "$WORK/install.txt"
  done
done

log "installing sales into $TENANT and loading $LEADS leads"
api POST /api/v1/packs/sales/install "$ADMIN" > /dev/null
api GET /api/v1/meta/entities/lead "$ADMIN" > "$WORK/lead-meta.json"
python3 "$BENCH/tools.py" load-sql "$WORK/lead-meta.json" "$SCHEMA" "$LEADS" > "$WORK/load-lead.sql"
"${PSQL[@]}" -f "$WORK/load-lead.sql"
"${PSQL[@]}" -c "VACUUM ANALYZE $SCHEMA.lead"
log "$("${PSQL[@]}" -At -c "SELECT count(*) || ' leads, ' || pg_size_pretty(pg_total_relation_size('$SCHEMA.lead')) FROM $SCHEMA.lead")"

bench_stop "$SERVER_PID"; SERVER_PID=""
start_server "$NEXT"
# The floor: one label change, RUNS times (each a metadata transaction and a revision).
: > "$WORK/floor.txt"
for ((i = 1; i <= RUNS; i++)); do
  timed "$WORK/f.json" PATCH /api/v1/meta/entities/lead "$ADMIN" "{\"label\":{\"zh-CN\":\"线索$i\",\"en\":\"Lead $i\"}}" >> "$WORK/floor.txt"
  echo >> "$WORK/floor.txt"
done
DRY_WALL=$(timed "$WORK/dry.json" POST "/api/v1/packs/sales/upgrade?dry_run=true" "$ADMIN")
UP_WALL=$(timed "$WORK/upgrade.json" POST /api/v1/packs/sales/upgrade "$ADMIN")
"${PSQL[@]}" -At -c "SELECT count(*) FROM $SCHEMA.lead WHERE budget_range IS NULL" > "$WORK/after.txt"

python3 - "$WORK" "$LEADS" "$DRY_WALL" "$UP_WALL" <<'PY' | tee "$WORK/summary.txt"
import json, statistics, sys
work, leads, dry_wall, up_wall = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
rows = [line.split() for line in open(f"{work}/install.txt") if line.strip()]
floor = statistics.median(float(x) for x in open(f"{work}/floor.txt").read().split())
dry, up = json.load(open(f"{work}/dry.json")), json.load(open(f"{work}/upgrade.json"))
print(f"Pack install and upgrade ({len(rows) // len({r[0] for r in rows})} runs per pack; medians)")
for pack in sorted({r[0] for r in rows}):
    server = statistics.median(float(r[1]) for r in rows if r[0] == pack)
    wall = statistics.median(float(r[2]) for r in rows if r[0] == pack)
    print(f"  install {pack:<8} server {server:8.1f} ms   request {wall:8.1f} ms   (target < 1000 ms)")
m = up["merge"]
print(f"  upgrade sales {up['from']} → {up['to']} on {leads:,} leads: server {up['duration_ms']:.1f} ms, request {up_wall:.1f} ms "
      f"(target < 1000 ms); dry run {dry['duration_ms']:.1f} ms")
print(f"    merge: {len(m['updated'])} updated, {len(m['kept'])} kept, {len(m['added'])} added, {len(m['deactivated'])} deactivated, "
      f"{len(m['conflicts'])} conflicts")
print(f"  floor: one label change (a metadata transaction) {floor:.1f} ms;  upgrade / floor = {up_wall / floor:.1f}")
print(f"  leads without the new field's value after the upgrade (no rewrite, the column is new): {open(f'{work}/after.txt').read().strip()}")
PY
