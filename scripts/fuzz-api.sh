#!/usr/bin/env bash
# Fuzzes the API against its own OpenAPI document with schemathesis: a fresh server on loopback
# (embedded PostgreSQL in a temp dir), a tenant with the sales pack, then every operation of the
# admin's document with positive and negative cases; responses are checked against the document.
# Then a client generated from the document (openapi-python-client) creates, lists, filters and
# updates leads of a second tenant (scripts/openapi_client_check.py).
#   bash scripts/fuzz-api.sh [path/to/tessera]      (default .build/debug/tessera)
# FUZZ_EXAMPLES (cases per operation, default 25), FUZZ_MAX_TIME (seconds, default 600), FUZZ_SEED.
# Fails on any response >= 500 or any mismatch with the document.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug/tessera}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/tessera-fuzz.XXXXXX")
chmod 755 "$DIR"  # the embedded PostgreSQL runs as postgres when we are root
REPORT=${FUZZ_REPORT_DIR:-$DIR/report}
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
SERVER=""
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null || true
  rm -rf "$DIR/pg" "$DIR/files"
}
trap cleanup EXIT

"$BIN" tenant create fuzz --name "Fuzz Co." --pack sales --data-dir "$DIR" --packs-dir templates-market > "$DIR/tenant.json" 2> "$DIR/tenant.log" \
  || { tail -20 "$DIR/tenant.log" >&2; exit 1; }
KEY=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["api_key"])' "$DIR/tenant.json")
"$BIN" serve --data-dir "$DIR" --host 127.0.0.1 --port "$PORT" --packs-dir templates-market > "$DIR/server.log" 2>&1 &
SERVER=$!
for ((k = 0; k < 240; k++)); do
  kill -0 "$SERVER" 2>/dev/null || { tail -20 "$DIR/server.log" >&2; exit 1; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/healthz" || true)" = 200 ] && break
  sleep 0.25
done
curl -sf -H "Authorization: Bearer $KEY" "$URL/api/v1/openapi.json" > "$DIR/openapi.json"
echo "fuzz-api: $(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(sum(len([m for m in p if m != "parameters"]) for p in d["paths"].values()))' "$DIR/openapi.json") operations in the document"

status=0
schemathesis run "$DIR/openapi.json" --url "$URL" -H "Authorization: Bearer $KEY" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "${FUZZ_EXAMPLES:-25}" --max-time "${FUZZ_MAX_TIME:-600}" --seed "${FUZZ_SEED:-1}" --workers 1 \
  --request-timeout 30 --no-color --suppress-health-check all --report junit --report-dir "$REPORT" || status=$?
echo "fuzz-api: schemathesis exited $status; report in $REPORT; server log $DIR/server.log"
# A client generated from the same document, used for the leads of a fresh tenant.
curl -sf -X POST -H "Authorization: Bearer $(cat "$DIR/admin-token")" -H 'Content-Type: application/json' \
  --data-binary '{"slug":"client","name":"Client Co.","packs":["sales"]}' "$URL/api/v1/tenants" > "$DIR/client.json"
CLIENT_KEY=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["api_key"])' "$DIR/client.json")
curl -sf -H "Authorization: Bearer $CLIENT_KEY" "$URL/api/v1/openapi.json" > "$DIR/client-openapi.json"
client_status=0
python3 scripts/openapi_client_check.py "$DIR/client-openapi.json" "$URL" "$CLIENT_KEY" || client_status=$?
[ "$status" -ne 0 ] || status=$client_status
exit $status
