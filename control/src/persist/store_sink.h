// The control plane's EventSink backed by the store's Writer: every alert change, every
// config change, a metrics snapshot every N seconds and the sampled packet records become
// rows (sensor-generated ids), queued without blocking the control thread.
#pragma once

#include <cstdint>
#include <string>

#include "persist/event_sink.h"
#include "writer.h"

namespace securenet::store {

class StoreSink final : public control::EventSink {
 public:
  struct Options {
    int64_t metrics_every_ms = 10000;  // one network_metrics row per this many ms
  };
  StoreSink(Writer& writer, Options opts) : writer_(writer), opts_(opts) {}

  void on_alert_changed(const control::Alert& alert) override;
  void on_config_changed(const control::SecurityConfig& config, const std::string& config_json,
                         const std::string& user_id) override;
  void on_metrics_snapshot(const control::Snapshot& snapshot) override;
  void on_packet_samples(const std::vector<shm::SampleRecord>& samples) override;
  control::DatabaseState state() const override;
  // Thread-safe (only the Writer's queue is touched).
  void on_audit(const control::AuditEvent& e) override;

 private:
  Writer& writer_;
  Options opts_;
  int64_t last_metrics_ms_ = 0;
};

}  // namespace securenet::store
