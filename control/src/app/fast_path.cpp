// Issue 17, the fast path: every opts.fast (25 ms) the crossings rings of the dataplane
// are read, each crossing is confirmed against its host's entry (the same host still at
// that slot, its counters consistent with the crossing) and handed to Detector::crossing,
// which opens or updates the alert; the change is published at once (sink, SSE). Its cost
// is that of the crossings, not of the number of hosts. The tick does the rest.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>

#include "app/app.h"
#include "securenet/common/clock.h"

namespace securenet::control {
namespace {

// The crossing's host is the one at its slot now, and has sent at least what it reports.
bool confirm(const ShmReader& r, const Crossing& c) {
  if (c.worker >= r.header().num_workers) return false;
  if (c.slot >= r.header().workers[c.worker].host_capacity) return false;
  HostCounters h;
  if (!load_host_consistent(r.hosts(c.worker)[c.slot], h)) return false;
  if (std::memcmp(h.key.bytes, c.key.bytes, sizeof h.key.bytes) != 0) return false;
  if (c.rule == shm::CrossingRule::kTraffic) return h.packets_sent >= c.value;
  if (c.rule == shm::CrossingRule::kSyn) return h.syn_sent >= c.value;
  return h.blacklisted_sent >= 1;
}

}  // namespace

// A SYN crossing carries its entry's lifetime SYNs; the rule is "more than N new
// connections in a minute": the copy handed to the detector carries the host's SYNs in the
// last minute (Sampler::syns_last_minute), nullopt when they cannot be known yet.
std::optional<Crossing> App::syn_minute(const ShmReader& r, const Crossing& c) const {
  HostCounters h;
  if (!load_host_consistent(r.hosts(c.worker)[c.slot], h)) return std::nullopt;
  if (std::memcmp(h.key.bytes, c.key.bytes, sizeof h.key.bytes) != 0) return std::nullopt;
  auto n = sampler_.syns_last_minute(c.worker, c.slot, h, mono_ns());
  if (!n) return std::nullopt;
  Crossing m = c;
  m.value = *n;
  m.ts_ns = h.last_seen_ns;
  return m;
}

std::vector<Alert> App::cross(const ShmReader& r, const Crossing& c, int64_t now_ms) {
  if (c.rule != shm::CrossingRule::kSyn) return detector_.crossing(c, config_, now_ms);
  auto m = syn_minute(r, c);
  return m ? detector_.crossing(*m, config_, now_ms) : std::vector<Alert>{};
}

void App::schedule_fast() {
  if (!running_ || opts_.fast.count() <= 0) return;
  fast_timer_.expires_after(opts_.fast);
  fast_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    drain_crossings();
    schedule_fast();
  });
}

void App::drain_crossings() {
  const ShmReader* r = watch_.reader();
  if (!r) return;
  crossings_.clear();
  r->read_crossings(crossing_cursors_, crossings_);
  const int64_t now = wall_ms();
  if (!watched_.empty()) recheck_watched(*r, now);
  for (const Crossing& c : crossings_) {
    if (!confirm(*r, c)) continue;
    auto changed = cross(*r, c, now);
    if (changed.empty()) watch_crossing(c, now);
    notify_alerts(changed);
  }
}

// The dataplane pushes a sender once per epoch, when it passes the trigger (the lowest
// threshold); a sender under a higher subnet override is then watched for two seconds: its
// rate word is re-read at every drain until its sliding second passes its own threshold.
void App::watch_crossing(const Crossing& c, int64_t now_ms) {
  constexpr size_t kMaxWatched = 4096;
  if (c.rule == shm::CrossingRule::kBlacklist || config_.whitelisted(c.key)) return;
  if (c.rule == shm::CrossingRule::kTraffic &&
      static_cast<double>(c.value) > config_.host_threshold(c.key))
    return;
  // A SYN sender is pushed once per epoch (500 ms): watched until the next push can come.
  const bool syn = c.rule == shm::CrossingRule::kSyn;
  const int64_t until = now_ms + (syn ? 1000 : 2000);
  WatchKey k{};
  std::memcpy(k.ip.data(), c.key.bytes, k.ip.size());
  k.rule = c.rule;
  if (auto it = watched_.find(k); it != watched_.end()) {
    it->second.until_ms = std::max(it->second.until_ms, until);  // a new push extends it
  } else if (watched_.size() < kMaxWatched) {
    watched_.emplace(k, Watched{c, until, 0});
  }
}

size_t App::WatchKeyHash::operator()(const WatchKey& k) const noexcept {
  uint64_t a, b;
  std::memcpy(&a, k.ip.data(), 8);
  std::memcpy(&b, k.ip.data() + 8, 8);
  return static_cast<size_t>((a * 0x9E3779B97F4A7C15ULL) ^
                             (b + static_cast<uint64_t>(k.rule)) * 0xC2B2AE3D27D4EB4FULL);
}

// True when the watch of `w` ends: its time is up, its host left the slot, or its own rule
// opened (or raised) the alert.
bool App::recheck(const ShmReader& r, Watched& w, int64_t now_ms) {
  if (now_ms > w.until_ms || !confirm(r, w.c)) return true;
  std::optional<Crossing> m;
  if (w.c.rule == shm::CrossingRule::kSyn) {
    m = syn_minute(r, w.c);
    if (!m || m->value <= w.last) return false;
    w.last = m->value;
  } else {
    const shm::HostEntry& e = r.hosts(w.c.worker)[w.c.slot];
    const uint64_t v = shm::rate_sum(shm::read(e.rate_window));
    if (v <= w.c.value) return false;
    w.c.value = v;
    w.c.ts_ns = shm::read(e.last_seen_ns);
    m = w.c;
  }
  auto changed = detector_.crossing(*m, config_, now_ms);
  const bool done = !changed.empty();
  notify_alerts(changed);
  return done;
}

void App::recheck_watched(const ShmReader& r, int64_t now_ms) {
  for (auto it = watched_.begin(); it != watched_.end();)
    it = recheck(r, it->second, now_ms) ? watched_.erase(it) : std::next(it);
}

}  // namespace securenet::control
