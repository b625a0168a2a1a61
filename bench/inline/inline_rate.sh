#!/usr/bin/env bash
# Inline forwarding (issue 16 item 4b): the same generator run through the AF_XDP dataplane
# capturing only, then with --inline OUT_IF, then with --inline and a second generator behind
# OUT_IF at the same rate (both directions at once), on veth pairs in two namespaces; prints
# what the generators sent, what the sensor counted and lost, and what arrived behind OUT_IF
# (and, both directions, back behind the capture interface).
# Usage: bench/inline/inline_rate.sh [COUNT] ["PPS ..."]   (root; BUILD=<build dir>)
# MODES="capture inline both" by default (a dataplane that forwards one way only: leave out
# both, its second generator's frames would be lost on OUT_IF).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
N=${1:-600000}
RATES=${2:-"100000 200000 300000 500000"}
MODES=${MODES:-"capture inline both"}
T=$(mktemp -d)
G=snib-g$$ O=snib-o$$
cleanup() { ip link del snibc$$ 2>/dev/null; ip link del snibo$$ 2>/dev/null;
            ip netns del $G 2>/dev/null; ip netns del $O 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
ip netns add $G; ip netns add $O
ip link add snibc$$ type veth peer name g netns $G
ip link add snibo$$ type veth peer name o netns $O
for d in snibc$$ snibo$$; do sysctl -qw net.ipv6.conf.$d.disable_ipv6=1; ip link set $d up; done
ip netns exec $G sysctl -qw net.ipv6.conf.g.disable_ipv6=1; ip -n $G link set g up
ip netns exec $O sysctl -qw net.ipv6.conf.o.disable_ipv6=1; ip -n $O link set o up
run() {  # mode pps
  local extra=() rx0 rx1 bk0 bk1 g2=
  [ "$1" != capture ] && extra=(--inline snibo$$)
  rx0=$(ip netns exec $O cat /sys/class/net/o/statistics/rx_packets)
  bk0=$(ip netns exec $G cat /sys/class/net/g/statistics/rx_packets)
  "$BUILD/dataplane/securenet-dataplane" --source afxdp --target snibc$$ "${extra[@]}" \
    --instance snib$$ --ring-size 16384 --stats-json "$T/dp.json" 2>"$T/dp.log" &
  local dp=$!
  for _ in $(seq 100); do [ -e /dev/shm/securenet-snib$$ ] && break; sleep 0.05; done
  sleep 0.5
  echo '{"sent":0,"pps":0}' >"$T/gen2.json"
  if [ "$1" = both ]; then
    ip netns exec $O "$BUILD/dataplane/securenet-gen" --dev o --mix udp --hosts 256 --count "$N" \
      --pps "$2" --mode live --json >"$T/gen2.json" &
    g2=$!
  fi
  ip netns exec $G "$BUILD/dataplane/securenet-gen" --dev g --mix udp --hosts 256 --count "$N" \
    --pps "$2" --mode live --json >"$T/gen.json"
  [ -n "$g2" ] && wait $g2
  sleep 1
  kill -INT $dp; wait $dp || true
  rx1=$(ip netns exec $O cat /sys/class/net/o/statistics/rx_packets)
  bk1=$(ip netns exec $G cat /sys/class/net/g/statistics/rx_packets)
  python3 - "$1" "$2" "$T/dp.json" "$T/gen.json" $((rx1 - rx0)) "$T/gen2.json" $((bk1 - bk0)) <<'PY'
import json, sys
mode, pps, dp, gen, far = sys.argv[1], sys.argv[2], json.load(open(sys.argv[3])), json.load(open(sys.argv[4])), sys.argv[5]
gen2, back = json.load(open(sys.argv[6])), sys.argv[7]
line = (f"{mode:8} offered {int(pps):>8} pps  sent {gen['sent']:>8} at {gen['pps']:>8.0f} pps  "
        f"counted {dp['packets']:>8}  lost {dp['source_drops']:>8}  behind OUT_IF {far:>8}")
if mode == "both":
    line += f"  | back: sent {gen2['sent']:>8} at {gen2['pps']:>8.0f} pps  behind capture {back:>8}"
print(line)
PY
}
for r in $RATES; do for m in $MODES; do run "$m" "$r"; done; done
