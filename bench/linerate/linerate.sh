#!/usr/bin/env bash
# The line-rate harness: one command, one pinned core, one run (< 3 minutes).
#  1. DPDK net_pcap (infinite_rx) on a 64-byte capture with 64k distinct hosts:
#     securenet-dataplane vs dpdk-testpmd --forward-mode=rxonly on the same device and core,
#     median of N interleaved repeats, and their ratio; the same frames with 1,024 senders
#     (host table in cache) split the dataplane's cost into compute and host-table misses.
#     Every program gets the same burst size (--burst, default 32 = testpmd's default).
#  2. AF_XDP on a veth pair fed by securenet-gen: the highest offered rate the sensor takes
#     with zero loss (generator count = sensor count) and its CPU time per packet.
#  3. The same capture through the prototype's approach (Scapy sniff(offline=, prn=)).
# Results: <out>/results.json, <out>/linerate.png, and a table on stdout.
#
# Usage: bench/linerate/linerate.sh [--build DIR] [--out DIR] [--cpu N] [--gen-cpu N]
#                                   [--repeats N] [--duration S] [--hosts N] [--skip-afxdp]
#                                   [--scapy-packets N] [--burst N]
# Needs root (DPDK vdevs, network namespaces, XDP) and Debian's dpdk, python3-scapy,
# python3-matplotlib (scripts/deps/dpdk.txt).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=""
CPU=1
GEN_CPU=0
REPEATS=3
DURATION=4
HOSTS=65536
SCAPY_PACKETS=4096   # Scapy does ~1-2 kpps: a prefix of the capture keeps the run short
SKIP_AFXDP=0
BURST=32             # packets per rx_burst for testpmd, the dataplane and the source alone
CACHED_HOSTS=1024    # senders in the 'in cache' capture
PY=/usr/bin/python3   # Debian's interpreter, where python3-scapy/matplotlib live

while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --cpu) CPU=$2; shift 2 ;;
    --gen-cpu) GEN_CPU=$2; shift 2 ;;
    --repeats) REPEATS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --hosts) HOSTS=$2; shift 2 ;;
    --scapy-packets) SCAPY_PACKETS=$2; shift 2 ;;
    --skip-afxdp) SKIP_AFXDP=1; shift ;;
    --burst) BURST=$2; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "linerate.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
OUT=${OUT:-$BUILD/linerate}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DP=$BUILD/dataplane/securenet-dataplane
RXONLY=$BUILD/bench/linerate/securenet-rxonly
GEN=$(find "$BUILD/dataplane" -name securenet-gen -type f -perm -u+x 2>/dev/null | head -1 || true)
TESTPMD=$(command -v dpdk-testpmd || true)
LR="$PY $HERE/linerate.py"
RAW=$OUT/raw.jsonl
: > "$RAW"

die() { echo "linerate.sh: $*" >&2; exit 1; }
[[ $EUID -eq 0 ]] || die "needs root (DPDK virtual devices, network namespaces, XDP)"
[[ -x $DP ]] || die "no $DP; build it first: cmake --build $BUILD --target securenet-dataplane"
[[ -n $TESTPMD ]] || die "no dpdk-testpmd; apt-get install dpdk"
$PY -c 'import scapy, matplotlib' 2>/dev/null || die "apt-get install python3-scapy python3-matplotlib"

PCAP=$OUT/linerate64.pcap
echo "== capture: $HOSTS frames of 64 bytes, $HOSTS distinct source hosts -> $PCAP"
$LR mkpcap "$PCAP" "$HOSTS"
PCAP_CACHED=$OUT/linerate64-cached.pcap
echo "== capture: the same $HOSTS frames from $CACHED_HOSTS senders (host table in cache) -> $PCAP_CACHED"
$LR mkpcap "$PCAP_CACHED" "$HOSTS" "$CACHED_HOSTS"
echo "{\"kind\":\"meta\",\"cpu\":$CPU,\"hosts\":$HOSTS,\"burst\":$BURST,\"cached_hosts\":$CACHED_HOSTS,\"duration_s\":$DURATION,\"repeats\":$REPEATS,\"cpu_model\":\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//;s/"//g')\"}" >> "$RAW"

