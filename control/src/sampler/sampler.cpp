#include "sampler/sampler.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace securenet::control {

namespace {
uint64_t delta(uint64_t cur, uint64_t prev) { return cur >= prev ? cur - prev : cur; }  // restart
uint64_t total_packets(const HostCounters& c) { return c.packets_sent + c.packets_recv; }
uint64_t total_bytes(const HostCounters& c) { return c.bytes_sent + c.bytes_recv; }
}  // namespace

namespace {
// Issue 13's values of one host this tick (see HostObservation); advances its baselines.
struct Issue13 {
  uint64_t bl_sent = 0;
  double pps_sent = 0, pps_recv = 0, bps_sent = 0, bps_recv = 0, refl_pps = 0;
  double syn_recv_pps = 0, synack_pps = 0, fanin = 0;
  Fanout fan;
  void fill(HostObservation& o) const {
    o.blacklisted_sent_delta = bl_sent;
    o.pps_sent = pps_sent;
    o.pps_recv = pps_recv;
    o.bps_sent = bps_sent;
    o.bps_recv = bps_recv;
    o.ports_fanout = fan.ports;
    o.hosts_fanout = fan.hosts;
    o.reflection_pps = refl_pps;
    o.syn_recv_pps = syn_recv_pps;
    o.synack_pps = synack_pps;
    o.fanin_sources = fanin;
  }
};
bool interesting(const Issue13& x, const InterestFloor& f) {
  return x.bl_sent > 0 || (f.bps > 0 && (x.bps_sent > f.bps || x.bps_recv > f.bps)) ||
         std::max(x.fan.ports, x.fan.hosts) > f.fanout || x.refl_pps > f.reflection_pps ||
         x.syn_recv_pps > f.syn_recv_pps || x.fanin > f.fanin;
}
Issue13 derive_issue13(HostState& h, double dt_s, bool first, uint64_t now_win) {
  Issue13 x;
  const HostCounters& c = h.cur;
  const uint64_t d_ps = delta(c.packets_sent, h.prev_packets_sent),
                 d_bs = delta(c.bytes_sent, h.prev_bytes_sent);
  const uint64_t d_pr =
      delta(c.packets_recv, h.prev_packets - std::min(h.prev_packets, h.prev_packets_sent));
  const uint64_t d_br =
      delta(c.bytes_recv, h.prev_bytes - std::min(h.prev_bytes, h.prev_bytes_sent));
  const uint64_t d_rf = delta(c.reflection_recv, h.prev_reflection);
  const uint64_t d_sr = delta(c.syn_recv, h.prev_syn_recv),
                 d_sa = delta(c.synack_sent, h.prev_synack);
  x.bl_sent = delta(c.blacklisted_sent, h.prev_blacklisted_sent);
  h.prev_blacklisted_sent = c.blacklisted_sent;
  if (!first) {
    x.pps_sent = static_cast<double>(d_ps) / dt_s;
    x.pps_recv = static_cast<double>(d_pr) / dt_s;
    x.bps_sent = static_cast<double>(d_bs) * 8.0 / dt_s;
    x.bps_recv = static_cast<double>(d_br) * 8.0 / dt_s;
    x.refl_pps = static_cast<double>(d_rf) / dt_s;
    x.syn_recv_pps = static_cast<double>(d_sr) / dt_s;
    x.synack_pps = static_cast<double>(d_sa) / dt_s;
  }
  h.prev_syn_recv = c.syn_recv;
  h.prev_synack = c.synack_sent;
  h.prev_packets_sent = c.packets_sent;
  h.prev_bytes_sent = c.bytes_sent;
  h.prev_reflection = c.reflection_recv;
  // A sender's window begins at its first packet (layout 7): only probes make a history.
  if ((c.scan_port_bits | c.scan_host_bits) != 0 && !h.scan) {
    h.scan = std::make_unique<ScanHistory>();
    h.history = true;
  }
  if (h.scan)
    x.fan = update_scan(*h.scan, c.scan_window, c.scan_port_bits, c.scan_host_bits, now_win);
  if (c.fanin_window != 0 && !h.fanin) {
    h.fanin = std::make_unique<FaninHistory>();
    h.history = true;
  }
  if (h.fanin) x.fanin = update_fanin(*h.fanin, c.fanin_window, c.fanin_bits, now_win);
  return x;
}
}  // namespace

