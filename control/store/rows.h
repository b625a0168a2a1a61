// Row builders: the JSON objects the writer stores (one per table), with the column
// names of control/migrations. Times are epoch milliseconds in, ISO-8601 UTC out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "securenet/common/json_writer.h"  // append_json_string

namespace securenet::store {

std::string iso_time(int64_t epoch_ms);  // "2026-11-25T19:00:00.123Z"

// This sensor's id, kept in <state_dir>/sensor-id (created on first use) so that the rows
// of one box keep one sensor_id across restarts. Empty on I/O failure.
std::string load_or_create_sensor_id(const std::string& state_dir);

struct SensorInfo {
  std::string name = "sensor", interface, version;
};
std::string sensor_row_json(const std::string& id, const SensorInfo& s, int64_t heartbeat_ms);

// Issue 13 item 2: a victim alert's top sources and protocol/port breakdown (the API's
// shape). The row keeps at most kMaxProfileEntries of each, every text cut to
// kMaxProfileText bytes of printable ASCII (anything else becomes '?'), so a row always fits
// migration 0017's CHECKs and never carries what PostgreSQL's json refuses (NUL, bad UTF-8).
inline constexpr size_t kMaxProfileEntries = 32;
inline constexpr size_t kMaxProfileText = 64;
struct SourceRow {
  std::string ip;
  uint64_t packets = 0;
};
struct BreakdownRow {
  std::string protocol;
  int32_t src_port = -1, dst_port = -1;  // -1: null
  uint64_t packets = 0;
};
// `text` as the row stores it (see kMaxProfileText).
std::string profile_text(std::string_view text);

struct AlertRow {
  std::string id, kind, severity, status = "open", host, protocol, condition, description;
  std::string resolved_by;  // resolved rows: user | auto | restart
  std::string capture;      // issue 16: the pcap's API path, empty = none (null)
  double value = 0, threshold = 0, peak = 0;
  int64_t count = 1, first_seen_ms = 0, last_seen_ms = 0;
  std::optional<int64_t> resolved_at_ms;
  std::optional<int64_t> detected_ms;  // issue 17: when the sensor knew (null: first_seen)
  // Issue 13 item 2 (migration 0017): victim alerts only; null columns when !victim.
  bool victim = false;
  std::string attack_type;  // "" = null
  uint64_t profile_samples = 0;
  std::vector<SourceRow> top_sources;
  std::vector<BreakdownRow> breakdown;
};
std::string to_json(const AlertRow& a);

struct ConfigRow {
  std::string id;
  std::string config_json = "{}";  // the full config object (API.md's GET /api/config)
  double traffic_threshold = 0, connection_rate = 0;  // as the API accepts (<= 1e12)
  std::vector<std::string> protocol_blacklist;
  int64_t created_ms = 0;
};
std::string to_json(const ConfigRow& c);

struct MetricsRow {
  std::string id;
  int64_t ts_ms = 0;
  uint64_t total_packets = 0, total_bytes = 0;
  double pps = 0, bps = 0;
  int64_t active_hosts = 0;
  double connections_per_min = 0;
  std::string anomalies_json = "{}", protocols_json = "{}";
};
std::string to_json(const MetricsRow& m);

// One audit_log row (migration 0008): who did what, when, from where.
struct AuditRow {
  std::string id, action, actor_id, actor_email, source_addr;
  std::string details_json = "{}";
  int64_t at_ms = 0;
};
std::string to_json(const AuditRow& a);

struct PacketRow {
  std::string id;
  int64_t ts_ms = 0;
  std::string src, dst, protocol;
  int sport = 0, dport = 0, length = 0, flags = 0;
};
std::string to_json(const PacketRow& p);

}  // namespace securenet::store
