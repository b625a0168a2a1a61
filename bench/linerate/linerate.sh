#!/usr/bin/env bash
# The line-rate harness: one command, one pinned core, one run (~4-5 minutes with the defaults).
#  1. DPDK net_pcap (infinite_rx) on a 64-byte capture with 64k distinct hosts:
#     securenet-dataplane vs dpdk-testpmd --forward-mode=rxonly on the same device and core,
#     median of N interleaved repeats, and their ratio; the same frames with 1,024 senders
#     (host table in cache) split the dataplane's cost into compute and host-table misses.
#     Every program gets the same burst size (--burst, default 32 = testpmd's default).
#     Then two workers on two cores (--cpus2), one net_pcap queue each: the scaling factor.
#     1c. The memory floor (memory_bench, no project code): one prefetched random host update
#     (two lines of a 256-byte entry, --hosts entries) beside a net_pcap-like stream; with the
#     source alone it bounds what exact per-host counting can reach on this machine.
#  2. AF_XDP on a veth pair fed by securenet-gen (afxdp_sustained.sh): each rate for --step-s
#     seconds on an idle core and with a CPU hog on the sensor's core, both at normal
#     priority, then the busy steps again with the sensor's worker at SCHED_FIFO
#     (--sched-fifo N, default 10; 0 skips that pass); loss at every layer (generator, veth,
#     XDP program and socket, sensor count) and CPU time per packet.
#  3. The same capture through the prototype's approach (Scapy sniff(offline=, prn=)).
#  4. The control plane at 1M hosts: one tick against reading the segment alone
#     (control_bench, on --cpu), and the API under wrk (bench/control/wrk.sh; the server on
#     --cpu, wrk on --gen-cpu).
# Results: <out>/results.json, <out>/linerate.png, and a table on stdout.
#
# Usage: bench/linerate/linerate.sh [--build DIR] [--out DIR] [--cpu N] [--gen-cpu N]
#                                   [--repeats N] [--duration S] [--hosts N] [--skip-afxdp]
#                                   [--scapy-packets N] [--burst N] [--step-s S]
#                                   [--afxdp-rates "1000000 2000000 3000000"]
#                                   [--hog both|idle|busy] [--sched-fifo N]
#                                   [--cpus2 "0,1"|none] [--skip-control] [--wrk-s S]
#   --sched-fifo N  priority 1..99 of the SCHED_FIFO pass of step 2 (runs when --hog is both
#                   or busy); 0 leaves it out (default 10)
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
SKIP_CONTROL=0
WRK_S=8              # seconds of wrk per endpoint (step 4)
STEP_S=10            # AF_XDP: seconds per rate step (a ring absorbs what a short step would lose)
AFXDP_RATES="1000000 2000000 3000000"
HOG=both             # AF_XDP steps on an idle core, with a CPU hog on the sensor's core, or both
SCHED_FIFO=10        # AF_XDP: the busy steps again with the worker SCHED_FIFO at this priority (0: no)
BURST=32             # packets per rx_burst for testpmd, the dataplane and the source alone
CACHED_HOSTS=1024    # senders in the 'in cache' capture
CPUS2=""             # two workers on these CPUs (default: GEN_CPU,CPU); "none" skips the step
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
    --skip-control) SKIP_CONTROL=1; shift ;;
    --wrk-s) WRK_S=$2; shift 2 ;;
    --step-s) STEP_S=$2; shift 2 ;;
    --afxdp-rates) AFXDP_RATES=$2; shift 2 ;;
    --hog) HOG=$2; shift 2 ;;
    --sched-fifo) SCHED_FIFO=$2; shift 2 ;;
    --burst) BURST=$2; shift 2 ;;
    --cpus2) CPUS2=$2; shift 2 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "linerate.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $HOG =~ ^(both|idle|busy)$ ]] || { echo "linerate.sh: --hog wants both, idle or busy" >&2; exit 2; }
[[ $SCHED_FIFO =~ ^(0|[1-9][0-9]?)$ ]] ||
  { echo "linerate.sh: --sched-fifo wants a priority 1..99, or 0 for no SCHED_FIFO pass (got '$SCHED_FIFO')" >&2; exit 2; }
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