namespace {
void slide_syn_window(HostState& h, uint64_t bucket, uint64_t d_syn) {
  if (bucket != h.syn_bucket_no) {
    uint64_t gap = std::min<uint64_t>(bucket - h.syn_bucket_no, kSynBuckets);
    for (uint64_t i = 1; i <= gap; ++i) h.syn_buckets[(h.syn_bucket_no + i) % kSynBuckets] = 0;
    h.syn_bucket_no = bucket;
  }
  auto& slot = h.syn_buckets[bucket % kSynBuckets];
  slot = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{slot} + d_syn, UINT32_MAX));
  uint64_t syn_sum = 0;
  for (auto v : h.syn_buckets) syn_sum += v;
  h.syn_per_min = static_cast<float>(syn_sum);
}

// The detector's view of a host this tick (before derive_host advances its baselines).
void observe(const HostState& h, const Issue13& x, double dt_s, std::vector<HostObservation>& out) {
  const uint64_t d_bl = delta(h.cur.blacklisted_packets, h.prev_blacklisted);
  HostObservation o;
  o.ip = h.cur.key;
  o.pps = h.pps;
  o.syn_per_min = h.syn_per_min;
  o.blacklisted_delta = d_bl;
  o.blacklisted_pps = static_cast<double>(d_bl) / dt_s;
  for (size_t i = 0; i < o.class_delta.size(); ++i)
    o.class_delta[i] = delta(h.cur.proto_class_packets[i], h.prev_class[i]);
  x.fill(o);
  o.blacklisted_pps = static_cast<double>(x.bl_sent) / dt_s;  // what the host sent
  out.push_back(o);
}
}  // namespace

HostView make_view(const HostState& h, const HostFields* base) {
  HostView v;
  static_cast<HostFields&>(v) =
      base ? host_delta(h.cur, *base) : static_cast<const HostFields&>(h.cur);
  v.ip = h.cur.key;
  v.pps = h.pps;
  v.bps = h.bps;
  v.syn_per_min = h.syn_per_min;
  return v;
}

void Sampler::begin_tick(uint64_t mono_ns, int64_t wall_ms, const GlobalCounters& raw) {
  if (have_prev_ && raw.packets < prev_raw_.packets) forget_all();  // dataplane restarted
  ++epoch_;
  now_ns_ = mono_ns;
  wall_ms_ = wall_ms;
  raw_ = raw;
}

uint32_t Sampler::slot_for(const shm::IpKey& k) {
  auto key_of = [this](uint32_t i) -> const shm::IpKey& { return hosts_[i].cur.key; };
  uint32_t s = index_.find(k, key_of);
  if (s != HostIndex::kNone) return s;
  s = static_cast<uint32_t>(hosts_.size());
  hosts_.emplace_back();
  hosts_.back().cur.key = k;
  if (!bases_.empty()) bases_.emplace_back();  // a host new since the reset: base 0
  index_.insert(k, s, key_of);
  return s;
}

void Sampler::add_host_at(unsigned worker, uint64_t slot, const HostCounters& c) {
  if (worker >= hints_.size()) hints_.resize(worker + 1);
  auto& hw = hints_[worker];
  if (slot >= hw.size()) hw.resize(std::max<size_t>(slot + 1, hw.size() * 2), 0);
  if (worker >= syn_at_tick_.size()) syn_at_tick_.resize(worker + 1);
  auto& sw = syn_at_tick_[worker];
  if (sw.size() < hw.size()) sw.resize(hw.size(), 0);
  if (sw[slot] != c.syn_sent) sw[slot] = c.syn_sent;  // an unchanged line stays clean
  uint32_t hint = hw[slot];
  if (hint != 0 && hint <= hosts_.size() && same_ip(hosts_[hint - 1].cur.key, c.key)) {
    merge(hosts_[hint - 1], c);
    return;
  }
  uint32_t idx = slot_for(c.key);
  hw[slot] = idx + 1;
  merge(hosts_[idx], c);
}

void Sampler::add_host(const HostCounters& c) { merge(hosts_[slot_for(c.key)], c); }

