#!/usr/bin/env bash
# End-to-end dashboard test in Debian's Chromium against the real sensor.
# Usage: run-e2e.sh <repo root> <build dir>
#
# Target sensor, in order of preference:
#  1. SECURENET_URL + SECURENET_EMAIL + SECURENET_PASSWORD already set: use that sensor.
#  2. <repo>/scripts/sensor.sh exists: start the whole stack with it
#       SECURENET_BUILD_DIR=<build dir> scripts/sensor.sh --state-dir <tmp dir> --port <port>
#     in its own process group; it must print, once ready, lines of the form
#       SECURENET_URL=http://127.0.0.1:<port>
#       SECURENET_EMAIL=<first user's email>
#       SECURENET_PASSWORD=<first user's password>
#     (prefix SECURENET_ optional, "KEY=value" or "key: value") and keep running until
#     SIGTERM; the whole process group is stopped when the test ends.
#  3. Otherwise SKIP (exit 77) with the reason.
set -euo pipefail
root=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
web=$root/web

skip() { echo "SKIP: $*"; exit 77; }
[ -x /usr/bin/chromium ] || [ -n "${SECURENET_CHROMIUM:-}" ] || skip "no /usr/bin/chromium (apt-get install chromium)"
[ -d "$web/node_modules/playwright-core" ] || skip "$web/node_modules is missing; run scripts/web-build.sh (npm ci) first"
[ -f "$web/dist/index.html" ] || skip "$web/dist is missing; run scripts/web-build.sh first"

sensor_pid=""
state=""
cleanup() {
  local rc=$?
  if [ -n "$sensor_pid" ]; then
    kill -TERM -- "-$sensor_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 -- "-$sensor_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$sensor_pid" 2>/dev/null || true
  fi
  if [ -n "$state" ]; then rm -rf "$state"; fi
  exit "$rc"
}
trap cleanup EXIT

# Reads KEY from the sensor's output (SECURENET_KEY=v, KEY=v, key: v; case-insensitive).
field() {
  { grep -i -E "^[[:space:]]*(SECURENET_)?$1[[:space:]]*[=:]" "$2" || true; } | tail -1 |
    sed -E "s/^[^=:]*[=:][[:space:]]*//; s/[[:space:]]+$//"
}

if [ -z "${SECURENET_URL:-}" ]; then
  [ -x "$root/scripts/sensor.sh" ] ||
    skip "scripts/sensor.sh (starts PostgreSQL, dataplane replay and control) does not exist yet; or set SECURENET_URL/SECURENET_EMAIL/SECURENET_PASSWORD"
  state=$(mktemp -d "${TMPDIR:-/tmp}/securenet-e2e-$$-XXXX")
  port=$((20000 + $$ % 20000))
  out=$state/sensor.out
  # Blocking on, in mode xdp (no gobgp needed), for the Blocks page step; automatic blocks
  # only for CRITICAL port scans, which the demo capture has none of.
  printf '%s\n' '{"enabled": true, "mode": "xdp", "min_severity": "CRITICAL", "kinds": ["port_scan"],' \
    '"max_announcements_per_hour": 100}' >"$state/block.json"
  export SECURENET_CONTROL_ARGS="${SECURENET_CONTROL_ARGS:-} --block-config $state/block.json"
  echo "starting the sensor: scripts/sensor.sh --state-dir $state --port $port"
  SECURENET_BUILD_DIR=$build setsid "$root/scripts/sensor.sh" --state-dir "$state" --port "$port" >"$out" 2>&1 &
  sensor_pid=$!
  for _ in $(seq 240); do
    url=$(field URL "$out"); email=$(field EMAIL "$out"); password=$(field PASSWORD "$out")
    [ -n "$url" ] && [ -n "$email" ] && [ -n "$password" ] && break
    if ! kill -0 "$sensor_pid" 2>/dev/null; then
      echo "scripts/sensor.sh exited before printing URL/EMAIL/PASSWORD:"; cat "$out"; exit 1
    fi
    sleep 0.5
  done
  if [ -z "${url:-}" ] || [ -z "${email:-}" ] || [ -z "${password:-}" ]; then
    echo "scripts/sensor.sh printed no URL/EMAIL/PASSWORD within 120 s:"; cat "$out"; exit 1
  fi
  export SECURENET_URL=$url SECURENET_EMAIL=$email SECURENET_PASSWORD=$password
fi

echo "dashboard e2e against $SECURENET_URL as $SECURENET_EMAIL"
mkdir -p "$root/test-output/browser"
cd "$web"
set +e
node e2e/run.mjs
rc=$?
set -e
if [ "$rc" -ne 0 ] && [ -n "$sensor_pid" ]; then
  echo "---- sensor output (last 60 lines) ----"; tail -60 "$out"
fi
exit "$rc"
