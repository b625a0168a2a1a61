#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs the whole sensor (local
# PostgreSQL, dataplane on a replayed demo capture, control plane with API and dashboard).
# Options and environment: see scripts/sensor.sh --help.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "$root/scripts/sensor.sh" "$@"
