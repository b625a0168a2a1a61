#!/usr/bin/env bash
# The main job: installs, builds, and runs the sensor on a replayed demo capture.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
build=${SECURENET_BUILD_DIR:-$root/build}
state=$root/.state
mkdir -p "$state"
demo=$state/demo.pcap
[ -f "$demo" ] || "$build/dataplane/securenet-pcapgen" --out "$demo" --packets 200000 --hosts 500
exec "$build/dataplane/securenet-dataplane" --source pcap --target "$demo" --workers 1 "$@"
