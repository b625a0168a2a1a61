// The control tick at 1M hosts: reading the segment alone (reference) vs reading it and
// deriving the whole snapshot (rates, SYN windows, active hosts, five top-1000 lists).
// Report the tick as a ratio to the plain read of the same segment in the same run.
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <memory>
#include <optional>

#include "detect/detector.h"
#include "pipeline/host_table.h"
#include "sampler/sampler.h"
#include "securenet/shm_reader.h"
#include "segment/writer.h"

namespace {

struct Fixture {
  std::optional<securenet::Segment> seg;
  std::optional<securenet::ShmReader> reader;
  std::vector<securenet::shm::HostEntry*> entries;
  explicit Fixture(uint64_t hosts) {
    securenet::SegmentOptions o;
    o.instance = "ctlbench-" + std::to_string(::getpid()) + "-" + std::to_string(hosts);
    o.host_capacity = hosts * 2;
    seg.emplace(std::move(securenet::Segment::create(o).value()));
    securenet::HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0));
    for (uint64_t i = 0; i < hosts; ++i) {
      securenet::shm::IpKey k{};
      k.bytes[10] = k.bytes[11] = 0xff;
      uint32_t a = 0x0A000000u + static_cast<uint32_t>(i) + 1;
      for (int b = 0; b < 4; ++b) k.bytes[12 + b] = uint8_t(a >> (24 - 8 * b));
      entries.push_back(t.find_or_insert(k));
    }
    reader.emplace(std::move(securenet::ShmReader::open(seg->name()).value()));
  }
  void traffic(uint64_t round) {
    for (size_t i = round % 4; i < entries.size(); i += 4)
      securenet::shm::bump(entries[i]->packets_sent, 1 + i % 5);
  }
};

Fixture& fixture(uint64_t hosts) {
  static std::unique_ptr<Fixture> f;
  if (!f || f->entries.size() != hosts) {
    f.reset();
    f = std::make_unique<Fixture>(hosts);
  }
  return *f;
}

void BM_ReadSegmentOnly(benchmark::State& st) {
  auto& f = fixture(static_cast<uint64_t>(st.range(0)));
  uint64_t sum = 0;
  for (auto _ : st) {
    f.reader->for_each_host([&](const securenet::HostCounters& h) { sum += h.packets_sent; });
    benchmark::DoNotOptimize(sum);
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}

void BM_ControlTick(benchmark::State& st) {
  auto& f = fixture(static_cast<uint64_t>(st.range(0)));
  securenet::control::Sampler s;
  std::vector<securenet::control::HostObservation> obs;
  auto cfg = securenet::control::SecurityConfig::defaults();
  auto floor = securenet::control::Detector::floor_for(cfg);
  uint64_t t = 1'000'000'000'000ULL, round = 0;
  for (int warm = 0; warm < 2; ++warm) {  // the first ticks build the host map
    t += 1'000'000'000ULL;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), f.reader->totals());
    f.reader->scan_hosts([&](unsigned w, uint64_t slot, const securenet::HostCounters& h) {
      s.add_host_at(w, slot, h);
    });
    s.end_tick(floor, obs);
  }
  for (auto _ : st) {
    st.PauseTiming();
    f.traffic(round++);
    t += 1'000'000'000ULL;
    st.ResumeTiming();
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), f.reader->totals());
    f.reader->scan_hosts([&](unsigned w, uint64_t slot, const securenet::HostCounters& h) {
      s.add_host_at(w, slot, h);
    });
    auto snap = s.end_tick(floor, obs);
    benchmark::DoNotOptimize(snap);
  }
  st.SetItemsProcessed(st.iterations() * st.range(0));
}

}  // namespace

BENCHMARK(BM_ReadSegmentOnly)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ControlTick)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
