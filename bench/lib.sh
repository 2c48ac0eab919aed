# Shared by bench/scoped-list.sh and bench/automation.sh (sourced, not run): logging, the tools
# they need, the server binary, a throwaway data dir, and waiting for a server to answer.
# The caller sets NAME (and may set CONNS_DEFAULT) before sourcing.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$REPO/bench
HOST=127.0.0.1
T0=$(date +%s)
# The load: seconds per measured run and per warm-up, wrk threads and connections.
DURATION=${BENCH_DURATION:-10}
WARMUP=${BENCH_WARMUP:-3}
THREADS=${BENCH_THREADS:-2}
CONNS=${BENCH_CONNECTIONS:-${CONNS_DEFAULT:-16}}

log() { printf '[%s %4ss] %s\n' "$NAME" "$(($(date +%s) - T0))" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
now() { date +%s.%N; }

# wrk, psql/pgbench, the PostgreSQL server binaries and curl, from Debian's packages when missing.
bench_tools() {
  local need=()
  command -v wrk >/dev/null 2>&1 || need+=(wrk)
  { command -v psql >/dev/null 2>&1 && command -v pgbench >/dev/null 2>&1; } || need+=(postgresql-client)
  { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || need+=(postgresql)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  if [ ${#need[@]} -gt 0 ]; then
    log "installing ${need[*]} (apt-get)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
}

# Sets BIN: $TESSERA_BIN, or a release build.
bench_binary() {
  if [ -n "${TESSERA_BIN:-}" ]; then BIN=$(readlink -f "$TESSERA_BIN"); else
    log "building (swift build -c release --product tessera)"
    (cd "$REPO" && swift build -c release --product tessera)
    BIN=$REPO/.build/release/tessera
  fi
  [ -x "$BIN" ] || die "no server binary at $BIN"
}

# Empties DIR, but only a folder an earlier run of a benchmark made (it carries a marker file).
bench_fresh_data_dir() {
  local dir=$1 pm
  if [ -e "$dir" ]; then
    [ -f "$dir/.tessera-bench" ] || die "$dir exists and was not made by this benchmark: set BENCH_DATA_DIR to a new folder"
    pm=$(head -1 "$dir/pg/postmaster.pid" 2>/dev/null || true)
    if [ -n "$pm" ] && kill "$pm" 2>/dev/null; then sleep 2; fi
    rm -rf "$dir"
  fi
  mkdir -p "$dir"
  touch "$dir/.tessera-bench"
}

bench_free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits until PID answers GET URL/healthz with 200; dies with LOG's tail if it exits or takes 60 s.
bench_wait_healthz() {
  local url=$1 pid=$2 logfile=$3 k
  for ((k = 0; k < 240; k++)); do
    kill -0 "$pid" 2>/dev/null || die "the server exited: $(tail -20 "$logfile")"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz" || true)" = 200 ] && return 0
    sleep 0.25
  done
  die "the server did not answer $url/healthz within 60 s"
}

# Stops PID with SIGTERM (SIGKILL after 60 s).
bench_stop() {
  local pid=$1 k
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((k = 0; k < 120; k++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# psql and pgbench reach the embedded PostgreSQL of data dir DIR.
bench_pg_env() {
  export PGHOST=$HOST PGUSER=tessera PGDATABASE=postgres
  PGPORT=$(cat "$1/pg/tessera.port")
  PGPASSWORD=$(cat "$1/pg.password")
  export PGPORT PGPASSWORD
}

# On exit (also Ctrl-C, SIGTERM): stops the server in SERVER_PID and says where the logs (WORK) are.
bench_on_exit() {
  trap '_bench_cleanup' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
_bench_cleanup() {
  local status=$?
  trap - EXIT INT TERM
  bench_stop "${SERVER_PID:-}"
  [ "$status" -eq 0 ] || log "failed (exit $status); logs are in $WORK"
  exit "$status"
}

# The common start of a benchmark: the exit trap, the tools, the binary, an empty $WORK and $DATA,
# and tenant $1 (named $2) made with the CLI. Sets PACKS and TENANT_KEY (the tenant admin's key).
bench_prepare() {
  bench_on_exit
  bench_tools
  bench_binary
  mkdir -p "$WORK"; rm -f "$WORK"/*
  bench_fresh_data_dir "$DATA"
  PACKS=(--packs-dir "$REPO/templates-market")
  log "tenant $1"
  "$BIN" tenant create "$1" --name "$2" --data-dir "$DATA" "${PACKS[@]}" > "$WORK/tenant.json" 2> "$WORK/tenant.log" \
    || die "$(tail -5 "$WORK/tenant.log")"
  TENANT_KEY=$(python3 "$BENCH/tools.py" json-field "$WORK/tenant.json" api_key)
}
