#!/usr/bin/env bash
# HTTP API under load while securenet-control tracks N hosts (default 1M):
# securenet-bench-segment holds a live segment with N hosts, securenet-control samples it
# every second, wrk hits GET /health (reference), GET /api/metrics and GET /api/hosts with
# a token. Prints requests/s, p99 and the control tick time at N hosts.
#   bench/control/wrk.sh [BUILD_DIR] [HOSTS] [SECONDS] [CONNECTIONS]
# CONTROL_CPU=N / WRK_CPU=M pin securenet-control and wrk to their own cores (default: unpinned).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-${SECURENET_BUILD_DIR:-$root/build}}
hosts=${2:-1000000}
secs=${3:-10}
conns=${4:-32}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
work=$(mktemp -d)
instance="ctlwrk-$$"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
  rm -f "/dev/shm/securenet-$instance"
}
trap cleanup EXIT

"$build/bench/control/securenet-bench-segment" --instance "$instance" --hosts "$hosts" 2>"$work/segment.log" &
pids+=($!)
for _ in $(seq 1 600); do grep -q "hosts" "$work/segment.log" 2>/dev/null && break; sleep 0.1; done
head -c 48 /dev/urandom | base64 | tr -d '\n/+=' >"$work/secret"
# exec: run in the background (`pin ... &`), the pid recorded is the program's own, so the
# cleanup's kill reaches it (a function's subshell would die and leave the server running).
pin() { local cpu=$1; shift; if [[ -n $cpu ]]; then exec taskset -c "$cpu" "$@"; else exec "$@"; fi; }
pin "${CONTROL_CPU:-}" "$build/control/securenet-control" --instance "$instance" --listen 127.0.0.1:0 --port-file "$work/port" \
  --state-dir "$work" --jwt-secret-file "$work/secret" --web-root "$work" --max-connections 4096 2>"$work/control.log" &
pids+=($!)
for _ in $(seq 1 100); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
token=$("$build/control/securenet-control" token --jwt-secret-file "$work/secret" --user 00000000-0000-4000-8000-000000000001)
base="http://127.0.0.1:$port"
# Wait until the control plane has sampled the whole table at least twice.
for _ in $(seq 1 300); do
  total=$(curl -s -H "Authorization: Bearer $token" "$base/api/hosts?limit=1" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
  [ "${total:-0}" -ge "$hosts" ] && break
  sleep 0.2
done
sleep 2
echo "hosts tracked: $total"

run() {  # name path
  local out
  out=$(pin "${WRK_CPU:-}" wrk -t1 -c"$conns" -d"${secs}s" --latency -H "Authorization: Bearer $token" "$base$2" 2>&1)
  local rps p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  local non2xx
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  printf '%-28s %12s req/s   p99 %8s   non-2xx %s\n' "$1" "$rps" "$p99" "${non2xx:-0}"
}
echo "wrk: 1 thread, $conns connections, ${secs}s each; securenet-control is one thread"
run "GET /health (reference)" /health
run "GET /api/metrics" /api/metrics
run "GET /api/hosts" /api/hosts
run "GET /api/hosts?limit=1000" "/api/hosts?limit=1000&sort=bytes"
status=$(curl -s -H "Authorization: Bearer $token" "$base/api/status")
echo "control tick at $hosts hosts: $(echo "$status" | sed -n 's/.*"last_tick_duration_ms":\([0-9.]*\).*/\1/p') ms (tick period 1000 ms)"
