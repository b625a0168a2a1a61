#!/usr/bin/env bash
# Runs the dashboard's Vitest suite. Usage: run-vitest.sh <repo root>
set -euo pipefail
web=$1/web
if [ ! -x "$web/node_modules/.bin/vitest" ]; then
  echo "SKIP: $web/node_modules is missing; run scripts/web-build.sh (npm ci) first"
  exit 77
fi
cd "$web"
exec node_modules/.bin/vitest run
