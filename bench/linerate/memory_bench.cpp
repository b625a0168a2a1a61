// What one host-table update costs in memory next to a net_pcap-like driver, without
// any of the dataplane's code: the floor under the line-rate ratio (bench/linerate/README.md).
//
// Per "packet" each benchmark does what the two sides of the harness do to memory:
//  - the driver stream: read two cache lines of the next stored mbuf (header and data,
//    2,304-byte stride over 144 MiB, like net_pcap's infinite_rx copy of 65,536 frames)
//    and write one line of a recycled mbuf (testpmd's whole job, memory-wise);
//  - a host update: read-modify-write `kWords` 8-byte counters of one random entry of a
//    table, prefetched `kAhead` updates earlier (as well as software can hide the miss).
// BM_Stream alone is the reference; BM_StreamAndTable adds the host update with entries
// of 64 or 128 bytes in tables of 8 to 32 MiB, or 256-byte entries of which the first two
// lines are written (segment layout 7's packet path: 16 MiB = 65,536 hosts, the line-rate
// harness's floor, step 1c); BM_TableAlone has no stream. Reported as
// seconds per packet (the "s_per_packet" counter, "23.1n" = 23.1 ns) so the three can be
// subtracted.
#include <benchmark/benchmark.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace {

constexpr size_t kStreamBytes = size_t{144} << 20;
constexpr size_t kStride = 2304;
constexpr size_t kAhead = 64;
constexpr int kBatch = 32;

struct Region {
  explicit Region(size_t bytes) : size(bytes) {
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    p = m == MAP_FAILED ? nullptr : static_cast<char*>(m);
    if (p) std::memset(p, 1, bytes);  // fault every page in before timing
  }
  ~Region() {
    if (p) munmap(p, size);
  }
  Region(const Region&) = delete;
  Region& operator=(const Region&) = delete;
  char* p;
  size_t size;
};

std::vector<uint32_t> random_indices(size_t n, size_t range) {
  std::vector<uint32_t> v(n);
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (auto& i : v) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    i = static_cast<uint32_t>(x % range);
  }
  return v;
}

// Stream: 2 line reads + 1 line write per packet. Table: a few RMWs per packet on an entry
// of `entry_bytes` (the first line; the second too when the entry is 128 or 256 bytes).
void run(benchmark::State& state, bool stream, size_t table_mib, size_t entry_bytes) {
  Region s(stream ? kStreamBytes : 4096);
  Region t(table_mib ? table_mib << 20 : 4096);
  Region recycled(kBatch * 2048);
  if (!s.p || !t.p || !recycled.p) {
    state.SkipWithError("mmap failed");
    return;
  }
  const size_t entries = table_mib ? (table_mib << 20) / entry_bytes : 1;
  const size_t stored = stream ? kStreamBytes / kStride : 1;
  const auto idx = random_indices(size_t{1} << 20, entries);
  size_t pos = 0, sp = 0;
  uint64_t sink = 0;
  auto entry = [&](size_t k) { return t.p + size_t{idx[k & (idx.size() - 1)]} * entry_bytes; };
  for (auto _ : state) {
    for (int j = 0; j < kBatch; ++j) {
      if (stream) {
        const char* m = s.p + sp * kStride;
        sink += static_cast<uint8_t>(m[0]) + static_cast<uint8_t>(m[256]);
        recycled.p[j * 2048] = static_cast<char>(sink);
        if (++sp == stored) sp = 0;
      }
      if (table_mib) {
        const char* ahead = entry(pos + kAhead);
        __builtin_prefetch(ahead, 1, 3);
        if (entry_bytes > 64) __builtin_prefetch(ahead + 64, 1, 3);
        auto* e = reinterpret_cast<uint64_t*>(entry(pos));
        e[3] += 1;
        e[4] += 64;
        e[5] += 1;
        if (entry_bytes > 64) e[8 + 1] += 1;  // a counter in the second line
        ++pos;
      }
    }
  }
  benchmark::DoNotOptimize(sink);
  state.SetItemsProcessed(state.iterations() * kBatch);
  // Seconds per packet, printed with an SI prefix ("23.1n" = 23.1 ns).
  state.counters["s_per_packet"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kBatch),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_Stream(benchmark::State& st) { run(st, true, 0, 64); }
void BM_StreamAndTable(benchmark::State& st) {
  run(st, true, static_cast<size_t>(st.range(0)), static_cast<size_t>(st.range(1)));
}
void BM_TableAlone(benchmark::State& st) {
  run(st, false, static_cast<size_t>(st.range(0)), static_cast<size_t>(st.range(1)));
}

BENCHMARK(BM_Stream)->MinTime(1.0);
BENCHMARK(BM_StreamAndTable)
    ->ArgsProduct({{8, 16, 32}, {64, 128, 256}})
    ->ArgNames({"table_mib", "entry_bytes"})
    ->MinTime(1.0);
BENCHMARK(BM_TableAlone)
    ->ArgsProduct({{8, 32}, {64, 128}})
    ->ArgNames({"table_mib", "entry_bytes"})
    ->MinTime(1.0);

}  // namespace