# The capture lives in mbufs (infinite_rx preloads it): room for it plus the rings.
MEM=1024
MBUFS=$(( HOSTS * 2 + 16384 ))
RING=$(( HOSTS / 2 < 32768 ? HOSTS / 2 : 32768 )); (( RING >= 1024 )) || RING=1024
VDEV="net_pcap0,rx_pcap=$PCAP,infinite_rx=1"

run_testpmd() {
  local log=$OUT/testpmd.$1.log
  taskset -c "$CPU" stdbuf -oL "$TESTPMD" --lcores "(0,1)@$CPU" \
    --no-huge -m $MEM --no-pci --no-shconf --vdev "$VDEV" -- \
    --forward-mode=rxonly --nb-cores=1 --stats-period 1 --total-num-mbufs=$MBUFS --burst=$BURST \
    < /dev/null > "$log" 2>&1 &
  local pid=$!
  sleep $(( DURATION + 2 ))
  local cpu; cpu=$($LR thread-cpu $pid 2>/dev/null || echo 0)
  kill -INT $pid; wait $pid || true
  local r; r=$($LR testpmd-pps "$log" "$cpu") || die "testpmd gave no rate; see $log"
  echo "{\"kind\":\"testpmd\",\"repeat\":$1,${r#\{}" >> "$RAW"
  echo "  testpmd   repeat $1: $(rate_of "$r")"
}

rate_of() { $PY -c 'import json,sys; r=json.loads(sys.argv[1]); print("%s Mpps wall, %.2f Mpps per CPU-second" % ("%.2f" % (r["pps"]/1e6) if r["pps"] else "?", r["pps_per_cpu"]/1e6))' "$1"; }

# run_dataplane REPEAT [KIND PCAP]: KIND dataplane (64k senders) or dataplane_cached.
run_dataplane() {
  local kind=${2:-dataplane} pcap=${3:-$PCAP}
  local inst="linerate$$r$1$kind" log=$OUT/$kind.$1.log
  taskset -c "$CPU" "$DP" --source dpdk --target net_pcap0 --instance "$inst" --burst "$BURST" \
    --host-capacity $(( HOSTS * 4 )) --ring-size $RING --stats-json "$OUT/$kind.$1.json" \
    --eal "--no-huge -m $MEM --no-pci --vdev net_pcap0,rx_pcap=$pcap,infinite_rx=1" > "$log" 2>&1 &
  local pid=$!
  local r; r=$($LR shm-rate "$inst" 1.5 "$DURATION") || { kill -INT $pid; wait $pid; die "no rate; see $log"; }
  kill -INT $pid; wait $pid || true
  echo "{\"kind\":\"$kind\",\"repeat\":$1,${r#\{}" >> "$RAW"
  echo "  $kind repeat $1: $(rate_of "$r")"
}

# The DPDK source alone (rx_burst + free, like testpmd rxonly): splits the dataplane's cost
# per packet into "source" and "parse + count".
run_rxonly() {
  [[ -x $RXONLY ]] || return 0
  local log=$OUT/rxonly.$1.log r
  r=$(taskset -c "$CPU" "$RXONLY" --target net_pcap0 --seconds "$DURATION" --ring-size $RING --burst "$BURST" -- \
        --no-huge -m $MEM --no-pci --vdev "$VDEV" 2> "$log" | tail -1) || die "rxonly failed; see $log"
  echo "{\"kind\":\"rxonly\",\"repeat\":$1,${r#\{}" >> "$RAW"
  echo "  rxonly    repeat $1: $(rate_of "$r")"
}

echo "== 1. DPDK net_pcap on CPU $CPU: dpdk-testpmd rxonly vs securenet-dataplane (and the source alone), $REPEATS interleaved repeats of ${DURATION}s"
for i in $(seq 1 "$REPEATS"); do
  run_testpmd "$i"
  run_dataplane "$i"
  run_rxonly "$i"
  run_dataplane "$i" dataplane_cached "$PCAP_CACHED"
done

echo "== 2. AF_XDP on a veth pair, securenet-gen on CPU $GEN_CPU, sensor on CPU $CPU"
afxdp_skip() { echo "  skipped: $1"; echo "{\"kind\":\"afxdp_skip\",\"reason\":\"$1\"}" >> "$RAW"; }
if (( SKIP_AFXDP )); then
  afxdp_skip "--skip-afxdp given"
