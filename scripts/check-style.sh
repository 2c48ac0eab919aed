#!/usr/bin/env bash
# Style, as CI checks it: swift-format's lint (rules in .swift-format) and no line over 150 characters.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.swift')
# shellcheck disable=SC2086
swift format lint --strict --parallel $files
# Characters, not bytes: labels are Chinese.
long=$(python3 -c 'import sys
for f in sys.argv[1:]:
    for n, line in enumerate(open(f, encoding="utf-8"), 1):
        if len(line.rstrip("\n")) > 150: print(f"{f}:{n}")' $files)
if [ -n "$long" ]; then
  echo "check-style: lines over 150 characters:" >&2
  echo "$long" >&2
  exit 1
fi
echo "check-style: ok ($(echo "$files" | wc -l) Swift files)"
