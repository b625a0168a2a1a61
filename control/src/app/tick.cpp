// One tick: read the segment once, derive the snapshot, detect, notify.
#include "app/app.h"
#include "sampler/segment_scan.h"
#include "util/clock.h"

namespace securenet::control {

const ShmReader* App::attach(uint64_t mono, DataplaneInfo& info) {
  bool reopened = false;
  const ShmReader* r = watch_.poll(mono, info, &reopened);
  if (reopened) {
    sampler_.forget_all();
    sample_cursors_.clear();
    published_ = false;
    prev_table_full_ = 0;
  }
  if (r && !published_) publish();
  return r;
}

void App::read_segment(uint64_t mono, int64_t wall, DataplaneInfo& info, GlobalCounters& raw) {
  const ShmReader* r = attach(mono, info);
  raw = r ? r->totals() : last_raw_;
  sampler_.begin_tick(mono, wall, raw);
  if (!r) return;
  scan_hosts(*r, [this](unsigned w, uint64_t slot, const HostCounters& h) { sampler_.add_host_at(w, slot, h); });
  samples_.clear();
  r->read_samples(sample_cursors_, samples_);
  if (!samples_.empty()) sink_.on_packet_samples(samples_);
}

void App::tick() {
  uint64_t mono = mono_ns();
  int64_t wall = wall_ms();
  auto t0 = std::chrono::steady_clock::now();
  DataplaneInfo info;
  GlobalCounters raw;
  read_segment(mono, wall, info, raw);
  auto snap = sampler_.end_tick(Detector::floor_for(config_), observations_);
  snap->dataplane = info;
  last_raw_ = raw;

  TickInput in;
  in.now_ms = wall;
  in.hosts = &observations_;
  in.global_conn_per_min = snap->connections_per_min;
  in.health.dataplane = info.state;
  in.health.pps = snap->pps;
  in.health.drops_per_s = snap->drops_per_s;
  in.health.host_table_full_delta = raw.host_table_full > prev_table_full_ ? raw.host_table_full - prev_table_full_ : 0;
  prev_table_full_ = raw.host_table_full;
  notify_alerts(detector_.evaluate(in, config_));

  snap->tick_duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  snapshot_ = std::move(snap);
  metrics_json_ = build_metrics_json(10);
  hub_.broadcast("metrics", metrics_json_);
  sink_.on_metrics_snapshot(*snapshot_);
}

}  // namespace securenet::control
