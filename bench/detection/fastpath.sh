#!/usr/bin/env bash
# Issue 17: the fast path's latency through the real binaries, repeated (default 20 runs):
# tests/control/fast_path_test.cpp (a 5x flood replayed at its capture's pace into
# securenet-dataplane, securenet-control with a 5 s tick) prints, per run and rule, the
# delay from the dataplane's start to the alert in the API and to its detected_ms. This
# prints p50 / p99 / max of both per rule. Usage: bench/detection/fastpath.sh [runs] [build]
set -euo pipefail
runs=${1:-20}
build=${2:-$(cd "$(dirname "$0")/../.." && pwd)/build}
bin=$build/tests/control/control_integration_test
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$bin" --gtest_filter='Floods/*' --gtest_repeat="$runs" >"$out" 2>&1 || {
  tail -40 "$out"
  exit 1
}
# "fast path: heavy-sender/traffic_sent 255 ms to the API, 254 ms to detected_ms"
grep '^fast path:' "$out" | awk '{print $3, $4, $9}' | sort -k1,1 |
  awk '
  function pct(a, n, p,   i) { i = int(p * n + 0.999999); if (i < 1) i = 1; return a[i] }
  function flush(   i, j, t, n) {
    if (k == "") return
    n = c; for (i = 1; i <= n; ++i) for (j = i + 1; j <= n; ++j) {
      if (s[j] < s[i]) { t = s[i]; s[i] = s[j]; s[j] = t }
      if (d[j] < d[i]) { t = d[i]; d[i] = d[j]; d[j] = t } }
    printf "%-20s runs %3d  api: p50 %4d  p99 %4d  max %4d ms   detected_ms: p50 %4d  p99 %4d  max %4d ms\n",
      k, n, pct(s, n, .5), pct(s, n, .99), s[n], pct(d, n, .5), pct(d, n, .99), d[n]
  }
  { if ($1 != k) { flush(); k = $1; c = 0 } ++c; s[c] = $2; d[c] = $3 }
  END { flush() }'
