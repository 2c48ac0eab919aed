#!/usr/bin/env bash
# Views and forms benchmark, one command: `bash bench/views.sh` (see bench/README.md).
# The sales pack with 1,000,000 leads and 100,000 opportunities owned by 100 reps:
#   list   — the pack's `my_due_leads` view for one rep (view filter AND the rep's scope, 50 rows);
#   kanban — the pack's `opportunity_board` for the admin (every lane's count, sum and first page);
#   form   — a resolved form of a stored lead, one connection: latency and server CPU per request;
#   related — the customer's 360° (`/related`: every list pointing at it, counted, newest 5 rows),
#             the customer holding all 100,000 opportunities, one connection.
# Floors: the same work written by hand in SQL, and the SQL the server ran (captured from
# PostgreSQL's log), both through pgbench with the same concurrency.
set -euo pipefail

NAME=views
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$BENCH/results/views
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench-views}
LEADS=${BENCH_ROWS:-1000000}
OPPORTUNITIES=${BENCH_OPPORTUNITIES:-100000}
OWNERS=${BENCH_OWNERS:-100}
TENANT=views
SCHEMA=t_$TENANT
SERVER_PID=""

bench_prepare "$TENANT" "Views Co."
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
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

log "creating $OWNERS sales reps through the users API"
"${PSQL[@]}" -c "CREATE SCHEMA IF NOT EXISTS tessera_bench; DROP TABLE IF EXISTS tessera_bench.owners; CREATE TABLE tessera_bench.owners (n int PRIMARY KEY, id uuid NOT NULL)"
for ((n = 1; n <= OWNERS; n++)); do
  id=$(api POST /api/v1/users "$ADMIN" "{\"name\":\"Rep $n\",\"email\":\"rep$n@example.com\",\"roles\":[\"sales_rep\"]}" | field '["id"]')
  "${PSQL[@]}" -c "INSERT INTO tessera_bench.owners VALUES ($n, '$id')"
  [ "$n" = 1 ] && REP_ID=$id
done
REP=$(api POST "/api/v1/users/$REP_ID/api-keys" "$ADMIN" '{"name":"bench"}' | field '["key"]')
CUSTOMER=$(api POST /api/v1/data/customer "$ADMIN" '{"name":"Bench Customer"}' | field '["id"]')

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
"${PSQL[@]}" -c "VACUUM ANALYZE $SCHEMA.lead" -c "VACUUM ANALYZE $SCHEMA.opportunity"
LEAD_ID=$("${PSQL[@]}" -At -c "SELECT id FROM $SCHEMA.lead WHERE owner_id = '$REP_ID' ORDER BY id DESC LIMIT 1")
log "$("${PSQL[@]}" -At -c "SELECT count(*) FILTER (WHERE owner_id = '$REP_ID') || ' leads of the rep, ' || count(*) FILTER (WHERE owner_id = '$REP_ID' AND next_follow_up_at < now() + interval '24 hours' AND status IN ('to_contact', 'following')) || ' of them due' FROM $SCHEMA.lead")"

LIST=/api/v1/views/my_due_leads/data
BOARD=/api/v1/views/opportunity_board/data
FORM=/api/v1/data/lead/$LEAD_ID/form
GET=/api/v1/data/lead/$LEAD_ID
RELATED=/api/v1/data/customer/$CUSTOMER/related

# The server's SQL, as PostgreSQL logs it (with its parameters), for each of the three.
PG_LOG=$DATA/pg/server.log
"${PSQL[@]}" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null; sleep 1
capture() { # NAME PATH KEY
  local offset; offset=$(stat -c %s "$PG_LOG")
  api GET "$2" "$3" > "$WORK/sample-$1.json"
  sleep 0.5
  tail -c +"$((offset + 1))" "$PG_LOG" > "$WORK/log-$1.txt"
}
capture list "$LIST" "$REP"; capture board "$BOARD" "$ADMIN"; capture form "$FORM" "$REP"; capture related "$RELATED" "$ADMIN"
"${PSQL[@]}" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
python3 - "$WORK" "$SCHEMA" "$REP_ID" <<'PY'
import json, re, sys
work, schema, rep = sys.argv[1:]

