#include "app/app.h"

#include <cstdio>

#include "config/config_file.h"
#include "config/publish.h"
#include "securenet/common/clock.h"

namespace securenet::control {

App::App(boost::asio::io_context& ioc, AppOptions opts, SecurityConfig initial, EventSink& sink)
    : ioc_(ioc),
      opts_(std::move(opts)),
      config_(std::move(initial)),
      config_json_(config_to_json(config_)),
      sink_(sink),
      timer_(ioc),
      probe_timer_(ioc),
      fast_timer_(ioc),
      started_(std::chrono::steady_clock::now()),
      watch_(opts_.shm_name),
      alerts_(opts_.alert_capacity),
      detector_(alerts_),
      capture_(opts_.capture) {
  snapshot_ = std::make_shared<Snapshot>();
  metrics_json_ = build_metrics_json(10);
  if (!opts_.baseline_path.empty()) {
    std::string note;
    baselines_ = load_baselines(opts_.baseline_path, &note);
    if (!note.empty()) std::fprintf(stderr, "securenet-control: baselines: %s\n", note.c_str());
  }
  subscribe(sink_);
  subscribe(hub_);
  subscribe(capture_);
  // A stored capture links the alert to it (API and database); an alert that resolved
  // meanwhile keeps no link (the file is still served).
  capture_.on_stored([this](const std::string& id) {
    const Alert* a =
        alerts_.update(id, [&id](Alert& x) { x.capture = "/api/alerts/" + id + "/pcap"; });
    if (a) emit_alert(*a);
  });
}

double App::uptime_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

void App::start() {
  running_ = true;
  next_tick_ = std::chrono::steady_clock::now();
  tick();
  schedule();
  schedule_probe();
  schedule_fast();
}

void App::stop() {
  if (running_ && !opts_.baseline_path.empty()) save_baselines(opts_.baseline_path, baselines_);
  running_ = false;
  timer_.cancel();
  probe_timer_.cancel();
  fast_timer_.cancel();
}

// Between ticks, every 100 ms: while the dataplane is down, look for a (new) segment and
// publish the config at once, so a starting dataplane gets the blacklist within ~100 ms
// rather than at the next tick.
void App::schedule_probe() {
  if (!running_) return;
  probe_timer_.expires_after(std::chrono::milliseconds(100));
  probe_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    if (!ticking_ && snapshot_->dataplane.state == DataplaneState::kDown) {
      DataplaneInfo info;
      attach(mono_ns(), info);
    }
    schedule_probe();
  });
}

void App::schedule() {
  if (!running_) return;
  auto now = std::chrono::steady_clock::now();
  next_tick_ += opts_.tick;
  if (next_tick_ < now) next_tick_ = now + opts_.tick;  // late: skip, do not burst
  timer_.expires_at(next_tick_);
  timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !running_) return;
    tick();
    schedule();
  });
}

void App::publish() {
  if (ShmReader* r = watch_.reader(); r && r->control()) {
    publish_config(*r->control(), config_);
    publish_drop_list();
    published_ = true;
  }
}

ConfigParseResult App::apply_config(std::string_view json, const std::string& user_id) {
  auto r = apply_config_json(config_, json);
  if (!r.ok) return r;
  r.config.updated_at_ms = wall_ms();
  config_ = r.config;
  config_json_ = config_to_json(config_);  // the one serialization of this config
  ++config_generation_;
  publish();
  if (!opts_.config_path.empty()) {
    if (auto s = save_config_file(opts_.config_path, config_json_); !s) {
      std::fprintf(stderr, "securenet-control: %s\n", s.error().message.c_str());
    }
  }
  emit_config(user_id);
  return r;
}

void App::reset_metrics() {
  sampler_.request_metrics_reset();
  raised_ = {};
}

std::optional<Alert> App::resolve_alert(const std::string& id) {
  auto a = detector_.resolve(id, wall_ms());
  if (a) notify_alerts({*a});
  return a;
}

void App::adopt_alerts(std::vector<Alert> open) {
  notify_alerts(detector_.adopt(std::move(open), wall_ms()));
}

void App::raise_event(const std::string& condition, Severity severity,
                      const std::string& description) {
  notify_alerts({detector_.raise_event(condition, severity, description, wall_ms())});
}

void App::notify_alerts(const std::vector<Alert>& changed) {
  for (const auto& a : changed) {
    if (a.open && a.count > 0 && a.first_seen_ms == a.last_seen_ms)
      ++raised_[static_cast<size_t>(a.severity)];
    emit_alert(a);
  }
}

void App::emit_alert(const Alert& a) {
  for (EventObserver* o : observers_) o->on_alert_changed(a);
}

void App::emit_config(const std::string& user_id) {
  for (EventObserver* o : observers_) o->on_config_changed(config_, config_json_, user_id);
}

}  // namespace securenet::control
