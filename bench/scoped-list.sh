#!/usr/bin/env bash
# Scoped-list benchmark, one command: `bash bench/scoped-list.sh` (see bench/README.md).
# 1,000,000 customers of the sales pack owned by 100 sales reps (1 % each). Measures the same
# filtered list page through HTTP (wrk) for one rep (role sales_rep: read scope `own`) and for
# the tenant admin (everything), and the same SQL straight on PostgreSQL (pgbench) as the floor.
# Target: the rep's list is no slower than the admin's (the scope must use an index).
set -euo pipefail

NAME=scoped
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$BENCH/results/scoped
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench-scoped}
ROWS=${BENCH_ROWS:-1000000}
OWNERS=${BENCH_OWNERS:-100}
INDUSTRY=medical                           # the filter: industry=eq.medical
TENANT=scoped
SCHEMA=t_$TENANT
SERVER_PID=""

bench_prepare "$TENANT" "Scoped Co."
ADMIN=$TENANT_KEY
"$BIN" pack install sales --tenant "$TENANT" --data-dir "$DATA" "${PACKS[@]}" > "$WORK/pack.txt" 2> "$WORK/pack.log" || die "$(tail -5 "$WORK/pack.log")"

PORT=$(bench_free_port)
URL=http://$HOST:$PORT
"$BIN" serve --data-dir "$DATA" --host "$HOST" --port "$PORT" "${PACKS[@]}" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
bench_wait_healthz "$URL" "$SERVER_PID" "$WORK/server.log"
bench_pg_env "$DATA"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

