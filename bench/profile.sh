#!/usr/bin/env bash
# Profile of the request path, one command: `bash bench/profile.sh` (see bench/README.md).
# Runs the release server and profiles four routes one after another: GET /livez (HTTP only),
# GET /healthz (plus SELECT 1 through the pool), GET /api/v1/data/lead/{id} (get by id) and
# GET /api/v1/data/lead/{id}/form (the lead's resolved form). For each:
# server CPU per request and the functions that take most of it, in bench/results/profile/<route>.txt.
# PROFILER=perf (default) samples CPU time under wrk; PROFILER=callgrind counts instructions.
set -euo pipefail

NAME=profile
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WORK=$BENCH/results/profile
DATA=${BENCH_DATA_DIR:-/tmp/tessera-bench-profile}
COUNT=${PROFILE_REQUESTS:-2000}     # measured requests per route
WARM=${PROFILE_WARMUP:-300}         # requests per route before the counters are zeroed
TOP=${PROFILE_TOP:-60}              # functions listed per route
# perf (the default) samples CPU time under load; callgrind counts instructions, but valgrind 3.19
# dies on Swift 6.3 binaries on this machine (an internal SIGSEGV at start-up, even --tool=none).
PROFILER=${PROFILER:-perf}
FREQ=${PROFILE_FREQ:-1999}          # perf samples per second
SECONDS_PER_ROUTE=${PROFILE_SECONDS:-10}
TENANT=profile
SERVER_PID=""

need=(); command -v valgrind >/dev/null 2>&1 || need+=(valgrind); command -v perf >/dev/null 2>&1 || need+=(linux-perf)
if [ ${#need[@]} -gt 0 ]; then log "installing ${need[*]} (apt-get)"; as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
bench_prepare "$TENANT" "Profile Co."
"$BIN" pack install sales --tenant "$TENANT" --data-dir "$DATA" "${PACKS[@]}" > "$WORK/pack.txt" 2> "$WORK/pack.log" || die "$(tail -5 "$WORK/pack.log")"

PORT=$(bench_free_port)
URL=http://$HOST:$PORT
serve() { "$@" "$BIN" serve --data-dir "$DATA" --host "$HOST" --port "$PORT" "${PACKS[@]}" > "$WORK/server.log" 2>&1 & SERVER_PID=$!; }

# One lead to get, made through the API by the server running natively.
serve env
bench_wait_healthz "$URL" "$SERVER_PID" "$WORK/server.log"
LEAD=$(curl -sf -X POST -H "Authorization: Bearer $TENANT_KEY" -H 'Content-Type: application/json' \
  --data-binary '{"company":"Profile Co lead","contact_name":"Wang Wei","phone":"13800138000","source_channel":"web_form"}' \
  "$URL/api/v1/data/lead" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || die "could not create the lead"
bench_stop "$SERVER_PID"

demangle() { if command -v swift-demangle >/dev/null 2>&1; then swift-demangle --simplified; else swift demangle --simplified; fi; }
: > "$WORK/summary.txt"
if [ "$PROFILER" = callgrind ]; then
  # valgrind 3.19 cannot read the DWARF 5 debug info Swift's toolchain writes: profile a copy without it.
  objcopy --strip-debug "$BIN" "$WORK/tessera-nodebug"
  BIN=$WORK/tessera-nodebug
  log "starting the server under callgrind"
  serve valgrind --tool=callgrind --callgrind-out-file="$WORK/callgrind.out.%p" --dump-instr=no --collect-atstart=yes
else
  serve env
fi
for ((k = 0; k < 600; k++)); do   # valgrind starts slowly: up to 5 min
  kill -0 "$SERVER_PID" 2>/dev/null || die "the server exited: $(tail -20 "$WORK/server.log")"
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/livez" || true)" = 200 ] && break
  sleep 0.5
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# perf: samples of the server's CPU (cpu-clock, with call chains) while wrk loads one route.
perf_route() { # LABEL PATH KEY
  local label=$1 path=$2 key=$3 t0 t1 n auth=()
  [ -n "$key" ] && auth=(-H "Authorization: Bearer $key")
  wrk -t1 -c16 -d2s "${auth[@]}" "$URL$path" > /dev/null
  t0=$(ticks "$SERVER_PID")
  perf record -e cpu-clock -F "$FREQ" -g -p "$SERVER_PID" -o "$WORK/$label.perf" -- sleep "$SECONDS_PER_ROUTE" > /dev/null 2>&1 &
  local recorder=$!
  wrk -t1 -c16 -d"${SECONDS_PER_ROUTE}s" "${auth[@]}" "$URL$path" > "$WORK/wrk-$label.txt"
  wait "$recorder" || true
  t1=$(ticks "$SERVER_PID")
  n=$(awk '/requests in/{print $1}' "$WORK/wrk-$label.txt")
  grep -q "Non-2xx" "$WORK/wrk-$label.txt" && die "$path answered non-2xx: $(cat "$WORK/wrk-$label.txt")"
  { echo "# self: share of the server's samples in the function itself"
    perf report -i "$WORK/$label.perf" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9.]+%' | head -"$TOP" | demangle | cut -c1-200 || true
    echo; echo "# children: share of samples with the function on the stack"
    perf report -i "$WORK/$label.perf" --children --sort symbol --stdio -g none 2>/dev/null | grep -E '^ +[0-9.]+%' | head -"$TOP" | demangle | cut -c1-200 || true
  } > "$WORK/$label.txt"
  printf '%-8s %8.1f µs of server CPU per request (%s requests, wrk -t1 -c16, %s s)\n' "$label" \
    "$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$n" 'BEGIN{print t / hz / n * 1e6}')" "$n" "$SECONDS_PER_ROUTE" | tee -a "$WORK/summary.txt"
}

