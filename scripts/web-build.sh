#!/usr/bin/env bash
# Installs the dashboard's pinned npm packages (npm ci, only when the lock file changed)
# and builds it into web/dist.
set -euo pipefail
web=$(cd "$(dirname "$0")/../web" && pwd)
cd "$web"
stamp=node_modules/.securenet-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run --silent build