api() { # METHOD PATH KEY [BODY]
  local body=()
  [ $# -ge 4 ] && body=(--data-binary "$4")
  curl -sf -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' "${body[@]}" "$URL$2"
}

log "creating $OWNERS sales reps through the users API"
"${PSQL[@]}" -c "CREATE SCHEMA IF NOT EXISTS tessera_bench; DROP TABLE IF EXISTS tessera_bench.owners; CREATE TABLE tessera_bench.owners (n int PRIMARY KEY, id uuid NOT NULL)"
for ((n = 1; n <= OWNERS; n++)); do
  id=$(api POST /api/v1/users "$ADMIN" "{\"name\":\"Rep $n\",\"email\":\"rep$n@example.com\",\"roles\":[\"sales_rep\"]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  "${PSQL[@]}" -c "INSERT INTO tessera_bench.owners VALUES ($n, '$id')"
  [ "$n" = 1 ] && REP_ID=$id
done
REP=$(api POST "/api/v1/users/$REP_ID/api-keys" "$ADMIN" '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')

api GET /api/v1/meta/entities/customer "$ADMIN" > "$WORK/customer-meta.json"
python3 "$BENCH/tools.py" load-sql "$WORK/customer-meta.json" "$SCHEMA" "$ROWS" tessera_bench.owners > "$WORK/load.sql"
log "loading $ROWS customers, each rep owning $((ROWS / OWNERS))"
"${PSQL[@]}" -f "$WORK/load.sql"
"${PSQL[@]}" -c "VACUUM ANALYZE $SCHEMA.customer"
log "$("${PSQL[@]}" -At -c "SELECT count(*) || ' customers, ' || count(*) FILTER (WHERE owner_id = '$REP_ID') || ' owned by the rep, ' || count(*) FILTER (WHERE industry = '$INDUSTRY') || ' with industry=$INDUSTRY, ' || count(*) FILTER (WHERE industry = '$INDUSTRY' AND owner_id = '$REP_ID') || ' both' FROM $SCHEMA.customer")"

LIST="/api/v1/data/customer?industry=eq.$INDUSTRY&limit=50"
# The server's SQL for both callers, as PostgreSQL logs it (the floor below is the same query).
PG_LOG=$DATA/pg/server.log
offset=$(stat -c %s "$PG_LOG")
"${PSQL[@]}" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null; sleep 1
api GET "$LIST" "$REP" > "$WORK/sample-rep.json"; api GET "$LIST" "$ADMIN" > "$WORK/sample-admin.json"
"${PSQL[@]}" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
tail -c +"$((offset + 1))" "$PG_LOG" | grep -A2 "$SCHEMA\"*.\"*customer" > "$WORK/server-sql.txt" || true
python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
rep, admin = (json.load(open(f"{w}/sample-{k}.json"))["data"] for k in ("rep", "admin"))
assert rep and admin, "a list came back empty"
PY
# The floor: each captured statement with its parameters written in, run by pgbench.
python3 - "$WORK" <<'PY'
import re, sys
w = sys.argv[1]
lines = open(f"{w}/server-sql.txt", encoding="utf-8").read().splitlines()
found = []
for i, line in enumerate(lines):
    m = re.search(r"execute [^:]+: (SELECT row_to_json.*)$", line)
    if not m:
        continue
    sql = m.group(1)
    detail = next((l for l in lines[i + 1:i + 3] if "parameters:" in l), "")
    params = dict(re.findall(r"\$(\d+) = ('(?:[^']|'')*')", detail))
    found.append(re.sub(r"\$(\d+)", lambda p: params[p.group(1)], sql) + ";")
assert len(found) == 2, found
rep, admin = (found[0], found[1]) if "owner_id" in found[0] else (found[1], found[0])
open(f"{w}/rep.sql", "w").write(rep + "\n")
open(f"{w}/admin.sql", "w").write(admin + "\n")
PY
for who in rep admin; do
  "${PSQL[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) $(cat "$WORK/$who.sql")" > "$WORK/explain-$who.txt"
done

WRK=(wrk -t"$THREADS" -c"$CONNS" --timeout 30s -s "$BENCH/wrk/bench.lua")
http_rps() { # KEY
  "${WRK[@]}" -H "Authorization: Bearer $1" -d"${WARMUP}s" "$URL" -- list "$LIST" > /dev/null 2>&1
  "${WRK[@]}" -H "Authorization: Bearer $1" -d"${DURATION}s" "$URL" -- list "$LIST" > "$WORK/wrk-$2.txt" 2>&1
  local bad; bad=$(sed -n 's/^BENCH_NON2XX=//p' "$WORK/wrk-$2.txt")
  [ "$bad" = 0 ] || die "$2: $bad responses were not 2xx: $(grep BENCH_SAMPLE "$WORK/wrk-$2.txt")"
  sed -n 's/^BENCH_RPS=//p' "$WORK/wrk-$2.txt"
}
floor_tps() { # WHO
  pgbench -n -M prepared -c "$CONNS" -j "$THREADS" -f "$WORK/$1.sql" -T "$WARMUP" > /dev/null 2>&1
  pgbench -n -M prepared -c "$CONNS" -j "$THREADS" -f "$WORK/$1.sql" -T "$DURATION" > "$WORK/pgbench-$1.txt" 2>&1
  sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/pgbench-$1.txt" | tail -1
}
log "measuring ($DURATION s each, $CONNS connections; rep and admin alternate, twice, best of two kept)"
best() { awk -v a="$1" -v b="$2" 'BEGIN{print (a > b ? a : b)}'; }
r1=$(http_rps "$REP" rep); a1=$(http_rps "$ADMIN" admin); r2=$(http_rps "$REP" rep); a2=$(http_rps "$ADMIN" admin)
log "HTTP rep $r1, $r2; admin $a1, $a2 req/s"
REP_HTTP=$(best "$r1" "$r2"); ADMIN_HTTP=$(best "$a1" "$a2")
REP_FLOOR=$(floor_tps rep); ADMIN_FLOOR=$(floor_tps admin)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }
{
  echo "Scoped list over $ROWS customers, $OWNERS owners; GET $LIST ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs)"
  printf '  %-26s %10s req/s\n' "rep (read: own) via HTTP" "$REP_HTTP" "admin via HTTP" "$ADMIN_HTTP" \
    "rep SQL via pgbench" "$REP_FLOOR" "admin SQL via pgbench" "$ADMIN_FLOOR"
  echo "  rep / admin over HTTP:   $(ratio "$REP_HTTP" "$ADMIN_HTTP")   (target >= 1.00: the scoped list is no slower)"
  echo "  rep HTTP / rep floor:    $(ratio "$REP_HTTP" "$REP_FLOOR")"
  echo "  admin HTTP / its floor:  $(ratio "$ADMIN_HTTP" "$ADMIN_FLOOR")"
  echo "  rep plan:   $(grep -m1 -oE '(Index|Bitmap|Seq)[^(]* on [a-z_]+' "$WORK/explain-rep.txt" || echo '?')   $(grep -m1 'Execution Time' "$WORK/explain-rep.txt" | sed 's/^ *//')"
  echo "  admin plan: $(grep -m1 -oE '(Index|Bitmap|Seq)[^(]* on [a-z_]+' "$WORK/explain-admin.txt" || echo '?')   $(grep -m1 'Execution Time' "$WORK/explain-admin.txt" | sed 's/^ *//')"
} | tee "$WORK/summary.txt"
