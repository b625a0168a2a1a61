// Attack capture, the control plane's side (issue 16). An EventObserver: when a host alert
// opens and no capture is running, it names the host in the segment's control block
// (shm::start_capture); every tick it drains the workers' capture rings; when the window is
// over (max_packets in all, every worker closed it, or window_ms + a grace of wall time),
// it stops the capture and writes <alert id>.pcap: the sampled packets of the host from
// before the alert (headers only, rebuilt from the sample records), then the captured ones,
// into the bounded CaptureStore. One capture at a time; alerts opening meanwhile get none.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "capture/capture_store.h"
#include "capture/pcap_format.h"
#include "detect/event_observer.h"
#include "securenet/shm_reader.h"

namespace securenet::control {

struct CaptureOptions {
  std::string dir;                    // empty: captures off
  uint64_t max_packets = 2000;        // the window: the first N packets of the host ...
  uint64_t window_ms = 10000;         // ... or this long, whichever ends first
  uint64_t cap_bytes = 256ULL << 20;  // the store's size cap (oldest evicted first)
  size_t pre_samples = 4096;          // sampled records kept for "before the alert"
};

class CaptureManager : public EventObserver {
 public:
  explicit CaptureManager(CaptureOptions o)
      : opts_(std::move(o)), store_(opts_.dir, opts_.cap_bytes) {}

  void on_alert_changed(const Alert& alert) override;
  void on_config_changed(const SecurityConfig&, const std::string&, const std::string&) override {}

  // Each tick, before detection: the segment (null while the dataplane is down), the
  // samples read this tick, the wall clock. Drains, finishes, starts.
  void tick(const ShmReader* reader, const std::vector<shm::SampleRecord>& samples, int64_t now_ms);
  // The segment was replaced (dataplane restart): the running capture ends with what it has.
  void reopened();
  // Called with the alert id when a capture file has been written.
  void on_stored(std::function<void(const std::string&)> fn) { stored_ = std::move(fn); }

  const CaptureStore& store() const { return store_; }
  bool running() const { return running_.has_value(); }

 private:
  struct Running {
    std::string alert_id, host;
    shm::IpKey key{};
    uint64_t id = 0;
    int64_t started_ms = 0, deadline_ms = 0;
    std::vector<SampleFields> before;  // the host's samples from before the alert
    std::vector<SampleFields> late;    // the host's samples drained after the start
    std::vector<CapturedFrame> frames;
    std::vector<CaptureCursor> cursors;
    uint64_t lost = 0;
  };
  void start(const Alert& a, const shm::IpKey& key);
  void drain();
  bool window_over(int64_t now_ms) const;
  void finish();
  void keep_late_sample(Running& r, const SampleFields& s) const;
  void add_late_samples(Running& r) const;

  CaptureOptions opts_;
  CaptureStore store_;
  const ShmReader* reader_ = nullptr;
  int64_t now_ms_ = 0;
  uint64_t last_id_ = 0;
  std::optional<Running> running_;
  std::deque<SampleFields> recent_;  // the last pre_samples sample records
  std::function<void(const std::string&)> stored_;
};

}  // namespace securenet::control
