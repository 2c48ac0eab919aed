#!/usr/bin/env bash
# Tessera benchmark, one command: `bash bench/run.sh` (see bench/README.md).
# Measures the data API through HTTP (wrk) against the same SQL straight on PostgreSQL
# (pgbench, the "floor"), on 1,000,000 leads of the sales pack, plus pack install time,
# add-field time and server memory. Everything runs on 127.0.0.1 and is stopped at the end.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
RESULTS=$BENCH/results
WORK=$RESULTS/latest                      # scripts, logs and raw outputs of this run
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench}
ROWS=${BENCH_ROWS:-1000000}
ID_COUNT=${BENCH_IDS:-10000}
DURATION=${BENCH_DURATION:-15}
WARMUP=${BENCH_WARMUP:-3}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-32}
EXTENDED=${BENCH_EXTENDED:-1}             # also measure pgbench -M extended (informative)
CHANNEL=web_form                          # the list filter: source_channel=eq.web_form
HOST=127.0.0.1
TENANT=bench
SCHEMA=t_$TENANT

SERVER_PID=""
BG_PIDS=()
T0=$(date +%s)

log() { printf '[bench %4ss] %s\n' "$(($(date +%s) - T0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
now() { date +%s.%N; }
elapsed_ms() { python3 -c "import sys; print(f'{(float(sys.argv[2]) - float(sys.argv[1])) * 1000:.1f}')" "$1" "$2"; }
rec() { printf '%s=%s\n' "$1" "$2" >> "$WORK/results.env"; }

pg_ctl_bin() { command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1; }

# Stops a PostgreSQL still running on the bench cluster (the server stops it itself; this is the fallback).
stop_pg() {
  local pidfile=$DATA/pg/postmaster.pid pm pgctl
  [ -f "$pidfile" ] || return 0
  pm=$(head -1 "$pidfile" 2>/dev/null || true)
  [ -n "$pm" ] && kill -0 "$pm" 2>/dev/null || return 0
  pgctl=$(pg_ctl_bin)
  log "stopping the PostgreSQL left on $DATA/pg (pid $pm)"
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$pgctl" -D "$DATA/pg" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  else "$pgctl" -D "$DATA/pg" -m fast -w -t 60 stop >/dev/null 2>&1 || true; fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  local p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    log "stopping the server (SIGTERM, pid $SERVER_PID)"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    local k
    for ((k = 0; k < 120; k++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      log "the server did not stop in 60 s: SIGKILL"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  stop_pg
  [ "$status" -eq 0 ] || log "failed (exit $status); logs are in $WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ 1. tools and binary
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
{ command -v psql >/dev/null 2>&1 && command -v pgbench >/dev/null 2>&1; } || need+=(postgresql-client)
{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || need+=(postgresql)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v top >/dev/null 2>&1 || need+=(procps)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (apt-get)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ -n "${TESSERA_BIN:-}" ]; then
  BIN=$(readlink -f "$TESSERA_BIN")
else
  log "building (swift build -c release --product tessera)"
  (cd "$REPO" && swift build -c release --product tessera)
  BIN=$REPO/.build/release/tessera
fi
[ -x "$BIN" ] || die "no server binary at $BIN"

mkdir -p "$WORK"
rm -f "$WORK"/*
CLK_TCK=$(getconf CLK_TCK)
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host=$(uname -srm), $(nproc) CPUs, $(awk '/MemTotal/{printf "%.0f GB RAM", $2/1048576}' /proc/meminfo)"
  echo "cpus=$(nproc)"
  echo "bin=$BIN (repo at $(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "rows=$ROWS"; echo "threads=$THREADS"; echo "conns=$CONNS"; echo "duration=$DURATION"; echo "warmup=$WARMUP"
} > "$WORK/results.env"

# ------------------------------------------------------------------ 2. data dir, tenant, pack
if [ -e "$DATA" ]; then
  [ -f "$DATA/.tessera-bench" ] || die "$DATA exists and was not made by this benchmark: set BENCH_DATA_DIR to a new folder"
  stop_pg
  rm -rf "$DATA"
fi
mkdir -p "$DATA"
touch "$DATA/.tessera-bench"
PACKS=(--packs-dir "$REPO/templates-market")

log "tenant create $TENANT (data dir $DATA)"
(cd "$REPO" && "$BIN" tenant create "$TENANT" --name "Bench Co." --data-dir "$DATA" "${PACKS[@]}") > "$WORK/tenant.json" 2> "$WORK/tenant.log" \
  || die "tenant create failed: $(tail -5 "$WORK/tenant.log")"
KEY=$(python3 "$BENCH/tools.py" json-field "$WORK/tenant.json" api_key)
AUTH="Authorization: Bearer $KEY"

log "pack install sales"
(cd "$REPO" && "$BIN" pack install sales --tenant "$TENANT" --data-dir "$DATA" "${PACKS[@]}") > "$WORK/pack.txt" 2> "$WORK/pack.log" \
  || die "pack install failed: $(tail -5 "$WORK/pack.log")"
PACK_MS=$(sed -n 's/^Installed .* in \([0-9.]*\) ms$/\1/p' "$WORK/pack.txt")
[ -n "$PACK_MS" ] || die "could not read the install time from: $(cat "$WORK/pack.txt")"
log "$(cat "$WORK/pack.txt")"
rec pack_install_ms "$PACK_MS"

# ------------------------------------------------------------------ 3. server
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://$HOST:$PORT
log "starting the server on $URL"
(cd "$REPO" && exec "$BIN" serve --data-dir "$DATA" --host "$HOST" --port "$PORT" "${PACKS[@]}") > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
up=""
for ((k = 0; k < 240; k++)); do
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited: $(tail -20 "$WORK/server.log")"
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz" || true)" = 200 ]; then up=1; break; fi
  sleep 0.5
done
[ -n "$up" ] || die "GET /healthz did not answer 200 within 120 s: $(tail -20 "$WORK/server.log")"
rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$SERVER_PID/status" 2>/dev/null || echo 0; }
sleep 3
RSS_IDLE_KB=$(rss_kb)
rec rss_idle_mb "$(awk -v k="$RSS_IDLE_KB" 'BEGIN{printf "%.1f", k/1024}')"
log "server up (pid $SERVER_PID), RSS idle $((RSS_IDLE_KB / 1024)) MB"

export PGHOST=$HOST PGPORT PGUSER=tessera PGPASSWORD PGDATABASE=postgres PGAPPNAME=tessera-bench
PGPORT=$(cat "$DATA/pg/tessera.port")
PGPASSWORD=$(cat "$DATA/pg.password")
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
PM_PID=$(head -1 "$DATA/pg/postmaster.pid")

api() { # METHOD PATH [BODY] -> body on stdout; fails unless 2xx
  local out code body=()
  [ $# -ge 3 ] && body=(--data-binary "$3")
  out=$(mktemp)
  code=$(curl -s -o "$out" -w '%{http_code}' -X "$1" -H "$AUTH" -H 'Content-Type: application/json' "${body[@]}" "$URL$2" || true)
  cat "$out"; rm -f "$out"
  case "$code" in 2??) ;; *) log "$1 $2 answered $code"; return 1 ;; esac
}

# ------------------------------------------------------------------ 4. load 1M leads
api GET /api/v1/meta/entities/lead > "$WORK/lead-meta.json" || die "cannot read the lead entity"
# A counter `lpad(nextval(…)::text, 4, '0')` truncates from 10,000 on (lpad cuts longer text), so
# the unique lead_no would repeat and every later insert would fail. Unless BENCH_PATCH_AUTONUMBER=0,
# such defaults are replaced in this throwaway database by the same expression without truncation.
"${PSQL[@]}" -At -c "SELECT a.attname || '|' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d
  JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = '$SCHEMA.lead'::regclass" \
  | python3 "$BENCH/tools.py" autonumber-fix "$SCHEMA.lead" > "$WORK/autonumber-fix.sql"
if [ -s "$WORK/autonumber-fix.sql" ]; then
  if [ "${BENCH_PATCH_AUTONUMBER:-1}" = 1 ]; then
    log "WARNING: lead's auto_number default truncates from 10,000 on (lpad); patching it in the bench database only (see $WORK/autonumber-fix.sql)"
    "${PSQL[@]}" -f "$WORK/autonumber-fix.sql"
    rec autonumber_patched yes
  else
    log "WARNING: lead's auto_number default truncates from 10,000 on (lpad); not patched (BENCH_PATCH_AUTONUMBER=0): the load will fail"
    rec autonumber_patched "no (bug present)"
  fi
fi
python3 "$BENCH/tools.py" load-sql "$WORK/lead-meta.json" "$SCHEMA" "$ROWS" > "$WORK/load.sql"
log "loading $ROWS leads (one INSERT … SELECT generate_series, see $WORK/load.sql)"
t1=$(now)
"${PSQL[@]}" -f "$WORK/load.sql"
t2=$(now)
"${PSQL[@]}" -c "VACUUM ANALYZE $SCHEMA.lead"
t3=$(now)
LOAD_MS=$(elapsed_ms "$t1" "$t2"); VACUUM_MS=$(elapsed_ms "$t2" "$t3")
rec load_s "$(awk -v m="$LOAD_MS" 'BEGIN{printf "%.1f", m/1000}')"
rec vacuum_s "$(awk -v m="$VACUUM_MS" 'BEGIN{printf "%.1f", m/1000}')"
log "loaded in $LOAD_MS ms, VACUUM ANALYZE $VACUUM_MS ms; $("${PSQL[@]}" -At -c "SELECT count(*) || ' rows, ' || pg_size_pretty(pg_total_relation_size('$SCHEMA.lead')) || ' with indexes, ' || count(*) FILTER (WHERE source_channel = '$CHANNEL') || ' with source_channel=$CHANNEL' FROM $SCHEMA.lead")"

# Real ids for get-by-id: a file for wrk and a numbered table for pgbench.
"${PSQL[@]}" <<SQL
CREATE SCHEMA IF NOT EXISTS tessera_bench;
DROP TABLE IF EXISTS tessera_bench.bench_ids;
CREATE TABLE tessera_bench.bench_ids (n int PRIMARY KEY, id uuid NOT NULL);
INSERT INTO tessera_bench.bench_ids SELECT row_number() OVER (), id FROM (SELECT id FROM $SCHEMA.lead ORDER BY random() LIMIT $ID_COUNT) r;
ANALYZE tessera_bench.bench_ids;
\copy (SELECT id FROM tessera_bench.bench_ids ORDER BY n) TO '$WORK/ids.txt'
SQL
ID_COUNT=$(wc -l < "$WORK/ids.txt")

# ------------------------------------------------------------------ 5. the SQL the server runs
# One request of each kind with log_statement=all; the logged statements become the pgbench scripts.
cat > "$WORK/create-body.json" <<'JSON'
{"company":"Bench Co new","contact_name":"Bench Contact","job_title":"Purchasing manager","phone":"13800138000",
 "email":"buyer@example.com","region":"east_china","city":"Hangzhou","city_code":"330100","industry":"smart_manufacturing",
 "source_channel":"web_form","first_touch":"phone","pain_points":["price","delivery_cycle"],
 "initial_needs":"Wants a demo of the line-side automation","intent_level":"high","estimated_amount":250000,
 "next_follow_up_at":"2030-01-15T09:00:00+08:00"}
JSON
LIST_PATH="/api/v1/data/lead?source_channel=eq.$CHANNEL&limit=50"
# The same list with its exact count (one more statement: count(*) with the same filter).
COUNT_PATH="$LIST_PATH&count=exact"
# where=: high-value leads of one channel (about 1 % of the rows), and the same query by hand.
WHERE_EXPR="record.source_channel == '$CHANNEL' && record.estimated_amount >= 900000.0"
WHERE_PATH="/api/v1/data/lead?where=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$WHERE_EXPR")&limit=50"
cat > "$WORK/where_hand.sql" <<SQL
SELECT row_to_json(q)::text, q.id::text FROM "$SCHEMA".lead q
WHERE q.deleted_at IS NULL AND q.source_channel = '$CHANNEL' AND q.estimated_amount >= 900000
ORDER BY q.id DESC LIMIT 51;
SQL
: > "$WORK/where_hand.defs"
GET_PATH=/api/v1/data/lead/
PG_LOG=$DATA/pg/server.log
offset=$(stat -c %s "$PG_LOG")
"${PSQL[@]}" -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
sleep 1
api GET "$LIST_PATH" > "$WORK/sample-list.json" || die "list request failed: $(head -c 400 "$WORK/sample-list.json")"
api GET "$COUNT_PATH" > "$WORK/sample-count.json" || die "count=exact request failed: $(head -c 400 "$WORK/sample-count.json")"
api GET "$WHERE_PATH" > "$WORK/sample-where.json" || die "where= request failed: $(head -c 400 "$WORK/sample-where.json")"
api GET "$GET_PATH$(head -1 "$WORK/ids.txt")" > "$WORK/sample-get.json" || die "get request failed: $(head -c 400 "$WORK/sample-get.json")"
api POST /api/v1/data/lead "@$WORK/create-body.json" > "$WORK/sample-create.json" || die "create request failed: $(head -c 400 "$WORK/sample-create.json")"
sleep 0.5
"${PSQL[@]}" -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
python3 "$BENCH/tools.py" capture "$PG_LOG" "$offset" "$SCHEMA" "$WORK" "$ID_COUNT"
log "captured the server's SQL; floor scripts in $WORK/{list,count,get,create,where}.sql (all of it in $WORK/floor-sql.txt)"
"${PSQL[@]}" -f "$WORK/explain.sql" > "$WORK/explain.txt" 2>&1 || log "EXPLAIN failed (see $WORK/explain.txt)"

# ------------------------------------------------------------------ 6. HTTP vs floor
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# PostgreSQL: the postmaster, its ended children (cutime/cstime) and its live children.
pg_ticks() { { cat /proc/[0-9]*/stat 2>/dev/null || true; } | awk -v pm="$PM_PID" '$1 == pm {t += $14 + $15 + $16 + $17} $4 == pm {t += $14 + $15} END {print t + 0}'; }
us_per() { awk -v t="$1" -v hz="$CLK_TCK" -v n="$2" 'BEGIN{ if (n > 0) printf "%.0f", t / hz / n * 1e6; else print "n/a" }'; }
cpu_s() { awk '{printf "%.2f", $1 + $2}' "$1"; }   # from bash `time` with TIMEFORMAT='%U %S'

RSS_MAX_FILE=$WORK/rss-max-kb
echo 0 > "$RSS_MAX_FILE"
rss_sampler() {
  local max n v
  max=$(cat "$RSS_MAX_FILE")
  for ((n = 0; n < (DURATION + 5) * 4; n++)); do
    v=$(rss_kb)
    if [ "${v:-0}" -gt "$max" ]; then max=$v; echo "$max" > "$RSS_MAX_FILE"; fi
    sleep 0.25
  done
}

# Waits (up to 3 min) until no other query is running, so that one run's leftovers (e.g. queries
# of HTTP requests that wrk gave up on, which the server does not cancel) do not eat the next run's CPU.
wait_quiet() {
  local k busy=0 q0
  q0=$(now)
  for ((k = 0; k < 360; k++)); do
    busy=$("${PSQL[@]}" -At -c "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND backend_type = 'client backend' AND pid <> pg_backend_pid()")
    [ "$busy" = 0 ] && break
    sleep 0.5
  done
  if [ "$k" -gt 0 ]; then log "waited $(elapsed_ms "$q0" "$(now)" | cut -d. -f1) ms for $([ "$busy" = 0 ] && echo "PostgreSQL to go idle" || echo "PostgreSQL, still $busy queries active: going on")"; fi
}
# Busy CPU ticks of the whole machine, to see how much other processes took during a run.
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4}' /proc/stat; }  # user + nice + system
# Other processes' share of the machine during a run: busy − server − postgres − load generator.
other_pct() { # BUSY SERVER PG LOADGEN-SECONDS W0 W1
  awk -v b="$1" -v s="$2" -v p="$3" -v l="$4" -v hz="$CLK_TCK" -v a="$5" -v z="$6" -v n="$(nproc)" \
    'BEGIN{o = (b - s - p) / hz - l; if (o < 0) o = 0; printf "%.0f", o / ((z - a) * n) * 100}'
}
pct() { awk -v t="$1" -v hz="$CLK_TCK" -v a="$2" -v b="$3" 'BEGIN{printf "%.0f", t / hz / (b - a) * 100}'; }

WRK=(wrk -t"$THREADS" -c"$CONNS" --timeout 30s -H "$AUTH" -s "$BENCH/wrk/bench.lua" "$URL")
TIMEFORMAT='%U %S'

run_http() { # OP ARGS-for-the-lua-script…
  local op=$1; shift
  wait_quiet
  "${WRK[@]}" -d"${WARMUP}s" -- "$@" > "$WORK/wrk-$op-warmup.txt" 2>&1 || die "wrk warm-up failed: $(tail -5 "$WORK/wrk-$op-warmup.txt")"
  wait_quiet
  local s0 p0 s1 p1 w0 w1
  rss_sampler & local sampler=$!
  (sleep $((DURATION / 2)); top -b -n2 -d1 -w 200 | awk '/^top -/{f++} f == 2' | head -25 > "$WORK/top-$op.txt") & local topper=$!
  BG_PIDS+=("$sampler" "$topper")
  local b0 b1
  s0=$(ticks "$SERVER_PID"); p0=$(pg_ticks); b0=$(busy_ticks); w0=$(now)
  { time "${WRK[@]}" -d"${DURATION}s" --latency -- "$@" > "$WORK/wrk-$op.txt" 2>&1; } 2> "$WORK/wrk-$op.time" || die "wrk failed: $(tail -5 "$WORK/wrk-$op.txt")"
  s1=$(ticks "$SERVER_PID"); p1=$(pg_ticks); b1=$(busy_ticks); w1=$(now)
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  wait "$topper" 2>/dev/null || true
  local n; n=$(sed -n 's/^BENCH_REQUESTS=//p' "$WORK/wrk-$op.txt")
  rec "${op}_http_requests" "$n"
  rec "${op}_http_rps" "$(sed -n 's/^BENCH_RPS=//p' "$WORK/wrk-$op.txt")"
  rec "${op}_http_p50_ms" "$(sed -n 's/^BENCH_P50_MS=//p' "$WORK/wrk-$op.txt")"
  rec "${op}_http_p99_ms" "$(sed -n 's/^BENCH_P99_MS=//p' "$WORK/wrk-$op.txt")"
  rec "${op}_http_non2xx" "$(sed -n 's/^BENCH_NON2XX=//p' "$WORK/wrk-$op.txt")"
  rec "${op}_http_codes" "$(sed -n 's/^BENCH_CODES=//p' "$WORK/wrk-$op.txt")"
  rec "${op}_http_sample" "$(sed -n 's/^BENCH_SAMPLE=//p' "$WORK/wrk-$op.txt")"
  rec "${op}_http_socket_errors" "$(sed -n 's/^BENCH_SOCKET_ERRORS=//p' "$WORK/wrk-$op.txt")"
  rec "${op}_http_server_us" "$(us_per $((s1 - s0)) "$n")"
  rec "${op}_http_pg_us" "$(us_per $((p1 - p0)) "$n")"
  rec "${op}_http_other_pct" "$(other_pct $((b1 - b0)) $((s1 - s0)) $((p1 - p0)) "$(cpu_s "$WORK/wrk-$op.time")" "$w0" "$w1")"
  rec "${op}_http_loadgen_us" "$(awk -v c="$(cpu_s "$WORK/wrk-$op.time")" -v n="$n" 'BEGIN{ if (n > 0) printf "%.0f", c / n * 1e6; else print "n/a" }')"
  log "$op HTTP: $(sed -n 's/^BENCH_RPS=//p' "$WORK/wrk-$op.txt") req/s, $(sed -n 's/^BENCH_NON2XX=//p' "$WORK/wrk-$op.txt") non-2xx, CPU: server $(pct $((s1 - s0)) "$w0" "$w1")%, postgres $(pct $((p1 - p0)) "$w0" "$w1")% of one core"
}

run_floor() { # OP MODE (prepared|extended) KEY
  local op=$1 mode=$2 key=$3 d defs=() p0 p1
  while IFS= read -r d; do [ -n "$d" ] && defs+=(-D "$d"); done < "$WORK/$op.defs"
  local PGB=(pgbench -n -M "$mode" -c "$CONNS" -j "$THREADS" -f "$WORK/$op.sql" "${defs[@]}")
  wait_quiet
  "${PGB[@]}" -T "$WARMUP" > "$WORK/pgbench-$op-$mode-warmup.txt" 2>&1 || die "pgbench warm-up failed: $(tail -5 "$WORK/pgbench-$op-$mode-warmup.txt")"
  local w0 w1 b0 b1
  p0=$(pg_ticks); b0=$(busy_ticks); w0=$(now)
  { time "${PGB[@]}" -T "$DURATION" > "$WORK/pgbench-$op-$mode.txt" 2>&1; } 2> "$WORK/pgbench-$op-$mode.time" \
    || die "pgbench failed: $(tail -5 "$WORK/pgbench-$op-$mode.txt")"
  p1=$(pg_ticks); b1=$(busy_ticks); w1=$(now)
  local tps n
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$WORK/pgbench-$op-$mode.txt" | tail -1)
  n=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$WORK/pgbench-$op-$mode.txt")
  rec "$key" "$tps"
  if [ "$mode" = prepared ]; then
    rec "${op}_floor_failed" "$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$WORK/pgbench-$op-$mode.txt")"
    rec "${op}_floor_pg_us" "$(us_per $((p1 - p0)) "$n")"
    rec "${op}_floor_other_pct" "$(other_pct $((b1 - b0)) 0 $((p1 - p0)) "$(cpu_s "$WORK/pgbench-$op-$mode.time")" "$w0" "$w1")"
    rec "${op}_floor_loadgen_us" "$(awk -v c="$(cpu_s "$WORK/pgbench-$op-$mode.time")" -v n="$n" 'BEGIN{printf "%.0f", c / n * 1e6}')"
  fi
  log "$op floor (pgbench -M $mode): $tps tps, CPU: postgres $(pct $((p1 - p0)) "$w0" "$w1")% of one core, $(elapsed_ms "$w0" "$w1" | cut -d. -f1) ms wall"
}

