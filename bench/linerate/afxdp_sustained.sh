#!/usr/bin/env bash
# AF_XDP, sustained: securenet-gen offers each rate for --step-s seconds on a veth pair in a
# network namespace, the sensor (default ring sizing, pinned to --cpu) counts, and every
# layer's loss is read: the generator's shortfall (requested - sent), the veth pair's drop
# and error counters (sysfs, and ethtool -S when installed), the XDP program's and the
# socket's drops (source_drops), and sent - counted. Each rate runs twice: on an idle core
# and with a CPU hog at normal priority sharing the sensor's core (stress-ng --cpu 1
# --taskset CPU). A step is loss-free only when every one of those is zero. Every step
# records the scheduling the sensor's worker ran with, read from /proc ("sched": "normal", or
# "fifo 10" with `-- --sched-fifo 10`); a policy other than the one asked for is warned about.
# Every step also records the generator's CPU time per frame sent (gen_cpu_ns_per_frame): on a
# veth pair the receive side's kernel work runs on the generator's CPU too, so 1e9 / that is
# the most this generator can offer on this machine.
#
# Usage: bench/linerate/afxdp_sustained.sh --build DIR --raw FILE [--cpu N] [--gen-cpu N]
#          [--step-s S] [--rates "1000000 2000000 3000000"] [--hog both|idle|busy]
#          [-- extra securenet-dataplane options, e.g. --sched-fifo 10]
# Appends one {"kind":"afxdp_step",...} line per step to FILE (linerate.py report reads them);
# the sensor's log is afxdp-sustained.log next to FILE (afxdp-sustained.fifoN.log with
# --sched-fifo N).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD="" RAW="" CPU=1 GEN_CPU=0 STEP_S=10 HOG=both
RATES="1000000 2000000 3000000"
PY=/usr/bin/python3
while [[ $# -gt 0 ]]; do
  case $1 in
    --build) BUILD=$2; shift 2 ;;
    --raw) RAW=$2; shift 2 ;;
    --cpu) CPU=$2; shift 2 ;;
    --gen-cpu) GEN_CPU=$2; shift 2 ;;
    --step-s) STEP_S=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --hog) HOG=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "afxdp_sustained.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
