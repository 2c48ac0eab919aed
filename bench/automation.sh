#!/usr/bin/env bash
# Automation benchmark, one command: `bash bench/automation.sh` (see bench/README.md).
#  1. what writing events adds to a create: POST /api/v1/data/ticket without an automation, then
#     with one listening (the server runs with --no-automation-worker, so only the write is timed),
#     then without again; the floor is the mean of the two runs without;
#  2. events processed per second end to end: the events left by run 2, a server with the worker
#     on, until the outbox is empty (a set-field automation: one UPDATE + history + run log each);
#  3. assignments per second end to end: a round-robin assignment rule over a team of 20, the events
#     of creates made with the worker off, then run (the ratio is to the set-field events of 2);
#  4. finding due events among 1,000,000 pending ones (timers are outbox rows with a due time).
set -euo pipefail

NAME=automation
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$BENCH/results/automation
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench-automation}
PENDING=${BENCH_PENDING:-1000000}
TENANT=auto
SCHEMA=t_$TENANT
SERVER_PID=""

bench_prepare "$TENANT" "Automation Co."
KEY=$TENANT_KEY
PORT=$(bench_free_port)
URL=http://$HOST:$PORT

start_server() { # extra flags…
  "$BIN" serve --data-dir "$DATA" --host "$HOST" --port "$PORT" "${PACKS[@]}" "$@" >> "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  bench_wait_healthz "$URL" "$SERVER_PID" "$WORK/server.log"
  bench_pg_env "$DATA" # the embedded cluster may take another port after a restart
}
api() { # METHOD PATH [BODY]
  local body=()
  [ $# -ge 3 ] && body=(--data-binary "$3")
  curl -sf -X "$1" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' "${body[@]}" "$URL$2"
}

start_server --no-automation-worker
PSQL=(psql -X -q -At -v ON_ERROR_STOP=1)
api POST /api/v1/meta/entities '{"name":"ticket","fields":[{"name":"title","type":"text","required":true},{"name":"priority","type":"select","options":[{"key":"low","label":{"en":"Low"}},{"key":"high","label":{"en":"High"}}]},{"name":"flagged","type":"boolean"}]}' > /dev/null
echo '{"title":"printer jam on floor 3","priority":"high"}' > "$WORK/body.json"

WRK=(wrk -t2 -c"$CONNS" --timeout 30s -H "Authorization: Bearer $KEY" -s "$BENCH/wrk/bench.lua")
create_rps() { # NAME
  "${WRK[@]}" -d"${WARMUP}s" "$URL" -- create /api/v1/data/ticket "$WORK/body.json" > /dev/null 2>&1
  "${WRK[@]}" -d"${DURATION}s" "$URL" -- create /api/v1/data/ticket "$WORK/body.json" > "$WORK/wrk-$1.txt" 2>&1
  local bad; bad=$(sed -n 's/^BENCH_NON2XX=//p' "$WORK/wrk-$1.txt")
  [ "$bad" = 0 ] || die "$1: $bad responses were not 2xx: $(grep BENCH_SAMPLE "$WORK/wrk-$1.txt")"
  sed -n 's/^BENCH_RPS=//p' "$WORK/wrk-$1.txt"
}
# Waits (at most 10 minutes) until the server started just before has no pending event left; prints
# COUNT per second since then.
drain_rate() { # COUNT WHAT
  local t1 t2 left k
  t1=$(now)
  for ((k = 0; k < 6000; k++)); do
    left=$("${PSQL[@]}" -c "SELECT count(*) FROM $SCHEMA._outbox WHERE status = 'pending'")
    [ "$left" = 0 ] && break
    sleep 0.1
  done
  t2=$(now)
  [ "$left" = 0 ] || die "$2 still pending after 10 minutes: $left"
  python3 -c "import sys; print(f'{int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2])):.0f}')" "$1" "$t1" "$t2"
}
log "1. create without automations ($DURATION s, $CONNS connections)"
PLAIN=$(create_rps plain)
api POST /api/v1/meta/automations '{"name":"flag_high","entity":"ticket","trigger":{"on":"create"},"condition":"record.priority == '"'"'high'"'"'","actions":[{"type":"set","values":{"flagged":true}}]}' > /dev/null
log "   create with a listening automation (events written, not run: --no-automation-worker)"
WITH=$(create_rps with-events)
PENDING_EVENTS=$("${PSQL[@]}" -c "SELECT count(*) FROM $SCHEMA._outbox WHERE status = 'pending'")
# Without automations once more, on the table as large as the second run left it: the floor is
# the mean of the runs before and after, so table growth and autovacuum weigh on both sides.
api PATCH /api/v1/meta/automations/flag_high '{"active":false}' > /dev/null
log "   create without automations again (the automation switched off)"
PLAIN2=$(create_rps plain-again)
api PATCH /api/v1/meta/automations/flag_high '{"active":true}' > /dev/null
[ "$("${PSQL[@]}" -c "SELECT count(*) FROM $SCHEMA._outbox WHERE status = 'pending'")" = "$PENDING_EVENTS" ] || die "the switched-off automation wrote events"
bench_stop "$SERVER_PID"; SERVER_PID=""

log "2. running the $PENDING_EVENTS pending events with the worker on"
start_server
EPS=$(drain_rate "$PENDING_EVENTS" events)
RESULTS=$("${PSQL[@]}" -c "SELECT string_agg(result || ' ' || n, ', ') FROM (SELECT result, count(*) n FROM $SCHEMA._automation_runs GROUP BY 1 ORDER BY 1) r")
FLAGGED=$("${PSQL[@]}" -c "SELECT count(*) FROM $SCHEMA.ticket WHERE flagged")

log "3. assignments: round robin over a team of 20"
bench_stop "$SERVER_PID"; SERVER_PID=""
start_server --no-automation-worker
api POST /api/v1/meta/entities '{"name":"lead","fields":[{"name":"company","type":"text","required":true}]}' > /dev/null
TEAM=$(api POST /api/v1/teams '{"name":"East"}' | python3 -c "import json,sys; print(json.load(sys.stdin)['id'])")
for ((u = 0; u < 20; u++)); do
  api POST /api/v1/users "{\"name\":\"Rep $u\",\"email\":\"rep$u@bench.example\",\"roles\":[\"admin\"],\"team_id\":\"$TEAM\"}" > /dev/null
done
api POST /api/v1/meta/assignment-rules '{"name":"east","entity":"lead","pool":{"team":"East"}}' > /dev/null
api POST /api/v1/meta/automations '{"name":"assign_lead","entity":"lead","trigger":{"on":"create"},"actions":[{"type":"assign","rule":"east"}]}' > /dev/null
echo '{"company":"苏州某自动化设备有限公司"}' > "$WORK/lead.json"
"${WRK[@]}" -d"${DURATION}s" "$URL" -- create /api/v1/data/lead "$WORK/lead.json" > "$WORK/wrk-leads.txt" 2>&1
ASSIGN_EVENTS=$("${PSQL[@]}" -c "SELECT count(*) FROM $SCHEMA._outbox WHERE status = 'pending' AND automation = 'assign_lead'")
bench_stop "$SERVER_PID"; SERVER_PID=""
start_server
APS=$(drain_rate "$ASSIGN_EVENTS" assignments)
SPREAD=$("${PSQL[@]}" -c "SELECT min(assigned) || '..' || max(assigned) FROM $SCHEMA._assignment_state WHERE rule = 'east'")

log "4. finding due events among $PENDING pending ones"
"${PSQL[@]}" -c "INSERT INTO $SCHEMA._outbox (automation, entity, record_id, event, new, due_at)
  SELECT 'flag_high', 'ticket', gen_random_uuid(), 'update', '{}'::jsonb, now() + make_interval(secs => 60 + (i * 2.6)::int)
  FROM generate_series(1, $PENDING) AS i" -c "VACUUM ANALYZE $SCHEMA._outbox"
CLAIM="SELECT id FROM $SCHEMA._outbox WHERE status = 'pending' AND due_at <= now() ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
printf 'BEGIN;\n%s;\nROLLBACK;\n' "$CLAIM" > "$WORK/claim.sql"
pgbench -n -M prepared -c 1 -T 5 -f "$WORK/claim.sql" > "$WORK/pgbench-claim.txt" 2>&1
SCAN_MS=$(sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p' "$WORK/pgbench-claim.txt")
"${PSQL[@]}" -c "EXPLAIN (ANALYZE, BUFFERS) $CLAIM" > "$WORK/explain-claim.txt"
{
  echo "Automation benchmark ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs)"
  echo "  create, no automation:            $PLAIN req/s before, $PLAIN2 req/s after"
  echo "  create, events written:           $WITH req/s  -> cost $(awk -v a="$PLAIN" -v c="$PLAIN2" -v b="$WITH" 'BEGIN{printf "%.3f", (a + c) / 2 / b}') x the mean of before and after (target <= 1.15)"
  echo "  events processed end to end:      $EPS events/s ($PENDING_EVENTS events; runs: $RESULTS; $FLAGGED tickets flagged) (target >= 2000)"
  echo "  assignments end to end:           $APS assignments/s ($ASSIGN_EVENTS leads, 20 reps given $SPREAD each)  -> $(awk -v a="$APS" -v b="$EPS" 'BEGIN{printf "%.2f", a / b}') of set-field events/s"
  echo "  claim among $PENDING pending:   $SCAN_MS ms per claim transaction (pgbench, BEGIN + SELECT … FOR UPDATE SKIP LOCKED + ROLLBACK) (target < 10 ms)"
  echo "  plan: $(grep -m1 -oE '(Index|Bitmap|Seq)[^(]* on [a-z_]+' "$WORK/explain-claim.txt" || echo '?')   $(grep -m1 'Execution Time' "$WORK/explain-claim.txt" | sed 's/^ *//')"
} | tee "$WORK/summary.txt"
