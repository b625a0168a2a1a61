// API reads through row-level security: every query runs in with_user_tx() with the
// caller's claims, so PostgreSQL returns only the caller's rows. Results are JSON text in
// API.md's shapes (times as *_ms epoch milliseconds).
#pragma once

#include <cstdint>
#include <string>

#include "securenet/result.h"
#include "session.h"

namespace securenet::store {

struct AlertQuery {
  int limit = 50;         // clamped to 1..1000
  std::string severity;   // "" = any
  std::string status;     // "" = any, "open", "resolved"
  std::string sensor_id;  // "" = every sensor of the caller; else one (uuid text)
};

// {"alerts":[{id,sensor_id,kind,severity,status,host,protocol,description,value,threshold,peak,
//   count,first_seen_ms,last_seen_ms,resolved_at_ms,detected_ms,attack_type,profile_samples,
//   top_sources,breakdown}]} newest first.
Result<std::string> list_alerts_json(Session& s, const std::string& claims, const AlertQuery& q);

// The newest stored config object (the `config` column), or "null" when none.
Result<std::string> latest_config_json(Session& s, const std::string& claims);

// {"configs":[{"id","created_at_ms","config":{...}}]} newest first (limit 1..1000).
// sensor_id "" = every sensor of the caller (as in metrics_history_json).
Result<std::string> config_history_json(Session& s, const std::string& claims, int limit,
                                        const std::string& sensor_id = "");

// {"points":[{"ts_ms","total_packets","total_bytes","pps","bps","active_hosts",
//   "connections_per_min"}]} oldest first, for the last `seconds` (at most 10000 points).
Result<std::string> metrics_history_json(Session& s, const std::string& claims, int64_t seconds,
                                         const std::string& sensor_id = "");

// The fleet view (API.md "Sensors"): {"sensors":[{"id","name","interface","version",
//   "last_seen_ms","status":"up"|"stale","metrics_ts_ms","pps","bps",
//   "open_alerts":{"CRITICAL","HIGH","MEDIUM","LOW"},"open_alerts_total"}],
//   "stale_after_s":N} by name; a sensor is up when its last heartbeat is newer than
// stale_after_s seconds.
Result<std::string> sensors_json(Session& s, const std::string& claims, int64_t stale_after_s);

struct AuditQuery {
  int limit = 100;         // clamped to 1..1000
  int64_t before_ms = -1;  // page cursor: entries strictly before (at, id); -1 = newest
  std::string before_id;   // uuid text; "" = every entry at before_ms is "before"
};

// {"entries":[{"id","at_ms","sensor_id","actor_id","actor_email","source_addr","action",
//   "details":{...}}],"next_before":"<at_ms>_<id>"|null} newest first; next_before is set
// when the page is full (pass it back as ?before= for the next page).
Result<std::string> audit_log_json(Session& s, const std::string& claims, const AuditQuery& q);

}  // namespace securenet::store
