#include "analyzer.h"

#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <unordered_set>

#include "config/publish.h"
#include "detect/alert_store.h"
#include "detect/detector.h"
#include "detect/victim_profile.h"
#include "pipeline/packet_counter.h"
#include "sampler/sampler.h"
#include "securenet/shm_reader.h"
#include "segment/writer.h"
#include "sources/pcap/capture_file.h"

namespace securenet::analyze {
namespace {

constexpr uint64_t kTickNs = 1'000'000'000ULL;
constexpr uint64_t kMaxIdleTicks = 120;  // an idle gap is ticked through this long at most
constexpr uint32_t kBurst = 32;
constexpr uint32_t kArena = 1u << 20;
constexpr uint32_t kMaxCaplen = 262144;

std::string private_instance() {
  static std::atomic<unsigned> n{0};
  return "analyze-" + std::to_string(getpid()) + "-" + std::to_string(n++);
}

}  // namespace

struct Analyzer::Impl {
  AnalyzeOptions opts;
  AlertEvent on_alert;
  Segment seg;
  ShmReader reader;
  PacketCounter counter;
  control::Sampler sampler;
  control::AlertStore store;
  control::Detector detector{store};
  control::VictimProfiler victims;  // issue 13 item 2: victim alerts' top sources
  std::vector<uint64_t> sample_cursors;
  std::vector<shm::SampleRecord> samples;
  std::vector<control::HostObservation> observations;
  std::unordered_set<std::string> seen;        // alert ids reported as opened
  std::map<std::string, control::Alert> last;  // every alert's latest state
  std::vector<std::string> order;              // alert ids in order of opening
  std::map<std::string, control::Severity> severity;
  uint64_t next_tick = 0, first_ns = 0, last_ns = 0, ticks = 0, prev_table_full = 0;
  std::vector<PacketView> burst;
  std::vector<uint8_t> arena;
  uint32_t arena_used = 0;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();

  Impl(AnalyzeOptions o, AlertEvent cb, Segment s, ShmReader r)
      : opts(std::move(o)),
        on_alert(std::move(cb)),
        seg(std::move(s)),
        reader(std::move(r)),
        counter(seg, 0, opts.parse),
        arena(kArena + kMaxCaplen) {
    burst.reserve(kBurst);
  }

  void flush() {
    if (!burst.empty()) counter.process(burst.data(), static_cast<uint32_t>(burst.size()));
    burst.clear();
    arena_used = 0;
  }

  void tick(uint64_t at_ns) {
    flush();
    const GlobalCounters raw = reader.totals();
    sampler.begin_tick(at_ns, static_cast<int64_t>(at_ns / 1'000'000), raw);
    reader.scan_hosts([this](unsigned w, uint64_t slot, const HostCounters& h) {
      sampler.add_host_at(w, slot, h);
    });
    auto snap = sampler.end_tick(control::Detector::floor_for(opts.config), observations);
    control::TickInput in;
    in.now_ms = snap->ts_ms;
    in.hosts = &observations;
    in.global_conn_per_min = snap->connections_per_min;
    in.health.pps = snap->pps;
    in.health.drops_per_s = 0;  // a file drops nothing
    in.health.host_table_full_delta = raw.host_table_full - prev_table_full;
    prev_table_full = raw.host_table_full;
    samples.clear();
    reader.read_samples(sample_cursors, samples);
    victims.add_records(samples, snap->ts_ms);
    std::vector<control::Alert> changed = detector.evaluate(in, opts.config);
    victims.annotate(changed, store);
    for (const auto& a : changed) report(a);
    ++ticks;
  }

  void report(const control::Alert& a) {
    const char* ev = "update";
    if (seen.insert(a.id).second) {
      ev = "open";
      order.push_back(a.id);
    } else if (!a.open) {
      ev = "resolve";
    } else if (!opts.every_update && severity[a.id] == a.severity) {
      ev = nullptr;  // an unchanged update: counted in the summary only
    }
    severity[a.id] = a.severity;
    last[a.id] = a;
    if (ev && on_alert) on_alert(ev, a);
  }

  bool any_open() const {
    for (const auto& [id, a] : last) {
      if (a.open) return true;
    }
    return false;
  }