elif [[ -z $GEN ]]; then
  afxdp_skip "securenet-gen not built (cmake --build $BUILD --target securenet-gen)"
elif ! "$DP" --help 2>&1 | grep -q afxdp; then
  afxdp_skip "securenet-dataplane has no afxdp source"
else
  NS=snet-linerate-$$
  cleanup_ns() { ip netns del "$NS" 2>/dev/null || true; }
  trap cleanup_ns EXIT
  ip netns add "$NS"
  ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$NS" link add lra type veth peer name lrb
  ip -n "$NS" link set lra up && ip -n "$NS" link set lrb up
  inst="linerate$$x"
  # A deep ring rides out the scheduler delays of a shared machine.
  ip netns exec "$NS" taskset -c "$CPU" "$DP" --source afxdp --target lra --instance "$inst" \
    --host-capacity 65536 --ring-size 16384 > "$OUT/afxdp.log" 2>&1 &
  dpid=$!
  if ! $LR shm-totals "$inst" > /dev/null 2>&1; then
    afxdp_skip "the AF_XDP dataplane did not start: $(tail -1 "$OUT/afxdp.log")"
    rates=""
  else
    rates="100000 250000 500000 750000 1000000 1500000 2000000 3000000 4000000 0"
  fi
  # Each step offers `rate` packets/s for at most 2.5 s (0 = as fast as the generator can).
  # The sweep ends after two lossy steps, or jumps to the unpaced step once the generator
  # itself falls below half the offered rate twice (then it, not the sensor, is the limit).
  zero_loss_misses=0
  gen_limited=0
  for rate in $rates; do
    if (( rate > 0 && gen_limited >= 2 )); then continue; fi
    count=$(( rate > 0 ? rate * 5 / 2 : 100000000 ))
    before=$($LR shm-totals "$inst")
    g=$(ip netns exec "$NS" timeout -s INT 2.5 taskset -c "$GEN_CPU" "$GEN" --dev lrb --mix udp \
          --hosts 4096 --size 60 --count "$count" --pps "$rate" --mode live --json 2>>"$OUT/gen.log") || true
    sleep 0.5
    after=$($LR shm-totals "$inst")
    line=$($PY - "$rate" "$before" "$after" "$g" <<'PYEOF'
import json, sys
rate, b, a = int(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
try:
    g = json.loads(sys.argv[4])
except ValueError:
    g = {"sent": 0, "pps": 0}
got = a["packets"] - b["packets"]
cpu = a["cpu_s"] - b["cpu_s"]
print(json.dumps({"kind": "afxdp_step", "offered_pps": rate, "sent": g.get("sent", 0),
                  "achieved_pps": g.get("pps", 0), "received": got, "lost": g.get("sent", 0) - got,
                  "source_drops": a["drops"] - b["drops"],
                  "cpu_ns_per_packet": cpu * 1e9 / got if got else None}))
PYEOF
)
    echo "$line" >> "$RAW"
    echo "  offered $( (( rate )) && echo $rate || echo max) pps: $line" | sed 's/{"kind": "afxdp_step", //; s/}$//'
    achieved=$($PY -c 'import json,sys; print(int(json.loads(sys.argv[1])["achieved_pps"]))' "$line")
    if (( rate > 0 && achieved * 2 < rate )); then gen_limited=$(( gen_limited + 1 )); fi
    if [[ $line != *'"lost": 0,'* ]]; then
      zero_loss_misses=$(( zero_loss_misses + 1 ))
      (( zero_loss_misses < 2 )) || break
    fi
  done
  kill -INT $dpid; wait $dpid || true
  cleanup_ns
fi

echo "== 3. Scapy sniff(offline=..., prn=...) over the first $SCAPY_PACKETS frames of the same capture (the prototype's approach)"
s=$($LR scapy "$PCAP" "$SCAPY_PACKETS")
echo "{\"kind\":\"scapy\",${s#\{}" >> "$RAW"
echo "  $s"

$LR report "$OUT"
echo
echo "results: $OUT/results.json  chart: $OUT/linerate.png"
