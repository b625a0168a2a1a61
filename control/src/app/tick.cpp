// One tick: read the segment once, derive the snapshot, detect, notify.
#include <boost/asio/post.hpp>

#include "app/app.h"
#include "securenet/common/clock.h"

namespace securenet::control {

const ShmReader* App::attach(uint64_t mono, DataplaneInfo& info) {
  bool reopened = false;
  GlobalCounters old_final{};
  const ShmReader* r = watch_.poll(mono, info, &reopened, &old_final);
  if (reopened) {
    sampler_.forget_all(&old_final);
    sample_cursors_.clear();
    crossing_cursors_.clear();
    watched_.clear();
    published_ = false;
    prev_table_full_ = 0;
    capture_.reopened();
  }
  if (r && !published_) publish();
  return r;
}

void App::tick() {
  if (ticking_) return;  // the previous tick is still running: skip this one
  ticking_ = true;
  tick_t0_ = std::chrono::steady_clock::now();
  uint64_t mono = mono_ns();
  tick_info_ = DataplaneInfo{};
  tick_reader_ = attach(mono, tick_info_);
  GlobalCounters raw = tick_reader_ ? tick_reader_->totals() : last_raw_;
  sampler_.begin_tick(mono, wall_ms(), raw);
  last_raw_ = raw;
  scan_slice(0, 0);
}

void App::scan_slice(unsigned worker, uint64_t from) {
  const ShmReader* r = tick_reader_;
  if (!r || worker >= r->header().num_workers) {
    if (r) sampler_.forget_unseen();  // a whole scan: hosts not in it have aged out
    sampler_.begin_derive(Detector::floor_for(config_), observations_);
    return derive_slice(0);
  }
  const uint64_t cap = r->header().workers[worker].host_capacity;
  const uint64_t deadline = mono_ns() + kSliceBudgetNs;
  uint64_t to = from;
  do {  // chunks until the slice's budget is spent (at least one)
    const uint64_t end = std::min(cap, to + kChunkSlots);
    r->scan_hosts(worker, to, end, [this](unsigned w, uint64_t slot, const HostCounters& h) {
      sampler_.add_host_at(w, slot, h);
    });
    to = end;
  } while (to < cap && mono_ns() < deadline);
  unsigned next_w = to >= cap ? worker + 1 : worker;
  uint64_t next_from = to >= cap ? 0 : to;
  boost::asio::post(ioc_, [this, next_w, next_from] { scan_slice(next_w, next_from); });
}

void App::derive_slice(size_t from) {
  const size_t n = sampler_.hosts_tracked();
  const uint64_t deadline = mono_ns() + kSliceBudgetNs;
  size_t to = from;
  do {
    const size_t end = std::min(n, to + kChunkHosts);
    sampler_.derive_range(to, end);
    to = end;
  } while (to < n && mono_ns() < deadline);
  if (to >= n) return finish_tick();
  boost::asio::post(ioc_, [this, to] { derive_slice(to); });
}

void App::finish_tick() {
  samples_.clear();
  if (tick_reader_) {
    tick_reader_->read_samples(sample_cursors_, samples_);
    if (!samples_.empty()) sink_.on_packet_samples(samples_);
  }
  capture_.tick(tick_reader_, samples_, wall_ms());  // before detection opens alerts
  auto snap = sampler_.finish_tick();
  snap->dataplane = tick_info_;
  const GlobalCounters& raw = last_raw_;

  TickInput in;
  in.now_ms = snap->ts_ms;
  in.hosts = &observations_;
  in.global_conn_per_min = snap->connections_per_min;
  in.health.dataplane = tick_info_.state;
  in.health.pps = snap->pps;
  in.health.drops_per_s = snap->drops_per_s;
  in.health.host_table_full_delta =
      raw.host_table_full > prev_table_full_ ? raw.host_table_full - prev_table_full_ : 0;
  prev_table_full_ = raw.host_table_full;
  in.health.spool_degraded = sink_.state().spool_degraded;
  if (tick_info_.state == DataplaneState::kUp) {  // a stopped dataplane's zeros are not normal
    in.baselines = &baselines_;
    in.link = {snap->pps, snap->bps / 1e6, snap->connections_per_min,
               static_cast<double>(snap->active_hosts)};
  }
  victims_.add_records(samples_, snap->ts_ms);  // issue 13 item 2: victims' top sources
  std::vector<Alert> changed = detector_.evaluate(in, config_);
  victims_.annotate(changed, alerts_);
  notify_alerts(changed);
  if (!opts_.baseline_path.empty() && snap->tick % kBaselineSaveTicks == 0)
    save_baselines(opts_.baseline_path, baselines_);
  snap->open_alerts = alerts_.open_by_severity();

  snap->tick_duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - tick_t0_)
          .count();
  snapshot_ = std::move(snap);
  metrics_json_ = build_metrics_json(10);
  hub_.broadcast("metrics", metrics_json_);
  sink_.on_metrics_snapshot(*snapshot_);
  ticking_ = false;
}

}  // namespace securenet::control
