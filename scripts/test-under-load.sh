#!/usr/bin/env bash
# Runs the whole suite N times in a row (default 2) while a CPU hog keeps every core busy
# (issue 14 item 8: the suite must hold on a loaded 2-core machine). Needs stress-ng
# (scripts/setup.sh --dev). Extra arguments go to scripts/test.sh (and so to ctest).
#   scripts/test-under-load.sh [--rounds N] [--hogs N] [ctest args...]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rounds=2
hogs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --hogs) hogs=$2; shift 2 ;;
    *) break ;;
  esac
done
command -v stress-ng >/dev/null || { echo "test-under-load: stress-ng missing (scripts/setup.sh --dev)" >&2; exit 2; }
# Build first, without the hog: the point is the tests' waits, not the compiler's speed.
"$root/scripts/setup.sh" --dev
"$root/scripts/build.sh"
stress-ng --cpu "$hogs" --timeout 0 --quiet &
hog=$!
trap 'kill "$hog" 2>/dev/null || true; wait "$hog" 2>/dev/null || true' EXIT
failed=0
for ((i = 1; i <= rounds; i++)); do
  start=$(date +%s)
  if "$root/scripts/test.sh" "$@"; then
    echo "test-under-load: round $i/$rounds passed in $(($(date +%s) - start)) s with $hogs CPU hogs"
  else
    echo "test-under-load: round $i/$rounds FAILED after $(($(date +%s) - start)) s with $hogs CPU hogs"
    failed=1
  fi
done
exit "$failed"
