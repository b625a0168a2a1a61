#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) in a separate clang build directory with
# AddressSanitizer and UBSan, then runs each for FUZZ_SECONDS (default 45), FUZZ_JOBS at
# a time (default: the number of cores). Exits 77 (skipped) when clang++ is missing or
# cannot link -fsanitize=fuzzer; non-zero when a target crashes or breaks an invariant
# (the input is kept under <build>/artifacts/).
#
#   scripts/fuzz.sh                      # every target, 45 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh fuzz_http fuzz_config
#
# Environment: FUZZ_SECONDS, FUZZ_JOBS, FUZZ_BUILD_DIR (default build-fuzz/), FUZZ_CXX
# (default clang++). New inputs are added to <build>/corpus/<target>; the committed seeds
# in tests/fuzz/corpus/<target> are only read.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${FUZZ_SECONDS:-45}
jobs=${FUZZ_JOBS:-$(nproc)}
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
cxx=${FUZZ_CXX:-clang++}
all=(fuzz_http fuzz_target fuzz_config fuzz_jwt fuzz_parse_packet)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

declare -A max_len=([fuzz_http]=20480 [fuzz_target]=1024 [fuzz_config]=8192 [fuzz_jwt]=4096 [fuzz_parse_packet]=2048)

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: SKIPPED: $cxx not found (Debian package clang, installed by scripts/setup.sh)"
  exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' >"$probe/p.cpp"
if ! "$cxx" -fsanitize=fuzzer,address,undefined "$probe/p.cpp" -o "$probe/p" 2>"$probe/err"; then
  echo "fuzz: SKIPPED: $cxx cannot link -fsanitize=fuzzer (Debian: libclang-rt-14-dev):"
  head -5 "$probe/err"
  exit 77
fi

t0=$(date +%s)
if [ ! -f "$build/build.ninja" ]; then
  cc=${cxx/clang++/clang}
  launcher=()
  command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_C_COMPILER="$cc" "${launcher[@]}" \
    -DSECURENET_BUILD_FUZZ=ON -DSECURENET_BUILD_TESTS=OFF -DSECURENET_BUILD_BENCH=OFF \
    -DSECURENET_WITH_DPDK=OFF -DSECURENET_WITH_AFXDP=OFF >"$build.configure.log" 2>&1 ||
    { cat "$build.configure.log"; exit 1; }
fi
ninja -C "$build" -j "$jobs" "${targets[@]}" parser_seeds
t1=$(date +%s)
echo "fuzz: built ${#targets[@]} targets in $((t1 - t0)) s"

mkdir -p "$build/artifacts" "$build/logs"
for t in "${targets[@]}"; do
  mkdir -p "$build/corpus/$t"
  seeds="$root/tests/fuzz/corpus/$t"
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
        -max_len="${max_len[$t]:-4096}" -artifact_prefix="$build/artifacts/$t-")
  [ -f "$root/tests/fuzz/$t.dict" ] && args+=(-dict="$root/tests/fuzz/$t.dict")
  dirs=("$build/corpus/$t")
  [ -d "$seeds" ] && dirs+=("$seeds")
  # generated seeds (fuzz_parse_packet: one frame per encapsulation, from the packet builders)
  [ -d "$build/tests/fuzz/corpus_${t#fuzz_}" ] && dirs+=("$build/tests/fuzz/corpus_${t#fuzz_}")
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  ( rc=0; "$build/tests/fuzz/$t" "${args[@]}" "${dirs[@]}" >"$build/logs/$t.log" 2>&1 || rc=$?
    echo "$rc" >"$build/logs/$t.rc" ) &
done
wait

status=0
for t in "${targets[@]}"; do
  rc=$(cat "$build/logs/$t.rc")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$build/logs/$t.log")
  last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$build/logs/$t.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [^ ]+' || true)
  if [ "$rc" = 0 ]; then
    echo "fuzz: $t ok: ${execs:-?} execs in ${seconds} s, ${last:-no stats}"
  else
    echo "fuzz: $t FAILED (exit $rc), log $build/logs/$t.log:"
    tail -40 "$build/logs/$t.log"
    status=1
  fi
done
echo "fuzz: total $(($(date +%s) - t0)) s"
exit $status