void Sampler::merge(HostState& h, const HostCounters& c) {
  if (h.epoch != epoch_) {
    bool is_new = h.epoch == 0;
    // An unchanged host (most of a large table) is only read: its lines are not written back.
    if (std::memcmp(&h.cur, &c, sizeof c) != 0) {
      h.cur = c;
      h.clean = false;
    }
    h.epoch = epoch_;
    if (is_new && !have_prev_) {  // present before we started: no delta at the first tick
      h.prev_packets = total_packets(c);
      h.prev_bytes = total_bytes(c);
      h.prev_syn = c.syn_sent;
      h.prev_blacklisted = c.blacklisted_packets;
      h.prev_class = c.proto_class_packets;
      h.prev_packets_sent = c.packets_sent;
      h.prev_bytes_sent = c.bytes_sent;
      h.prev_reflection = c.reflection_recv;
      h.prev_blacklisted_sent = c.blacklisted_sent;
      h.prev_syn_recv = c.syn_recv;
      h.prev_synack = c.synack_sent;
    }
    scan_now_win_ = std::max(scan_now_win_, c.last_seen_ns / shm::kScanWindowNs + 1);
    return;
  }
  merge_host(h.cur, c);  // the same host seen by another worker
  h.clean = false;
}

// A clean host (its counters did not move since its last derive) without scan or fan-in
// history: every delta is 0, so the full path below gives rates of 0, unchanged baselines,
// and the same SYN sum unless the window slid. This path reads the record's first two lines
// only (the SYN buckets when the window slides, the rest when it is observed) and writes
// nothing that does not change.
void Sampler::derive_idle(HostState& h, const InterestFloor& floor,
                          std::vector<HostObservation>& out) {
  if (h.pps != 0) h.pps = 0;
  if (h.bps != 0) h.bps = 0;
  const uint64_t bucket = now_ns_ / kSynBucketNs;
  if (bucket != h.syn_bucket_no) slide_syn_window(h, bucket, 0);
  const Issue13 x;
  if (h.pps > floor.pps || h.syn_per_min > floor.syn_per_min || interesting(x, floor))
    observe(h, x, dt_s_, out);
}

void Sampler::derive_host(HostState& h, double dt_s, bool first, const InterestFloor& floor,
                          std::vector<HostObservation>& out) {
  if (h.clean && !h.history) return derive_idle(h, floor, out);
  uint64_t pk = total_packets(h.cur), by = total_bytes(h.cur);
  uint64_t d_pk = delta(pk, h.prev_packets), d_by = delta(by, h.prev_bytes);
  uint64_t d_syn = delta(h.cur.syn_sent, h.prev_syn);
  h.pps = first ? 0.f : static_cast<float>(static_cast<double>(d_pk) / dt_s);
  h.bps = first ? 0.f : static_cast<float>(static_cast<double>(d_by) * 8.0 / dt_s);
  if (d_pk) h.last_active_ns = now_ns_;

  // Slide the SYN window to the current 5 s bucket, add this tick's SYNs, sum.
  slide_syn_window(h, now_ns_ / kSynBucketNs, d_syn);

  const Issue13 x = derive_issue13(h, dt_s, first, scan_now_win_);
  if (h.pps > floor.pps || h.syn_per_min > floor.syn_per_min || interesting(x, floor))
    observe(h, x, dt_s, out);
  h.prev_packets = pk;
  h.prev_bytes = by;
  h.prev_syn = h.cur.syn_sent;
  h.prev_blacklisted = h.cur.blacklisted_packets;
  h.prev_class = h.cur.proto_class_packets;
  h.clean = true;
}

double Sampler::global_conn_per_min(uint64_t syn_delta) {
  syn_window_.emplace_back(now_ns_, syn_delta);
  while (!syn_window_.empty() && syn_window_.front().first + kActiveWindowNs <= now_ns_)
    syn_window_.pop_front();
  uint64_t sum = 0;
  for (const auto& [t, d] : syn_window_) sum += d;
  return static_cast<double>(sum);
}

std::shared_ptr<Snapshot> Sampler::end_tick(const InterestFloor& floor,
                                            std::vector<HostObservation>& out) {
  begin_derive(floor, out);
  derive_range(0, hosts_.size());
  return finish_tick();
}

void Sampler::begin_derive(const InterestFloor& floor, std::vector<HostObservation>& out) {
  derive_t0_ = std::chrono::steady_clock::now();
  floor_ = floor;
  out_ = &out;
  out.clear();
  active_ = 0;
  first_ = !have_prev_;
  dt_s_ = first_ ? 1.0 : std::max(1e-3, static_cast<double>(now_ns_ - prev_ns_) / 1e9);
  if (reset_pending_) {
    base_ = raw_;
    carried_ = GlobalCounters{};
    bases_.resize(hosts_.size());
    for (size_t i = 0; i < hosts_.size(); ++i) bases_[i] = hosts_[i].cur;
    reset_pending_ = false;
  }
  for (auto& p : pool_) p.clear();
}