bench_op() { # OP ARGS-for-the-lua-script…
  local op=$1; shift
  run_http "$op" "$@"
  run_floor "$op" prepared "${op}_floor_rps"
  if [ "$EXTENDED" = 1 ]; then run_floor "$op" extended "${op}_floor_ext_rps"; fi
}

log "measuring: wrk -t$THREADS -c$CONNS and pgbench -c$CONNS -j$THREADS, ${WARMUP} s warm-up + ${DURATION} s each"
OPS=" ${BENCH_OPS:-list count get create where} "
[[ $OPS == *" list "* ]] && bench_op list "list" "$LIST_PATH"
[[ $OPS == *" count "* ]] && bench_op count "list" "$COUNT_PATH"
if [[ $OPS == *" get "* ]]; then
  bench_op get "get" "$GET_PATH" "$WORK/ids.txt"
  # The stack's own ceilings: GET /livez is HTTP alone (no database); GET /healthz adds SELECT 1
  # through the pool. With get by id they show where each microsecond of a request goes.
  run_http livez "list" /livez
  run_http healthz "list" /healthz
fi
[[ $OPS == *" create "* ]] && bench_op create "create" /api/v1/data/lead "$WORK/create-body.json"
if [[ $OPS == *" where "* ]]; then
  bench_op where "list" "$WHERE_PATH"
  run_floor where_hand prepared where_hand_floor_rps