def statements(name, table):
    """The reads of `table` the server ran for one request, parameters written in (the log also
    holds what else ran meanwhile: the outbox's poll, a caller's last-seen mark)."""
    lines = open(f"{work}/log-{name}.txt", encoding="utf-8").read().splitlines()
    out = []
    for i, line in enumerate(lines):
        m = re.search(r"execute [^:]+: (SELECT .*)$", line)
        if not m or (f'"{schema}"."{table}"' if table else f'"{schema}".') not in m.group(1):
            continue
        detail = next((l for l in lines[i + 1:i + 3] if "parameters:" in l), "")
        params = dict(re.findall(r"\$(\d+) = ('(?:[^']|'')*')", detail))
        out.append(re.sub(r"\$(\d+)", lambda p: params[p.group(1)], m.group(1)) + ";")
    assert out, f"no statement captured for {name}"
    return out

# The 360° reads every entity with a relation to customer (table None: any of the tenant's).
for name, table in (("list", "lead"), ("board", "opportunity"), ("form", "lead"), ("related", None)):
    # pgbench reads `:NAME` as a variable, also inside literals: the lock's to_char format
    # spells its colons as chr(58), a constant PostgreSQL folds.
    text = "\n".join(statements(name, table)).replace("HH24:MI:SS", "HH24' || chr(58) || 'MI' || chr(58) || 'SS")
    open(f"{work}/{name}-generated.sql", "w").write(text + "\n")

view = json.load(open(f"{work}/sample-list.json"))
assert view["data"], "the rep's due-leads view came back empty"
board = json.load(open(f"{work}/sample-board.json"))
lanes = [lane for lane in board["lanes"] if lane["count"] > 0]
assert lanes, "the board came back empty"

def obj(columns, alias="l"):
    return "json_build_object(" + ", ".join(f"'{c}', {alias}.{c}" for c in columns) + ")::text"

# By hand: what a developer writes for the same page, knowing the data.
columns = ["id", "version", "company", "contact_name", "phone", "next_follow_up_at", "sla_flag", "funnel_stage"]
open(f"{work}/list-hand.sql", "w").write(
    f"SELECT {obj(columns)} FROM {schema}.lead l WHERE l.deleted_at IS NULL AND l.owner_id = '{rep}' "
    f"AND l.next_follow_up_at < now() + interval '24 hours' AND l.status IN ('to_contact', 'following') "
    f"ORDER BY l.next_follow_up_at, l.id LIMIT 51;\n")
card = ["id", "version", "name", "customer", "amount", "expected_close_date", "sla_flag", "owner_id", "stage"]
hand = [f"SELECT o.stage, count(*), sum(o.amount) FROM {schema}.opportunity o WHERE o.deleted_at IS NULL GROUP BY o.stage;"]
for lane in lanes:
    where = "o.stage IS NULL" if lane["key"] is None else f"o.stage = '{lane['key']}'"
    hand.append(f"SELECT {obj(card, 'o')} FROM {schema}.opportunity o WHERE o.deleted_at IS NULL AND {where} "
                f"ORDER BY o.amount DESC, o.id DESC LIMIT 21;")
open(f"{work}/board-hand.sql", "w").write("\n".join(hand) + "\n")
print(len(lanes), "lanes")
PY
for which in list board; do
  "${PSQL[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) $(head -1 "$WORK/$which-generated.sql")" > "$WORK/explain-$which.txt"
done

