// The control plane's state and its one owner, the control thread: the current config,
// the sampler, the detector and its alert store, the latest snapshot, the event stream
// hub and the persistence sink. Alert and config changes go out through one publish point
// to the subscribed EventObservers (the sink, then the SSE hub; subscribe() adds more). Route
// handlers get a reference and call these methods; everything runs on the one io_context thread, so
// nothing here needs a lock.
#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "block/drop_list.h"
#include "capture/capture_manager.h"
#include "config/security_config.h"
#include "detect/alert_store.h"
#include "detect/detector.h"
#include "detect/victim_profile.h"
#include "http/sse_hub.h"
#include "persist/event_sink.h"
#include "sampler/sampler.h"
#include "sampler/segment_watch.h"

namespace securenet::control {

inline constexpr const char* kVersion = "0.1.0";

struct AppOptions {
  std::string shm_name = "securenet-default";
  std::string config_path;  // empty: config changes are not saved
  std::chrono::milliseconds tick{1000};
  size_t alert_capacity = 10000;
  std::string baseline_path;  // <state>/baselines.json; empty: learned anew at each start
  // Issue 17: how often the crossings rings are drained (the fast path); 0 = off.
  std::chrono::milliseconds fast{25};
  CaptureOptions capture;  // attack capture (issue 16); dir empty: off
};

class App {
 public:
  App(boost::asio::io_context& ioc, AppOptions opts, SecurityConfig initial, EventSink& sink);
  void start();  // first tick now, then every opts.tick
  void stop();
  // One tick, in slices: read the totals, then scan the host tables and derive, each slice
  // its own io_context handler so that requests are served in between, then finish:
  // snapshot, detection, notifications. A slice takes chunks (kChunkSlots slots, kChunkHosts
  // hosts) until kSliceBudget has passed: a request waits for at most about that long,
  // whatever the table's size or the machine's speed. A tick still running skips the next.
  void tick();
  static constexpr uint64_t kChunkSlots = 4096;
  static constexpr size_t kChunkHosts = 2048;
  static constexpr uint64_t kSliceBudgetNs = 1'000'000;
  static constexpr uint64_t kBaselineSaveTicks = 300;

  const SecurityConfig& config() const { return config_; }
  // config() as GET /api/config shows it, serialized once per change.
  const std::string& config_json() const { return config_json_; }
  // Moves on at every applied change: what caches of views that depend on it compare.
  uint64_t config_generation() const { return config_generation_; }
  // Validates and applies (all or nothing), publishes to the dataplane, saves, notifies.
  ConfigParseResult apply_config(std::string_view json, const std::string& user_id);

  std::shared_ptr<const Snapshot> snapshot() const { return snapshot_; }
  const std::string& metrics_json() const { return metrics_json_; }  // this tick's /api/metrics
  std::string build_metrics_json(size_t top) const;
  void reset_metrics();

  const Sampler& sampler() const { return sampler_; }
  const AlertStore& alerts() const { return alerts_; }
  const Baselines& baselines() const { return baselines_; }
  std::optional<Alert> resolve_alert(const std::string& id);
  // Before start(): open alerts stored by an earlier run of this sensor (Detector::adopt).
  void adopt_alerts(std::vector<Alert> open);
  // A one-off sensor_health event alert (config_recovered), stored and streamed.
  void raise_event(const std::string& condition, Severity severity, const std::string& description);
  std::array<uint64_t, kSeverityCount> raised_since_reset() const { return raised_; }

  // Records an audit entry through the sink (stored with the writer's rows; spooled while
  // the database is down).
  void audit(const AuditEvent& e) { sink_.on_audit(e); }

  // Adds an observer of every later alert and config change (it must outlive the App).
  void subscribe(EventObserver& o) { observers_.push_back(&o); }

  // More sections of GET /api/status (the notifier's counters): name, and a writer of one
  // JSON value, called on the control thread (it must not block).
  using StatusSection = std::pair<std::string, std::function<void(JsonWriter&)>>;
  void add_status_section(StatusSection s) { status_sections_.push_back(std::move(s)); }
  const std::vector<StatusSection>& status_sections() const { return status_sections_; }

