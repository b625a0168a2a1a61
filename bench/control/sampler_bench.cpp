// The control tick at 1M hosts: reading the segment alone (reference) vs reading it and
// deriving the whole snapshot (rates, SYN windows, active hosts, five top-1000 lists).
// Report the tick as a ratio to the plain read of the same segment in the same run.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
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

// Two whole ticks before timing: the first ticks build the host map.
template <typename Floor>
void warm_up(Fixture& f, securenet::control::Sampler& s, const Floor& floor,
             std::vector<securenet::control::HostObservation>& obs, uint64_t& t) {
  for (int i = 0; i < 2; ++i) {
    t += 1'000'000'000ULL;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), f.reader->totals());
    f.reader->scan_hosts([&](unsigned w, uint64_t slot, const securenet::HostCounters& h) {
      s.add_host_at(w, slot, h);
    });
    s.end_tick(floor, obs);
  }
}

void BM_ControlTick(benchmark::State& st) {
  auto& f = fixture(static_cast<uint64_t>(st.range(0)));
  securenet::control::Sampler s;
  std::vector<securenet::control::HostObservation> obs;
  auto cfg = securenet::control::SecurityConfig::defaults();
  auto floor = securenet::control::Detector::floor_for(cfg);
  uint64_t t = 1'000'000'000'000ULL, round = 0;
  warm_up(f, s, floor, obs, t);
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

// The same tick in its three phases, each timed on its own (ms per tick as counters): the
// scan (segment read + merge into the sampler's state), the derive pass (rates, windows,
// rankings), and finish_tick (top lists into the snapshot). Where the tick's time goes.
void BM_ControlTickPhases(benchmark::State& st) {
  auto& f = fixture(static_cast<uint64_t>(st.range(0)));
  securenet::control::Sampler s;
  std::vector<securenet::control::HostObservation> obs;
  auto floor =
      securenet::control::Detector::floor_for(securenet::control::SecurityConfig::defaults());
  uint64_t t = 1'000'000'000'000ULL, round = 0;
  double scan_s = 0, derive_s = 0, finish_s = 0, faults = 0;
  auto minflt = [] {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_minflt);
  };
  auto now = [] { return std::chrono::steady_clock::now(); };
  auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
  warm_up(f, s, floor, obs, t);
  for (auto _ : st) {
    st.PauseTiming();
    f.traffic(round++);
    t += 1'000'000'000ULL;
    const double f0 = minflt();
    st.ResumeTiming();
    const auto t0 = now();
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), f.reader->totals());
    f.reader->scan_hosts([&](unsigned w, uint64_t slot, const securenet::HostCounters& h) {
      s.add_host_at(w, slot, h);
    });
    const auto t1 = now();
    s.begin_derive(floor, obs);
    s.derive_range(0, s.hosts_tracked());
    const auto t2 = now();
    auto snap = s.finish_tick();
    const auto t3 = now();
    benchmark::DoNotOptimize(snap);
    scan_s += secs(t0, t1);
    derive_s += secs(t1, t2);
    finish_s += secs(t2, t3);
    faults += minflt() - f0;
  }
  const double n = static_cast<double>(st.iterations());
  st.counters["scan_ms"] = scan_s * 1e3 / n;
  st.counters["derive_ms"] = derive_s * 1e3 / n;
  st.counters["finish_ms"] = finish_s * 1e3 / n;
  st.counters["page_faults"] = faults / n;  // per tick
}

}  // namespace

BENCHMARK(BM_ControlTickPhases)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ReadSegmentOnly)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ControlTick)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