EXTRA=("$@")
die() { echo "afxdp_sustained.sh: $*" >&2; exit 1; }
[[ -n $BUILD && -n $RAW ]] || die "--build and --raw are required"
[[ $STEP_S =~ ^[0-9]+$ ]] && (( STEP_S >= 1 && STEP_S <= 600 )) || die "--step-s wants 1..600"
case $HOG in both) HOGS="0 1" ;; idle) HOGS=0 ;; busy) HOGS=1 ;; *) die "--hog both|idle|busy" ;; esac
DP=$BUILD/dataplane/securenet-dataplane
GEN=$(find "$BUILD/dataplane" -name securenet-gen -type f -perm -u+x 2>/dev/null | head -1 || true)
[[ -x $DP && -n $GEN ]] || die "build securenet-dataplane and securenet-gen first"
if [[ $HOG != idle ]]; then command -v stress-ng >/dev/null || die "apt-get install stress-ng"; fi
LR="$PY $HERE/linerate.py"
OUT=$(dirname "$RAW")
# The scheduling asked for among the extra options (getopt_long takes "--opt N" and "--opt=N").
WANT_SCHED=normal
for (( i = 0; i < ${#EXTRA[@]}; i++ )); do
  case ${EXTRA[i]} in
    --sched-fifo) WANT_SCHED="fifo ${EXTRA[i + 1]:-}" ;;
    --sched-fifo=*) WANT_SCHED="fifo ${EXTRA[i]#--sched-fifo=}" ;;
  esac
done
[[ $WANT_SCHED == normal || $WANT_SCHED =~ ^fifo\ [1-9][0-9]?$ ]] || die "--sched-fifo wants 1..99"
LOG=$OUT/afxdp-sustained.log
[[ $WANT_SCHED == normal ]] || LOG=$OUT/afxdp-sustained.fifo${WANT_SCHED#fifo }.log

NS=snet-sustain-$$
inst=sustain$$
hog_pid="" dpid=""
cleanup() {
  [[ -n $hog_pid ]] && kill "$hog_pid" 2>/dev/null && wait "$hog_pid" 2>/dev/null
  [[ -n $dpid ]] && kill -INT "$dpid" 2>/dev/null && wait "$dpid" 2>/dev/null
  ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link add lra type veth peer name lrb
ip -n "$NS" link set lra up && ip -n "$NS" link set lrb up
ip netns exec "$NS" taskset -c "$CPU" "$DP" --source afxdp --target lra --instance "$inst" \
  --host-capacity 65536 "${EXTRA[@]}" > "$LOG" 2>&1 &
dpid=$!
start=$($LR shm-totals "$inst" 2>/dev/null) || die "the AF_XDP dataplane did not start: $(tail -1 "$LOG")"
sensor_pid=$($PY -c 'import json,sys; print(json.loads(sys.argv[1])["pid"])' "$start")
grep -m1 'UMEM' "$LOG" | sed 's/^/  /' || true

# Drop and error counters of both veth ends, as one JSON object {name: value}.
veth_counters() {
  ip netns exec "$NS" sh -c '
    for d in lra lrb; do
      for c in rx_dropped tx_dropped rx_errors tx_errors rx_missed_errors; do
        echo "$d.$c $(cat /sys/class/net/$d/statistics/$c)"
      done
      command -v ethtool >/dev/null && ethtool -S $d 2>/dev/null |
        awk -v d=$d "tolower(\$1) ~ /drop|err|fail|full/ { sub(\":\", \"\", \$1); print d \".\" \$1, \$2 }"
    done' | $PY -c 'import json,sys; print(json.dumps({k: int(v) for k, v in (l.split() for l in sys.stdin if l.strip())}))'
}

for hog in $HOGS; do
  if (( hog )); then
    stress-ng --cpu 1 --taskset "$CPU" --quiet --timeout 0 &
    hog_pid=$!
  fi
  for rate in $RATES; do
    count=$(( rate * STEP_S ))
    before=$($LR shm-totals "$inst"); vb=$(veth_counters)
    # The generator's CPU time (user + system, bash's `time`): its runs of the XDP program, and
    # the veth peer's receive path (NAPI, the capture program, the copy into the UMEM), which
    # the kernel runs on the sending CPU. Per frame sent it bounds the rate it can offer.
    g=$( { TIMEFORMAT='%U %S'; time ip netns exec "$NS" timeout -s INT $(( STEP_S * 2 + 10 )) \
          taskset -c "$GEN_CPU" "$GEN" --dev lrb --mix udp --hosts 4096 --size 60 --count "$count" \
          --pps "$rate" --mode live --json 2>>"$OUT/gen.log"; } 2>"$OUT/gen.time") || true
    gen_cpu=$(awk '{ print $1 + $2 }' "$OUT/gen.time" 2>/dev/null || echo 0)
    # Wait until the sensor's count stops moving (its ring drains), at most 5 s.
    prev=-1
    for _ in $(seq 50); do
      after=$($LR shm-totals "$inst")
      now=$($PY -c 'import json,sys; print(json.loads(sys.argv[1])["packets"])' "$after")
      [[ $now == "$prev" ]] && break
      prev=$now; sleep 0.1
    done
    va=$(veth_counters)
    # What the worker ran with (after the step: the worker thread surely runs by now).
    sched=$($LR sched-of "$sensor_pid")
    [[ $sched == "$WANT_SCHED" ]] ||
      echo "afxdp_sustained.sh: asked for $WANT_SCHED, the sensor's worker runs $sched (see $LOG)" >&2
    line=$($PY - "$rate" "$hog" "$STEP_S" "$before" "$after" "$g" "$vb" "$va" "$sched" "$gen_cpu" <<'PYEOF'
import json, sys
rate, hog, step = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sched = sys.argv[9]
try:
    gen_cpu = float(sys.argv[10])
except ValueError:
    gen_cpu = 0.0
b, a = json.loads(sys.argv[4]), json.loads(sys.argv[5])
try:
    g = json.loads(sys.argv[6])
except ValueError:
    g = {"sent": 0, "requested": rate * step, "pps": 0}
vb, va = json.loads(sys.argv[7]), json.loads(sys.argv[8])
veth = {k: va[k] - vb.get(k, 0) for k in va if va[k] - vb.get(k, 0)}
got = a["packets"] - b["packets"]
cpu = a["cpu_s"] - b["cpu_s"]
sent = g.get("sent", 0)
r = {"kind": "afxdp_step", "offered_pps": rate, "hog": bool(hog), "sched": sched, "step_s": step,
     "requested": g.get("requested", rate * step), "sent": sent,
     "achieved_pps": g.get("pps", 0), "received": got, "lost": sent - got,
     "source_drops": a["drops"] - b["drops"], "veth_drops": veth,
     "cpu_ns_per_packet": cpu * 1e9 / got if got else None,
     "gen_cpu_ns_per_frame": gen_cpu * 1e9 / sent if sent and gen_cpu > 0 else None}
r["loss_free"] = (sent > 0 and r["lost"] == 0 and r["source_drops"] == 0 and not veth
                  and sent == r["requested"])
print(json.dumps(r))
PYEOF
)
    echo "$line" >> "$RAW"
    echo "  $( (( hog )) && echo busy || echo idle) core, sched $sched, offered $rate pps for ${STEP_S}s: $line" |
      sed 's/{"kind": "afxdp_step", //; s/}$//'
  done
  if [[ -n $hog_pid ]]; then kill "$hog_pid"; wait "$hog_pid" 2>/dev/null || true; hog_pid=""; fi
done