  // Inline XDP drop list (issue 16 item 4b; app/inline_drop.cpp): changed by the Blocker,
  // published into the segment (and again to each new dataplane); counts read back.
  DropList& drop_list() { return drop_list_; }
  void publish_drop_list();
  std::optional<uint64_t> drop_count(const Cidr& prefix) const;  // nullopt: not applied yet
  void write_inline_status(JsonWriter& w) const;                 // /api/status "inline"
  struct InlineTotals {
    uint64_t entries = 0, dropped = 0, forwarded = 0, tx_errors = 0;
  };
  InlineTotals inline_totals() const;  // /metrics (no prefixes: the endpoint is public)

  SseHub& hub() { return hub_; }
  const CaptureManager& capture() const { return capture_; }
  DatabaseState database() const { return sink_.state(); }
  double uptime_s() const;
  const AppOptions& options() const { return opts_; }
  double last_tick_ms() const { return snapshot_ ? snapshot_->tick_duration_ms : 0; }

 private:
  void schedule();
  void schedule_probe();
  void schedule_fast();    // issue 17 (app/fast_path.cpp)
  void drain_crossings();  // reads the crossings rings, confirms, opens alerts
  const ShmReader* attach(uint64_t mono, DataplaneInfo& info);
  void publish();
  void scan_slice(unsigned worker, uint64_t from);
  void derive_slice(size_t from);
  void finish_tick();
  void notify_alerts(const std::vector<Alert>& changed);  // counts raised, then publishes
  void emit_alert(const Alert& a);
  void emit_config(const std::string& user_id);

  boost::asio::io_context& ioc_;
  AppOptions opts_;
  SecurityConfig config_;
  std::string config_json_;
  uint64_t config_generation_ = 0;
  EventSink& sink_;
  boost::asio::steady_timer timer_;
  boost::asio::steady_timer probe_timer_;  // fast re-attach while the dataplane is down
  boost::asio::steady_timer fast_timer_;   // issue 17: drains the crossings rings
  std::chrono::steady_clock::time_point next_tick_;
  std::chrono::steady_clock::time_point started_;
  bool running_ = false;

  SegmentWatch watch_;
  bool published_ = false;
  Sampler sampler_;
  AlertStore alerts_;
  Detector detector_;
  VictimProfiler victims_;  // the last 30 s of packet samples, for victim alerts
  Baselines baselines_;  // the link's learned normal (saved every kBaselineSaveTicks and at stop)
  std::vector<HostObservation> observations_;
  std::vector<uint64_t> sample_cursors_;
  std::vector<shm::SampleRecord> samples_;
  std::vector<uint64_t> crossing_cursors_;  // issue 17
  std::vector<Crossing> crossings_;
  struct Watched {  // a sender over the trigger, not yet over its own (higher) threshold
    Crossing c;
    int64_t until_ms;
    uint64_t last;  // kSyn: the minute's SYNs at the last check
  };
  struct WatchKey {  // one watch per host and rule
    std::array<uint8_t, 16> ip;
    shm::CrossingRule rule;
    bool operator==(const WatchKey&) const = default;
  };
  struct WatchKeyHash {
    size_t operator()(const WatchKey& k) const noexcept;
  };
  std::unordered_map<WatchKey, Watched, WatchKeyHash> watched_;
  void watch_crossing(const Crossing& c, int64_t now_ms);
  void recheck_watched(const ShmReader& r, int64_t now_ms);
  bool recheck(const ShmReader& r, Watched& w, int64_t now_ms);
  std::optional<Crossing> syn_minute(const ShmReader& r, const Crossing& c) const;
  std::vector<Alert> cross(const ShmReader& r, const Crossing& c, int64_t now_ms);
  GlobalCounters last_raw_{};
  bool ticking_ = false;
  const ShmReader* tick_reader_ = nullptr;
  DataplaneInfo tick_info_;
  std::chrono::steady_clock::time_point tick_t0_;
  uint64_t prev_table_full_ = 0;
  std::array<uint64_t, kSeverityCount> raised_{};
  std::shared_ptr<const Snapshot> snapshot_;
  std::string metrics_json_;
  SseHub hub_;
  std::vector<EventObserver*> observers_;  // sink_, hub_, capture_, then subscribe()'s
  std::vector<StatusSection> status_sections_;
  CaptureManager capture_;
  DropList drop_list_;
};

}  // namespace securenet::control