# Two workers, one net_pcap queue each (the same 64k-host capture on both queues: each worker
# has its own host table, as with RSS), pinned to the two CPUs of --cpus2.
run_dataplane_2w() {
  local inst="linerate$$r$1w2" log=$OUT/dataplane_2w.$1.log
  local two="net_pcap0,rx_pcap=$PCAP,rx_pcap=$PCAP,infinite_rx=1"
  "$DP" --source dpdk --target net_pcap0 --instance "$inst" --burst "$BURST" --workers 2 \
    --cpus "$CPUS2" --host-capacity $(( HOSTS * 4 )) --ring-size $RING \
    --stats-json "$OUT/dataplane_2w.$1.json" \
    --eal "--no-huge -m $(( MEM * 2 )) --no-pci --vdev $two" > "$log" 2>&1 &
  local pid=$!
  local r; r=$($LR shm-rate-all "$inst" 1.5 "$DURATION") || { kill -INT $pid; wait $pid; die "no rate; see $log"; }
  kill -INT $pid; wait $pid || true
  echo "{\"kind\":\"dataplane_2w\",\"repeat\":$1,${r#\{}" >> "$RAW"
  echo "  dataplane_2w repeat $1: $(rate_of "$r") (per CPU-second of all workers)"
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

[[ -n $CPUS2 ]] || CPUS2="$GEN_CPU,$CPU"
if [[ $CPUS2 != none ]]; then
  echo "== 1b. DPDK net_pcap, two workers on CPUs $CPUS2 (one queue each), $REPEATS repeats of ${DURATION}s"
  for i in $(seq 1 "$REPEATS"); do run_dataplane_2w "$i"; done
fi

MEMORY_BENCH=$BUILD/bench/linerate/memory_bench
FLOOR_MIB=$(( HOSTS * 256 >> 20 ))
echo "== 1c. The memory floor on CPU $CPU: memory_bench, one random update of a 256-byte entry in $FLOOR_MIB MiB beside a driver-like stream"
if [[ ! -x $MEMORY_BENCH ]]; then
  echo "  skipped: no $MEMORY_BENCH (cmake --build $BUILD --target memory_bench)"
elif [[ ! $FLOOR_MIB =~ ^(8|16|32)$ ]]; then
  echo "  skipped: memory_bench has tables of 8, 16 or 32 MiB (--hosts 32768, 65536 or 131072)"
elif taskset -c "$CPU" "$MEMORY_BENCH" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_filter="^BM_Stream/|^BM_StreamAndTable/table_mib:$FLOOR_MIB/entry_bytes:256/" \
    --benchmark_format=json >"$OUT/memory_bench.json" 2>"$OUT/memory_bench.log"; then
  s=$($LR memory-floor "$OUT/memory_bench.json" "$FLOOR_MIB")
  echo "{\"kind\":\"memory_floor\",${s#\{}" >> "$RAW"
  echo "  $s"
else
  echo "  memory_bench failed; see $OUT/memory_bench.log"
fi

echo "== 2. AF_XDP on a veth pair, securenet-gen on CPU $GEN_CPU, sensor on CPU $CPU"
afxdp_skip() { echo "  skipped: $1"; echo "{\"kind\":\"afxdp_skip\",\"reason\":\"$1\"}" >> "$RAW"; }
if (( SKIP_AFXDP )); then
  afxdp_skip "--skip-afxdp given"
elif [[ -z $GEN ]]; then
  afxdp_skip "securenet-gen not built (cmake --build $BUILD --target securenet-gen)"
elif ! grep -q afxdp <<<"$("$DP" --help 2>&1)"; then  # not a pipe: grep -q closing it early would fail the pipeline
  afxdp_skip "securenet-dataplane has no afxdp source"
else
  sustained=(bash "$HERE/afxdp_sustained.sh" --build "$BUILD" --raw "$RAW" --cpu "$CPU"
             --gen-cpu "$GEN_CPU" --step-s "$STEP_S" --rates "$AFXDP_RATES")
  "${sustained[@]}" --hog "$HOG" || afxdp_skip "afxdp_sustained.sh failed; see $OUT/afxdp-sustained.log"
  # A worker at normal priority shares its core with the hog under CFS; at SCHED_FIFO it
  # preempts the hog (bench/linerate/README.md, step 2).
  if (( SCHED_FIFO )) && [[ $HOG != idle ]]; then
    echo "  the busy steps again, the sensor's worker at SCHED_FIFO $SCHED_FIFO"
    "${sustained[@]}" --hog busy -- --sched-fifo "$SCHED_FIFO" ||
      afxdp_skip "SCHED_FIFO $SCHED_FIFO pass: afxdp_sustained.sh failed; see $OUT/afxdp-sustained.fifo$SCHED_FIFO.log"
  fi
fi

echo "== 3. Scapy sniff(offline=..., prn=...) over the first $SCAPY_PACKETS frames of the same capture (the prototype's approach)"
s=$($LR scapy "$PCAP" "$SCAPY_PACKETS")
echo "{\"kind\":\"scapy\",${s#\{}" >> "$RAW"
echo "  $s"

if (( ! SKIP_CONTROL )); then
  echo "== 4. Control plane at 1M hosts: a tick vs reading the segment (CPU $CPU); the API under wrk (server on CPU $CPU, wrk on CPU $GEN_CPU)"
  if taskset -c "$CPU" "$BUILD/bench/control/control_bench" --benchmark_filter='/1000000$' \
      --benchmark_repetitions=3 --benchmark_min_time=0.5 --benchmark_report_aggregates_only=true \
      --benchmark_format=json >"$OUT/control_bench.json" 2>"$OUT/control_bench.log"; then
    s=$($LR control "$OUT/control_bench.json")
    echo "{\"kind\":\"control_tick\",${s#\{}" >> "$RAW"
    echo "  $s"
  else
    echo "  control_bench failed; see $OUT/control_bench.log"
  fi
  if CONTROL_CPU=$CPU WRK_CPU=$GEN_CPU bash "$ROOT/bench/control/wrk.sh" "$BUILD" 1000000 "$WRK_S" 16 \
      >"$OUT/wrk.log" 2>&1; then
    s=$($LR wrk "$OUT/wrk.log")
    echo "{\"kind\":\"api\",${s#\{}" >> "$RAW"
    echo "  $s"
  else
    echo "  wrk.sh failed; see $OUT/wrk.log"
  fi
fi

$LR report "$OUT"
echo
echo "results: $OUT/results.json  chart: $OUT/linerate.png"
