#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then runs CTest (unit, netns, db,
# dpdk, browser labels). Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${SECURENET_BUILD_DIR:-$root/build}
mkdir -p "$root/test-output"
cd "$build"
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
