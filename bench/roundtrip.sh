#!/usr/bin/env bash
# Round-trip benchmark, one command: `bash bench/roundtrip.sh` (see bench/README.md).
# What one trivial query costs a Swift process through each way PostgresNIO runs it, beside the
# same statement through pgbench -M prepared (the floor), on the embedded PostgreSQL of an idle
# `tessera serve`: so the driver's share of a request is measured without HTTP in front.
set -euo pipefail

NAME=roundtrip
CONNS_DEFAULT=16
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$BENCH/results/roundtrip
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench-roundtrip}
SERVER_PID=""

bench_prepare rt "Round Trip"
if [ -n "${ROUNDTRIP_BIN:-}" ]; then RT=$(readlink -f "$ROUNDTRIP_BIN"); else
  log "building (swift build -c release --product tessera-bench-roundtrip)"
  (cd "$REPO" && swift build -c release --product tessera-bench-roundtrip)
  RT=$REPO/.build/release/tessera-bench-roundtrip
fi
PORT=$(bench_free_port)
"$BIN" serve --data-dir "$DATA" --host "$HOST" --port "$PORT" --no-automation-worker "${PACKS[@]}" >> "$WORK/server.log" 2>&1 &
SERVER_PID=$!
bench_wait_healthz "http://$HOST:$PORT" "$SERVER_PID" "$WORK/server.log"
bench_pg_env "$DATA"
DB_URL="postgres://$PGUSER:$PGPASSWORD@$HOST:$PGPORT/$PGDATABASE"

echo 'SELECT 1::int4' > "$WORK/select1.sql"
pgbench -n -M prepared -c"$CONNS" -j"$THREADS" -T"$WARMUP" -f "$WORK/select1.sql" > /dev/null 2>&1
pgbench -n -M prepared -c"$CONNS" -j"$THREADS" -T"$DURATION" -f "$WORK/select1.sql" > "$WORK/pgbench.txt" 2>&1
FLOOR=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$WORK/pgbench.txt" | head -1)

"$RT" "$DB_URL" --tasks "$CONNS" --seconds "$DURATION" ${ROUNDTRIP_MODES:+--modes "$ROUNDTRIP_MODES"} | tee "$WORK/roundtrip.txt"
printf 'pgbench -M prepared  %10.0f   (the floor: %d connections, %d threads)\n' "$FLOOR" "$CONNS" "$THREADS" | tee -a "$WORK/roundtrip.txt"