double Sampler::sort_value(const HostState& h, const HostFields* base, size_t key) {
  switch (static_cast<HostSort>(key)) {
    case HostSort::kPps:
      return h.pps;
    case HostSort::kBps:
      return h.bps;
    case HostSort::kPackets: {
      const uint64_t b = base ? base->packets_sent + base->packets_recv : 0;
      return static_cast<double>(total_packets(h.cur) - std::min(total_packets(h.cur), b));
    }
    case HostSort::kBytes: {
      const uint64_t b = base ? base->bytes_sent + base->bytes_recv : 0;
      return static_cast<double>(total_bytes(h.cur) - std::min(total_bytes(h.cur), b));
    }
    default:
      return h.syn_per_min;
  }
}

namespace {
bool better(const std::pair<double, uint32_t>& a, const std::pair<double, uint32_t>& b) {
  return a.first > b.first || (a.first == b.first && a.second < b.second);
}
// Keeps the best kTopHosts of v (unordered).
void keep_best(std::vector<std::pair<double, uint32_t>>& v) {
  if (v.size() <= kTopHosts) return;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(kTopHosts), v.end(), better);
  v.resize(kTopHosts);
}
// Offers one host to a ranking kept as a heap of at most kTopHosts (worst on top): most
// hosts are not better than the worst kept and cost one compare. `better` is a strict total
// order (index breaks ties), so the kept set is the same as sorting every host.
void offer(std::vector<std::pair<double, uint32_t>>& heap, double v, uint32_t i) {
  const std::pair<double, uint32_t> e{v, i};
  if (heap.size() < kTopHosts) {
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), better);
  } else if (better(e, heap.front())) {
    std::pop_heap(heap.begin(), heap.end(), better);
    heap.back() = e;
    std::push_heap(heap.begin(), heap.end(), better);
  }
}
}  // namespace

// One pass: each host is derived and offered to the five rankings while it is in cache
// (a pass per ranking read the 1M-host state six times; bench/control/README.md).
void Sampler::derive_range(size_t from, size_t to) {
  to = std::min(to, hosts_.size());
  const bool skip_idle = hosts_.size() > kTopHosts;  // idle hosts cannot rank by a rate
  for (size_t i = from; i < to; ++i) {
    HostState& h = hosts_[i];
    derive_host(h, dt_s_, first_, floor_, *out_);
    if (h.last_active_ns && h.last_active_ns + kActiveWindowNs > now_ns_) ++active_;
    const auto idx = static_cast<uint32_t>(i);
    const HostFields* base = bases_.empty() ? nullptr : &bases_[i];
    for (size_t k = 0; k < kHostSortCount; ++k) {
      const double v = sort_value(h, base, k);
      const bool rate = k == 0 || k == 1 || k == 4;
      if (rate && v <= 0 && skip_idle) continue;
      offer(pool_[k], v, idx);
    }
  }
}

std::shared_ptr<Snapshot> Sampler::finish_tick() {
  auto s = std::make_shared<Snapshot>();
  s->tick = ++tick_;
  s->ts_ms = wall_ms_;
  s->raw_totals = raw_;
  s->totals = add_counters(subtract(raw_, base_), carried_);
  if (!first_) {
    s->pps = static_cast<double>(delta(raw_.packets, prev_raw_.packets)) / dt_s_;
    s->bps = static_cast<double>(delta(raw_.bytes, prev_raw_.bytes)) * 8.0 / dt_s_;
    s->drops_per_s = static_cast<double>(delta(raw_.source_drops, prev_raw_.source_drops)) / dt_s_;
  }
  s->connections_per_min = global_conn_per_min(first_ ? 0 : delta(raw_.tcp_syn, prev_raw_.tcp_syn));
  s->active_hosts = active_;
  s->hosts_tracked = hosts_.size();
  build_top_lists(*s);
  history_.push_back({s->ts_ms, s->pps, s->bps, s->connections_per_min, s->active_hosts});
  if (history_.size() > kHistoryMax) history_.pop_front();
  prev_raw_ = raw_;
  prev_ns_ = now_ns_;
  have_prev_ = true;
  s->tick_duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - derive_t0_)
          .count();
  return s;
}

