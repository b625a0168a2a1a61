// Issue 17, the fast path: every opts.fast (25 ms) the crossings rings of the dataplane
// are read, each crossing is confirmed against its host's entry (the same host still at
// that slot, its counters consistent with the crossing) and handed to Detector::crossing,
// which opens or updates the alert; the change is published at once (sink, SSE). Its cost
// is that of the crossings, not of the number of hosts. The tick does the rest.
#include <cstring>

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
  return h.blacklisted_sent >= 1;
}

}  // namespace

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
    auto changed = detector_.crossing(c, config_, now);
    if (changed.empty()) watch_crossing(c, now);
    notify_alerts(changed);
  }
}

// The dataplane pushes a sender once per epoch, when it passes the trigger (the lowest
// threshold); a sender under a higher subnet override is then watched for two seconds: its
// rate word is re-read at every drain until its sliding second passes its own threshold.
void App::watch_crossing(const Crossing& c, int64_t now_ms) {
  constexpr size_t kMaxWatched = 4096;
  if (c.rule != shm::CrossingRule::kTraffic || watched_.size() >= kMaxWatched) return;
  if (config_.whitelisted(c.key) || static_cast<double>(c.value) > config_.host_threshold(c.key))
    return;
  watched_.push_back({c, now_ms + 2000});
}

void App::recheck_watched(const ShmReader& r, int64_t now_ms) {
  std::erase_if(watched_, [&](Watched& w) {
    if (now_ms > w.until_ms || !confirm(r, w.c)) return true;
    const shm::HostEntry& e = r.hosts(w.c.worker)[w.c.slot];
    const uint64_t v = shm::rate_sum(shm::read(e.rate_window));
    if (v <= w.c.value) return false;
    w.c.value = v;
    w.c.ts_ns = shm::read(e.last_seen_ns);
    auto changed = detector_.crossing(w.c, config_, now_ms);
    const bool done = !changed.empty();
    notify_alerts(changed);
    return done;
  });
}

}  // namespace securenet::control
