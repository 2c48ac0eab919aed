#!/usr/bin/env bash
# Command 2: set up, validate the packs, then run the whole test suite against a real
# PostgreSQL started by the project's own launcher (or TESSERA_TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
python3 scripts/check-pack-schemas.py
status=0
# The crash-recovery test runs the real `tessera` executable: build it with the tests.
swift build --build-tests
# Every pack, through the decoders and checks installing runs (the JSON Schemas were checked above).
for pack in templates-market/*/pack.yaml; do .build/debug/tessera pack validate "$(dirname "$pack")"; done
# Under a watchdog: a hang ends the run well inside CI's limit, saying which tests were still running
# and what PostgreSQL was doing (TESSERA_TEST_TIME_LIMIT seconds; a full run takes 4 to 10 minutes).
python3 scripts/watchdog.py "${TESSERA_TEST_TIME_LIMIT:-2400}" -- swift test "$@" || status=$?
# The README's curl tour, run against the debug binary built above, so the README cannot drift from the server.
tour_status=0
python3 scripts/watchdog.py 600 -- python3 scripts/readme_tour.py .build/debug/tessera || tour_status=$?
# The API fuzzed against its own OpenAPI document (schemathesis: every operation, positive and
# negative cases, responses checked against the document), bounded in time.
fuzz_status=0
FUZZ_MAX_TIME=${FUZZ_MAX_TIME:-240} python3 scripts/watchdog.py 900 -- bash scripts/fuzz-api.sh .build/debug/tessera || fuzz_status=$?
# The tests leave their cluster running for the next run; stop it at the end of a full run.
if [ -z "${TESSERA_TEST_DATABASE_URL:-}" ] && [ -f "${TMPDIR:-/tmp}/tessera-tests/pg/postmaster.pid" ]; then
  pgctl=$(command -v pg_ctl || ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1)
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$pgctl" -D "${TMPDIR:-/tmp}/tessera-tests/pg" -m fast stop >/dev/null || true
  else "$pgctl" -D "${TMPDIR:-/tmp}/tessera-tests/pg" -m fast stop >/dev/null || true; fi
fi
[ "$status" -ne 0 ] || status=$tour_status
[ "$status" -ne 0 ] || status=$fuzz_status
exit $status