  // Ticks every second boundary up to `ts`. Past kMaxIdleTicks of an idle gap with no
  // alert open, jumps to the last boundary before `ts` (ticked, so the next second's rates
  // have their baseline, as the live control plane's would).
  void advance(uint64_t ts) {
    if (first_ns == 0) {
      first_ns = ts;
      tick(ts);  // the baseline: nothing counted yet
      next_tick = ts + kTickNs;
    }
    for (uint64_t crossed = 0; ts >= next_tick; ++crossed) {
      if (crossed > kMaxIdleTicks && !any_open()) next_tick += (ts - next_tick) / kTickNs * kTickNs;
      tick(next_tick);
      next_tick += kTickNs;
    }
    if (ts > last_ns) last_ns = ts;
  }

  void count(const CaptureRecord& rec) {
    const uint32_t cap = rec.caplen < kMaxCaplen ? rec.caplen : kMaxCaplen;
    if (burst.size() == kBurst || arena_used + cap > kArena) flush();
    std::memcpy(arena.data() + arena_used, rec.data, cap);
    burst.push_back(PacketView{arena.data() + arena_used, cap, rec.len, rec.ts_ns, rec.link});
    arena_used += cap;
  }
};

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::~Analyzer() = default;

Result<std::unique_ptr<Analyzer>> Analyzer::create(const AnalyzeOptions& opts,
                                                   AlertEvent on_alert) {
  SegmentOptions so;
  so.instance = private_instance();
  so.workers = 1;
  so.host_capacity = opts.host_capacity;
  so.ring_capacity = kMinRingCapacity;
  so.source_kind = shm::SourceKind::kPcap;
  so.source_name = "securenet-analyze";
  so.populate = false;
  so.mode = 0600;
  auto seg = Segment::create(so);
  if (!seg) return seg.error();
  control::publish_config(seg->control(), opts.config);
  auto reader = ShmReader::open(seg->name());
  if (!reader) return reader.error();
  // Both mappings are open: the name is not needed any more, and a killed analysis must
  // not leave a segment behind in /dev/shm.
  shm_unlink(("/" + seg->name()).c_str());
  seg->set_keep(true);
  auto impl =
      std::make_unique<Impl>(opts, std::move(on_alert), std::move(*seg), std::move(*reader));
  impl->counter.poll_control();
  return std::unique_ptr<Analyzer>(new Analyzer(std::move(impl)));
}

Status Analyzer::feed(const std::string& path) {
  auto f = CaptureFile::open(path);
  if (!f) return f.error();
  Impl& m = *impl_;
  uint64_t n = 0;
  for (;;) {
    CaptureRecord rec;
    const int rc = (*f)->next(rec);
    if (rc == 0) break;
    if (rc != 1)
      return make_error("error reading " + path + " after " + std::to_string(n) +
                        " packets: " + (*f)->error());
    ++n;
    // Time never runs backwards: an earlier timestamp (a later file, a reordered packet)
    // counts in the current second.
    const uint64_t ts = rec.ts_ns < m.last_ns ? m.last_ns : rec.ts_ns;
    m.advance(ts);
    m.count(rec);
  }
  m.flush();
  return Ok{};
}

AnalyzeSummary Analyzer::finish() {
  Impl& m = *impl_;
  m.flush();
  if (m.first_ns != 0) {
    // The last (partial) second, then quiet seconds until the alerts resolve: the one-minute
    // connection window drains, then clear_hold_s passes.
    const uint64_t limit = 60 + static_cast<uint64_t>(m.opts.config.clear_hold_s) + 5;
    for (uint64_t i = 0; i < limit + 1 && (i == 0 || m.any_open()); ++i) {
      m.tick(m.next_tick);
      m.next_tick += kTickNs;
    }
  }
  AnalyzeSummary s;
  const GlobalCounters g = m.reader.totals();
  s.packets = g.packets;
  s.bytes = g.bytes;
  for (size_t i = 1; i < g.parse_errors.size(); ++i)
    s.parse_errors += g.parse_errors[i];  // [0] is kNone
  s.host_table_full = g.host_table_full;
  s.ticks = m.ticks;
  s.first_ns = m.first_ns;
  s.last_ns = m.last_ns;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - m.t0).count();
  for (const auto& id : m.order) s.alerts.push_back(m.last[id]);
  return s;
}

}  // namespace securenet::analyze
