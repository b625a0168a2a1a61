#!/usr/bin/env bash
# Configures and builds everything into build/ (idempotent; incremental when re-run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${SECURENET_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
if [ -f "$root/web/package.json" ]; then
  "$root/scripts/web-build.sh"
fi