void Sampler::build_top_lists(Snapshot& s) {
  for (size_t k = 0; k < kHostSortCount; ++k) {
    auto& pool = pool_[k];
    keep_best(pool);
    std::sort(pool.begin(), pool.end(), better);
    auto& dst = s.top[k];
    dst.reserve(pool.size());
    for (const auto& [v, i] : pool) dst.push_back(view_of(i));
  }
}

void Sampler::forget_all(const GlobalCounters* final_raw) {
  // A new dataplane counts from zero: the API's totals go on from what they showed. The old
  // segment's final counts also hold what it counted after the last tick, and a dataplane
  // that lived less than a tick (two restarts between ticks, have_prev_ false) still counts.
  if (final_raw && final_raw->packets >= base_.packets) {
    carried_ = add_counters(subtract(*final_raw, base_), carried_);
  } else if (have_prev_) {
    carried_ = add_counters(subtract(prev_raw_, base_), carried_);
  }
  hosts_.clear();
  bases_.clear();
  hints_.clear();
  syn_at_tick_.clear();
  index_.clear();
  syn_window_.clear();
  have_prev_ = false;
  base_ = GlobalCounters{};
  prev_raw_ = GlobalCounters{};
  reset_pending_ = false;
}

void Sampler::forget_unseen() {
  const size_t n = hosts_.size();
  std::vector<uint32_t> remap(n, 0);  // old dense index -> new index + 1 (0 = dropped)
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i) {
    if (hosts_[i].epoch != epoch_) continue;
    if (kept != i) {
      hosts_[kept] = std::move(hosts_[i]);
      if (!bases_.empty()) bases_[kept] = bases_[i];
    }
    remap[i] = static_cast<uint32_t>(++kept);
  }
  if (kept == n) return;
  hosts_.resize(kept);
  if (!bases_.empty()) bases_.resize(kept);
  index_.clear();
  auto key_of = [this](uint32_t i) -> const shm::IpKey& { return hosts_[i].cur.key; };
  for (uint32_t i = 0; i < kept; ++i) index_.insert(hosts_[i].cur.key, i, key_of);
  for (auto& hw : hints_) {
    for (auto& h : hw) h = h != 0 && h <= n ? remap[h - 1] : 0;
  }
}

void Sampler::request_metrics_reset() { reset_pending_ = true; }

std::optional<HostView> Sampler::host(const shm::IpKey& ip) const {
  uint32_t s =
      index_.find(ip, [this](uint32_t i) -> const shm::IpKey& { return hosts_[i].cur.key; });
  if (s == HostIndex::kNone) return std::nullopt;
  return view_of(s);
}

HostView Sampler::view_of(uint32_t i) const {
  return make_view(hosts_[i], bases_.empty() ? nullptr : &bases_[i]);
}

std::optional<uint64_t> Sampler::syns_last_minute(unsigned worker, uint64_t slot,
                                                  const HostCounters& e, uint64_t mono_ns) const {
  constexpr uint64_t kMinuteNs = 60'000'000'000ULL;
  if (e.last_seen_ns >= e.first_seen_ns && e.last_seen_ns - e.first_seen_ns <= kMinuteNs)
    return e.syn_sent;
  if (worker >= hints_.size() || slot >= hints_[worker].size() ||
      slot >= syn_at_tick_[worker].size())
    return std::nullopt;
  const uint32_t hint = hints_[worker][slot];
  if (hint == 0 || hint > hosts_.size() || !same_ip(hosts_[hint - 1].cur.key, e.key))
    return std::nullopt;
  const HostState& h = hosts_[hint - 1];
  const uint64_t at_tick = syn_at_tick_[worker][slot];
  uint64_t sum = e.syn_sent >= at_tick ? e.syn_sent - at_tick : 0;
  const uint64_t now_bucket = mono_ns / kSynBucketNs;
  for (uint64_t i = 0; i < kSynBuckets && i <= h.syn_bucket_no; ++i) {
    const uint64_t b = h.syn_bucket_no - i;  // the buckets of the last minute only
    if (b + kSynBuckets > now_bucket) sum += h.syn_buckets[b % kSynBuckets];
  }
  return sum;
}

}  // namespace securenet::control
