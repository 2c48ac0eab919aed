#!/usr/bin/env bash
# Aggregates benchmark, one command: `bash bench/aggregate.sh` (see bench/README.md).
# The sales pack with 1,000,000 leads owned by 100 reps:
#   all  — the admin's `GET /api/v1/data/lead/aggregate?group=industry,status&metrics=count,sum(estimated_amount)`:
#          every live lead read, grouped by industry × status;
#   rep  — the same for one rep: their read scope makes it 1/100 of the rows;
#   funnel, dwell — `GET /api/v1/metrics/funnel|dwell?entity=opportunity` over 100,000
#          opportunities with 500,000 stage-history rows.
# Floors: the same figures written by hand in SQL (aggregates), and the SQL the server ran
# (captured from PostgreSQL's log), both through pgbench with the same concurrency.
set -euo pipefail

NAME=aggregate
CONNS_DEFAULT=4
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$BENCH/results/aggregate
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench-aggregate}
LEADS=${BENCH_ROWS:-1000000}
OWNERS=${BENCH_OWNERS:-100}
OPPORTUNITIES=${BENCH_OPPORTUNITIES:-100000}
TENANT=agg
SCHEMA=t_$TENANT
SERVER_PID=""

bench_prepare "$TENANT" "Aggregates Co."
ADMIN=$TENANT_KEY
"$BIN" pack install sales --tenant "$TENANT" --data-dir "$DATA" "${PACKS[@]}" > "$WORK/pack.txt" 2> "$WORK/pack.log" || die "$(tail -5 "$WORK/pack.log")"

PORT=$(bench_free_port)
URL=http://$HOST:$PORT
"$BIN" serve --data-dir "$DATA" --host "$HOST" --port "$PORT" "${PACKS[@]}" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
bench_wait_healthz "$URL" "$SERVER_PID" "$WORK/server.log"
bench_pg_env "$DATA"
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

