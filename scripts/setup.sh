#!/usr/bin/env bash
# Installs what Tessera needs on a fresh Debian machine that has the Swift toolchain:
# the PostgreSQL server binaries (only when no initdb is found), the Python packages
# the pack schema check uses, and headless Chromium with CJK fonts (the chart tests render
# the dashboards' SVG charts to PNG with it). Safe to run again.
set -euo pipefail

have_initdb() {
  command -v initdb >/dev/null 2>&1 && return 0
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1
}

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v swift >/dev/null 2>&1; then
  echo "setup: the Swift toolchain (6.2 or later) is required and was not found on PATH." >&2
  exit 1
fi

if ! have_initdb; then
  echo "setup: installing PostgreSQL server binaries (apt-get install postgresql)"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >/dev/null
fi
if ! command -v psql >/dev/null 2>&1 || ! command -v pgbench >/dev/null 2>&1; then
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null
fi

if ! python3 -c 'import jsonschema, yaml' >/dev/null 2>&1; then
  echo "setup: installing Python packages for the pack schema check (jsonschema, pyyaml)"
  python3 -m pip install -q jsonschema pyyaml
fi
if ! python3 -c 'import openapi_spec_validator' >/dev/null 2>&1; then
  echo "setup: installing openapi-spec-validator for the OpenAPI document tests"
  python3 -m pip install -q "openapi-spec-validator==0.7.2"
fi
if ! command -v schemathesis >/dev/null 2>&1 || ! command -v openapi-python-client >/dev/null 2>&1; then
  echo "setup: installing schemathesis and openapi-python-client for the API run against the OpenAPI document (scripts/fuzz-api.sh)"
  python3 -m pip install -q "schemathesis==4.32.5" "openapi-python-client==0.29.1"
fi
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  echo "setup: installing headless Chromium and CJK fonts for the chart tests (apt-get install chromium fonts-noto-cjk)"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
echo "setup: ok ($(swift --version 2>&1 | head -1); $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -1))"