# callgrind: instructions, counted from zero after a warm-up, over COUNT requests on one connection.
callgrind_route() { # LABEL PATH KEY
  local label=$1 path=$2 key=$3 before dump total
  python3 "$BENCH/tools.py" requests "$URL" "$path" "$WARM" "$key" || die "warm-up of $path failed"
  callgrind_control -z "$SERVER_PID" >/dev/null
  python3 "$BENCH/tools.py" requests "$URL" "$path" "$COUNT" "$key" || die "$path failed"
  before=$(ls "$WORK"/callgrind.out.* 2>/dev/null | wc -l)
  callgrind_control -d "$label" "$SERVER_PID" >/dev/null
  for ((k = 0; k < 120; k++)); do [ "$(ls "$WORK"/callgrind.out.* | wc -l)" -gt "$before" ] && break; sleep 0.5; done
  dump=$(ls -t "$WORK"/callgrind.out.*.* | head -1)
  mv "$dump" "$WORK/$label.callgrind"
  total=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$WORK/$label.callgrind" | head -1)
  callgrind_annotate --inclusive=yes --threshold=100 "$WORK/$label.callgrind" 2>/dev/null | demangle \
    | awk -v n="$COUNT" -v top="$TOP" '
        /^ *[0-9,]+ .*[^ ]:[^ ]/ && listed < top {
          ir = $1; gsub(",", "", ir); $1 = ""; sub(/^ +/, "");
          printf "%9.0f  %s\n", ir / n, substr($0, 1, 180); listed++ }' > "$WORK/$label.txt"
  printf '%-8s %8.0f instructions per request (%s requests)\n' "$label" "$(awk -v t="$total" -v n="$COUNT" 'BEGIN{print t / n}')" "$COUNT" | tee -a "$WORK/summary.txt"
}

profile_route() { if [ "$PROFILER" = callgrind ]; then callgrind_route "$@"; else perf_route "$@"; fi; }
profile_route livez /livez ""
profile_route healthz /healthz ""
profile_route get "/api/v1/data/lead/$LEAD" "$TENANT_KEY"
profile_route form "/api/v1/data/lead/$LEAD/form" "$TENANT_KEY"
bench_stop "$SERVER_PID"; SERVER_PID=""
rm -f "$WORK"/callgrind.out.* "$WORK/tessera-nodebug"
log "done: $WORK/summary.txt, top functions per route in $WORK/{livez,healthz,get,form}.txt"