api() { # METHOD PATH KEY
  curl -sf -X "$1" -H "Authorization: Bearer $3" -H 'Content-Type: application/json' "${@:4}" "$URL$2"
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

log "creating $OWNERS sales reps through the users API"
"${PSQL[@]}" -c "CREATE SCHEMA IF NOT EXISTS tessera_bench; DROP TABLE IF EXISTS tessera_bench.owners; CREATE TABLE tessera_bench.owners (n int PRIMARY KEY, id uuid NOT NULL)"
for ((n = 1; n <= OWNERS; n++)); do
  id=$(api POST /api/v1/users "$ADMIN" --data-binary "{\"name\":\"Rep $n\",\"email\":\"rep$n@example.com\",\"roles\":[\"sales_rep\"]}" | field '["id"]')
  "${PSQL[@]}" -c "INSERT INTO tessera_bench.owners VALUES ($n, '$id')"
  [ "$n" = 1 ] && REP_ID=$id
done
REP=$(api POST "/api/v1/users/$REP_ID/api-keys" "$ADMIN" --data-binary '{"name":"bench"}' | field '["key"]')
CUSTOMER=$(api POST /api/v1/data/customer "$ADMIN" --data-binary '{"name":"Bench Customer"}' | field '["id"]')

api GET /api/v1/meta/entities/lead "$ADMIN" > "$WORK/lead-meta.json"
api GET /api/v1/meta/entities/opportunity "$ADMIN" > "$WORK/opportunity-meta.json"
python3 - "$BENCH" "$WORK" "$SCHEMA" "$LEADS" "$OPPORTUNITIES" "$CUSTOMER" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import tools
bench, work, schema, leads, opportunities, customer = sys.argv[1:]
open(f"{work}/load-lead.sql", "w").write(tools.load_sql(f"{work}/lead-meta.json", schema, leads, "tessera_bench.owners") + "\n")
# Every opportunity needs its customer: one customer holds them all.
sql = tools.load_sql(f"{work}/opportunity-meta.json", schema, opportunities, "tessera_bench.owners")
head, rest = sql.split(")\nSELECT ", 1)
sql = head + ', "customer")\nSELECT ' + rest.replace("\nFROM (SELECT i", f", '{customer}'::uuid\nFROM (SELECT i", 1)
open(f"{work}/load-opportunity.sql", "w").write(sql + "\n")
PY
log "loading $LEADS leads and $OPPORTUNITIES opportunities, each rep owning 1/$OWNERS"
"${PSQL[@]}" -f "$WORK/load-lead.sql"
"${PSQL[@]}" -f "$WORK/load-opportunity.sql"
# Five stage changes per opportunity, 1 to 72 hours apart (as the server writes them: one row per move).
"${PSQL[@]}" -c "INSERT INTO $SCHEMA._stage_history (entity, record_id, field, from_stage, to_stage, at)
  SELECT 'opportunity', o.id, 'stage', CASE WHEN s.n = 1 THEN NULL ELSE a.st[s.n - 1] END, a.st[s.n],
         now() - interval '200 days' + s.n * (1 + abs(hashtext(o.id::text)) % 72) * interval '1 hour'
  FROM $SCHEMA.opportunity o CROSS JOIN generate_series(1, 5) s(n)
  CROSS JOIN (SELECT ARRAY['initial_contact', 'technical_exchange', 'quotation', 'negotiation', 'contract_review'] AS st) a
  ORDER BY o.id, s.n"
"${PSQL[@]}" -c "VACUUM ANALYZE $SCHEMA.lead" -c "VACUUM ANALYZE $SCHEMA.opportunity" -c "VACUUM ANALYZE $SCHEMA._stage_history"
log "$("${PSQL[@]}" -At -c "SELECT count(*) || ' stage-history rows' FROM $SCHEMA._stage_history")"

QUERY='group=industry,status&metrics=count,sum(estimated_amount)'
AGG="/api/v1/data/lead/aggregate?$QUERY"

# The server's SQL, as PostgreSQL logs it (with its parameters).
PG_LOG=$DATA/pg/server.log
"${PSQL[@]}" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null; sleep 1
FUNNEL=/api/v1/metrics/funnel?entity=opportunity
DWELL=/api/v1/metrics/dwell?entity=opportunity
capture() { # NAME KEY PATH
  local offset; offset=$(stat -c %s "$PG_LOG")
  api GET "$3" "$2" > "$WORK/sample-$1.json"
  sleep 0.5
  tail -c +"$((offset + 1))" "$PG_LOG" > "$WORK/log-$1.txt"
}
capture all "$ADMIN" "$AGG"; capture rep "$REP" "$AGG"; capture funnel "$ADMIN" "$FUNNEL"; capture dwell "$ADMIN" "$DWELL"
"${PSQL[@]}" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
python3 - "$WORK" "$SCHEMA" "$REP_ID" <<'PY'
import json, re, sys
work, schema, rep = sys.argv[1:]

def statements(name):
    """The statements the server ran for one request (they start WITH), parameters written in."""
    lines = open(f"{work}/log-{name}.txt", encoding="utf-8").read().splitlines()
    out = []
    for i, line in enumerate(lines):
        m = re.search(r"execute [^:]+: (WITH .*)$", line)
        if not m:
            continue
        detail = next((l for l in lines[i + 1:i + 3] if "parameters:" in l), "")
        params = dict(re.findall(r"\$(\d+) = ('(?:[^']|'')*')", detail))
        out.append(re.sub(r"\$(\d+)", lambda p: params[p.group(1)], m.group(1)) + ";")
    assert out, f"no statement captured for {name}"
    return out

for name in ("all", "rep", "funnel", "dwell"):
    open(f"{work}/{name}-generated.sql", "w").write("\n".join(statements(name)) + "\n")
for name in ("all", "rep"):
    answer = json.load(open(f"{work}/sample-{name}.json"))
    assert answer["data"], f"the {name} aggregate came back empty"
funnel = json.load(open(f"{work}/sample-funnel.json"))
assert funnel["stages"][0]["entered"] > 0, "the funnel came back empty"

# By hand: the same figures as a developer writes them (the rep's: their own rows).
base = f"SELECT l.industry, l.status, count(*), sum(l.estimated_amount) FROM {schema}.lead l WHERE l.deleted_at IS NULL"
tail = " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 100;\n"
open(f"{work}/all-hand.sql", "w").write(base + tail)
open(f"{work}/rep-hand.sql", "w").write(base + f" AND l.owner_id = '{rep}'" + tail)
total = sum(row["count"] for row in json.load(open(f"{work}/sample-all.json"))["data"])
print(f"{total} leads in {len(json.load(open(f'{work}/sample-all.json'))['data'])} groups")
PY
"${PSQL[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) $(head -1 "$WORK/all-generated.sql")" > "$WORK/explain-all.txt"
"${PSQL[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) $(head -1 "$WORK/rep-generated.sql")" > "$WORK/explain-rep.txt"
"${PSQL[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) $(head -1 "$WORK/funnel-generated.sql")" > "$WORK/explain-funnel.txt"

WRK=(wrk -t"$THREADS" -c"$CONNS" --timeout 60s -s "$BENCH/wrk/bench.lua")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
http() { # NAME KEY PATH
  local name=$1 key=$2 path=$3
  "${WRK[@]}" -H "Authorization: Bearer $key" -d"${WARMUP}s" "$URL" -- list "$path" > /dev/null 2>&1
  local t0; t0=$(cpu_ticks)
  "${WRK[@]}" -H "Authorization: Bearer $key" -d"${DURATION}s" "$URL" -- list "$path" > "$WORK/wrk-$name.txt" 2>&1
  local t1; t1=$(cpu_ticks)
  local bad; bad=$(sed -n 's/^BENCH_NON2XX=//p' "$WORK/wrk-$name.txt")
  [ "$bad" = 0 ] || die "$name: $bad responses were not 2xx: $(grep BENCH_SAMPLE "$WORK/wrk-$name.txt")"
  local n; n=$(sed -n 's/^BENCH_REQUESTS=//p' "$WORK/wrk-$name.txt")
  echo "BENCH_CPU_US=$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", d * 1e6 / hz / n}')" >> "$WORK/wrk-$name.txt"
}
floor() { # SCRIPT
  pgbench -n -M prepared -c "$CONNS" -j "$THREADS" -f "$WORK/$1.sql" -T "$WARMUP" > /dev/null 2>&1
  pgbench -n -M prepared -c "$CONNS" -j "$THREADS" -f "$WORK/$1.sql" -T "$DURATION" > "$WORK/pgbench-$1.txt" 2>&1
}
wrk_value() { sed -n "s/^BENCH_$2=//p" "$WORK/wrk-$1.txt"; }
tps() { sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/pgbench-$1.txt" | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }

log "measuring ($DURATION s each, $CONNS connections)"
http all "$ADMIN" "$AGG"; floor all-hand; floor all-generated
http rep "$REP" "$AGG"; floor rep-hand; floor rep-generated
http funnel "$ADMIN" "$FUNNEL"; floor funnel-generated
http dwell "$ADMIN" "$DWELL"; floor dwell-generated
# The pack's director board at one connection: the whole call, and each widget's share of it.
BOARD=/api/v1/dashboards/director/data
api GET "$BOARD" "$ADMIN" > "$WORK/sample-board.json"
WRK=(wrk -t1 -c1 --timeout 60s -s "$BENCH/wrk/bench.lua")
http board "$ADMIN" "$BOARD"
python3 - "$WORK" > "$WORK/board-widgets.txt" <<'PY'
import json, sys
board = json.load(open(f"{sys.argv[1]}/sample-board.json"))
total = sum(w["ms"] for w in board["widgets"])
for w in board["widgets"]:
    print(f"    {w['name']:<14} {w['ms']:9.1f} ms  {100 * w['ms'] / total:5.1f} %" + ("  ERROR " + w["error"]["code"] if "error" in w else ""))
PY

{
  echo "Aggregates over $LEADS leads, $OWNERS owners ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, wrk -t$THREADS -c$CONNS, pgbench -c$CONNS -j$THREADS)"
  echo "  query: $QUERY"
  printf '  %-44s %8s req/s   p50 %7s ms   server CPU %6s µs/request\n' \
    "all leads (admin) HTTP" "$(wrk_value all RPS)" "$(wrk_value all P50_MS)" "$(wrk_value all CPU_US)" \
    "one rep's leads (scope) HTTP" "$(wrk_value rep RPS)" "$(wrk_value rep P50_MS)" "$(wrk_value rep CPU_US)"
  printf '  %-44s %8s tps\n' "all, hand-written SQL via pgbench" "$(tps all-hand)" "all, the server's SQL via pgbench" "$(tps all-generated)" \
    "rep, hand-written SQL via pgbench" "$(tps rep-hand)" "rep, the server's SQL via pgbench" "$(tps rep-generated)"
  echo "  all HTTP / hand-written SQL:  $(ratio "$(wrk_value all RPS)" "$(tps all-hand)")   (target >= 0.90)"
  echo "  rep HTTP / hand-written SQL:  $(ratio "$(wrk_value rep RPS)" "$(tps rep-hand)")"
  printf '  %-44s %8s req/s   p50 %7s ms   (the server'"'"'s SQL via pgbench: %s tps)\n' \
    "funnel, $OPPORTUNITIES opportunities HTTP" "$(wrk_value funnel RPS)" "$(wrk_value funnel P50_MS)" "$(tps funnel-generated)" \
    "dwell (+ stuck records) HTTP" "$(wrk_value dwell RPS)" "$(wrk_value dwell P50_MS)" "$(tps dwell-generated)"
  echo "  director board (5 widgets, 4 at a time), 1 connection: $(wrk_value board RPS) req/s, p50 $(wrk_value board P50_MS) ms; widgets' own times (summed $(python3 -c "import json; print(round(sum(w['ms'] for w in json.load(open('$WORK/sample-board.json'))['widgets'])))") ms):"
  cat "$WORK/board-widgets.txt"
  echo "  all plan:  $(grep -m1 -oE '(Index|Bitmap|Seq)[^(]* on [a-z_]+' "$WORK/explain-all.txt" || echo '?')   $(grep -m1 'Execution Time' "$WORK/explain-all.txt" | sed 's/^ *//')"
  echo "  rep plan:  $(grep -m1 -oE '(Index|Bitmap|Seq)[^(]* on [a-z_]+' "$WORK/explain-rep.txt" || echo '?')   $(grep -m1 'Execution Time' "$WORK/explain-rep.txt" | sed 's/^ *//')"
} | tee "$WORK/summary.txt"