fi
rec rss_load_mb "$(awk -v k="$(cat "$RSS_MAX_FILE")" 'BEGIN{printf "%.1f", k/1024}')"

# ------------------------------------------------------------------ 7. add a field to the 1M-row entity
log "adding field bench_note to lead ($("${PSQL[@]}" -At -c "SELECT count(*) FROM $SCHEMA.lead") rows) through the API"
read -r code secs < <(curl -s -o "$WORK/add-field.json" -w '%{http_code} %{time_total}\n' -X POST -H "$AUTH" -H 'Content-Type: application/json' \
  --data-binary '{"name":"bench_note","type":"text"}' "$URL/api/v1/meta/entities/lead/fields" || echo "000 0")
if [ "$code" = 201 ] || [ "$code" = 200 ]; then
  rec add_field_ms "$(awk -v s="$secs" 'BEGIN{printf "%.1f", s * 1000}')"
else
  log "add field answered $code: $(head -c 400 "$WORK/add-field.json")"
  rec add_field_ms "failed-$code"
fi

# ------------------------------------------------------------------ 8. summary
python3 "$BENCH/tools.py" summary "$WORK/results.env" | tee "$RESULTS/latest.txt"
log "done; summary in bench/results/latest.txt, raw outputs and the floor SQL in bench/results/latest/"