WRK=(wrk -t"$THREADS" -c"$CONNS" --timeout 30s -s "$BENCH/wrk/bench.lua")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
http() { # NAME PATH KEY [wrk options]
  local name=$1 path=$2 key=$3; shift 3
  local wrk=("${WRK[@]}" "$@")
  "${wrk[@]}" -H "Authorization: Bearer $key" -d"${WARMUP}s" "$URL" -- list "$path" > /dev/null 2>&1
  local t0; t0=$(cpu_ticks)
  "${wrk[@]}" -H "Authorization: Bearer $key" -d"${DURATION}s" "$URL" -- list "$path" > "$WORK/wrk-$name.txt" 2>&1
  local t1; t1=$(cpu_ticks)
  local bad; bad=$(sed -n 's/^BENCH_NON2XX=//p' "$WORK/wrk-$name.txt")
  [ "$bad" = 0 ] || die "$name: $bad responses were not 2xx: $(grep BENCH_SAMPLE "$WORK/wrk-$name.txt")"
  local n; n=$(sed -n 's/^BENCH_REQUESTS=//p' "$WORK/wrk-$name.txt")
  echo "BENCH_CPU_US=$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.0f", d * 1e6 / hz / n}')" >> "$WORK/wrk-$name.txt"
}
floor() { # SCRIPT [pgbench options]
  local script=$1; shift
  pgbench -n -M prepared -c "$CONNS" -j "$THREADS" "$@" -f "$WORK/$script.sql" -T "$WARMUP" > /dev/null 2>&1
  pgbench -n -M prepared -c "$CONNS" -j "$THREADS" "$@" -f "$WORK/$script.sql" -T "$DURATION" > "$WORK/pgbench-$script.txt" 2>&1
}
wrk_value() { sed -n "s/^BENCH_$2=//p" "$WORK/wrk-$1.txt"; }
tps() { sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/pgbench-$1.txt" | tail -1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a / b}'; }

LOAD_LABEL="wrk -t$THREADS -c$CONNS, pgbench -c$CONNS -j$THREADS"
log "measuring ($DURATION s each, $CONNS connections)"
http list "$LIST" "$REP"; floor list-hand; floor list-generated
http board "$BOARD" "$ADMIN"; floor board-hand; floor board-generated
# The form at one connection: its latency is the server's time plus one loopback round trip and
# the row's read; the get of the same record is the reference without the form.
http form "$FORM" "$REP" -t1 -c1; http get "$GET" "$REP" -t1 -c1
CONNS=1 THREADS=1 floor form-generated
# The 360°: its lists side by side in the server, one after another in pgbench's script.
http related "$RELATED" "$ADMIN" -t1 -c1
CONNS=1 THREADS=1 floor related-generated

{
  echo "Views over $LEADS leads and $OPPORTUNITIES opportunities, $OWNERS owners ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $LOAD_LABEL)"
  printf '  %-48s %10s req/s   p50 %6s ms   server CPU %5s µs/request\n' \
    "list view (rep: filter + scope, 50 rows) HTTP" "$(wrk_value list RPS)" "$(wrk_value list P50_MS)" "$(wrk_value list CPU_US)" \
    "kanban board (8 lanes: counts, sums, pages) HTTP" "$(wrk_value board RPS)" "$(wrk_value board P50_MS)" "$(wrk_value board CPU_US)"
  printf '  %-48s %10s tps\n' "list, hand-written SQL via pgbench" "$(tps list-hand)" "list, the server's SQL via pgbench" "$(tps list-generated)" \
    "kanban, hand-written SQL via pgbench" "$(tps board-hand)" "kanban, the server's SQL via pgbench" "$(tps board-generated)"
  echo "  list HTTP / hand-written SQL:    $(ratio "$(wrk_value list RPS)" "$(tps list-hand)")   (target >= 0.90)"
  echo "  kanban HTTP / hand-written SQL:  $(ratio "$(wrk_value board RPS)" "$(tps board-hand)")   ($(grep -c . "$WORK/board-generated.sql") statements per board; by hand $(grep -c . "$WORK/board-hand.sql"))"
  echo "  resolved form, 1 connection:     $(wrk_value form RPS) req/s, p50 $(wrk_value form P50_MS) ms, p99 $(wrk_value form P99_MS) ms, server CPU $(wrk_value form CPU_US) µs/request (target < 1 ms)"
  echo "  get of the same lead:            $(wrk_value get RPS) req/s, p50 $(wrk_value get P50_MS) ms, server CPU $(wrk_value get CPU_US) µs/request"
  echo "  the form's SQL alone, pgbench:   $(tps form-generated) tps at 1 connection"
  echo "  customer 360° (/related), 1 conn: $(wrk_value related RPS) req/s, p50 $(wrk_value related P50_MS) ms, server CPU $(wrk_value related CPU_US) µs/request; its $(grep -c . "$WORK/related-generated.sql") statements via pgbench: $(tps related-generated) tps (HTTP / SQL $(ratio "$(wrk_value related RPS)" "$(tps related-generated)"))"
  echo "  list plan:  $(grep -m1 -oE '(Index|Bitmap|Seq)[^(]* on [a-z_]+' "$WORK/explain-list.txt" || echo '?')   $(grep -m1 'Execution Time' "$WORK/explain-list.txt" | sed 's/^ *//')"
} | tee "$WORK/summary.txt"
