// The plug point for persistence: the control thread reports every
// alert change and config change (as an EventObserver the App publishes to), metrics
// snapshot and batch of sampled packets to an EventSink. Calls come from the control thread and
// must not block: an implementation queues and writes elsewhere (and spools to disk while the
// database is down). DatabaseState is what GET /api/status shows under "database".
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/security_config.h"
#include "detect/alert.h"
#include "detect/event_observer.h"
#include "sampler/snapshot.h"
#include "securenet/shm_layout.h"

namespace securenet::control {

struct DatabaseState {
  std::string state = "disabled";  // connected | disconnected | disabled
  uint64_t spool_backlog = 0;      // items waiting to be written
  std::string detail;              // last error, for operators (never secrets)
  // The on-disk spool (issue 14): rows it had to drop, by table ("network_packets" ...),
  // the free space of its filesystem, and how degraded it is: 0 none, 1 dropping packet
  // samples or metric snapshots (MEDIUM), 2 alert/config rows at risk (HIGH).
  std::vector<std::pair<std::string, uint64_t>> spool_dropped;
  uint64_t spool_disk_free_bytes = 0;
  bool spool_reserve_in_use = false;
  int spool_degraded = 0;
};

// One entry of the audit trail (API.md "Audit log"): who did what, when, from where.
struct AuditEvent {
  // config_change | alert_resolve | metrics_reset | login_success | login_failure | logout
  std::string action;
  std::string actor_id;             // the user's id; "" when unknown (failed login)
  std::string actor_email;          // the token's email, or the email a login was tried with
  std::string source;               // the client's address
  std::string details_json = "{}";  // what changed (a JSON object)
  int64_t at_ms = 0;                // 0 = now
};

class EventSink : public EventObserver {
 public:
  // Once per tick; snapshot.open_alerts are the AlertStore's open alerts by severity.
  virtual void on_metrics_snapshot(const Snapshot& snapshot) = 0;
  // Sampled packet records read from the rings since the previous tick.
  virtual void on_packet_samples(const std::vector<shm::SampleRecord>& samples) = 0;
  virtual DatabaseState state() const = 0;
  // An audit entry. Unlike the others this may be called from any thread (logins run on
  // the request pool), so an implementation must be thread-safe; never blocks.
  virtual void on_audit(const AuditEvent&) {}
};

// Without a database: keeps nothing (config lives in the config file, alerts in the
// in-memory store).
class NullSink final : public EventSink {
 public:
  void on_alert_changed(const Alert&) override {}
  void on_config_changed(const SecurityConfig&, const std::string&, const std::string&) override {}
  void on_metrics_snapshot(const Snapshot&) override {}
  void on_packet_samples(const std::vector<shm::SampleRecord>&) override {}
  DatabaseState state() const override { return {}; }
};

}  // namespace securenet::control
