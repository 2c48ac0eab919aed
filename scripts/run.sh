#!/usr/bin/env bash
# Command 1: set up, build (release) and start `tessera serve --demo` on the embedded PostgreSQL.
# Extra arguments go to `tessera serve` (e.g. --port 9090 --data-dir /var/lib/tessera).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product tessera
exec .build/release/tessera serve --demo "$@"
