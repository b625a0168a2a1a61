// An alert as the API, the event stream and (later) the database see it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/severity.h"

namespace securenet {
class JsonWriter;
}

namespace securenet::control {

enum class AlertKind : uint8_t {
  kProtocolBlacklist = 0,
  kTrafficThreshold,      // "traffic_sent" (issue 13; was "traffic_threshold", sent + received)
  kConnectionRate,        // per source host
  kConnectionRateGlobal,  // the whole network
  kSensorHealth,
  kTrafficReceived,  // issue 13: a victim
  kPortScan,
  kHostScan,
  kReflection,
  kBaselineDeviation,  // issue 13 item 4: the link far above its learned normal
  kSynFlood,           // issue 13 item 2: a victim of SYNs it does not answer
  kFanIn,              // issue 13 item 2: a victim of very many distinct sources
};
inline constexpr AlertKind kAllAlertKinds[] = {
    AlertKind::kProtocolBlacklist, AlertKind::kTrafficThreshold,
    AlertKind::kConnectionRate,    AlertKind::kConnectionRateGlobal,
    AlertKind::kSensorHealth,      AlertKind::kTrafficReceived,
    AlertKind::kPortScan,          AlertKind::kHostScan,
    AlertKind::kReflection,        AlertKind::kBaselineDeviation,
    AlertKind::kSynFlood,          AlertKind::kFanIn};
const char* to_string(AlertKind k);
// The host's part in a host alert: "sending"/"attacker" or "receiving"/"victim"; nullptr for
// network-wide and sensor alerts.
const char* alert_direction(AlertKind k);
const char* alert_role(AlertKind k);

// Issue 13 item 2: a victim alert's top senders and protocol/port breakdown (from the
// sampled packets, detect/victim_profile.h); packets are sampled packets.
struct AlertSource {
  std::string ip;
  uint64_t packets = 0;
};
struct AlertBreakdown {
  std::string protocol;                  // "tcp_syn" | "tcp" | "udp" | "icmp" | "icmpv6" | "ip-N"
  int32_t src_port = -1, dst_port = -1;  // the service port that keys it; -1 none
  uint64_t packets = 0;
};

struct Alert {
  std::string id;  // UUIDv4, generated here; the database primary key later
  AlertKind kind = AlertKind::kTrafficThreshold;
  Severity severity = Severity::kMedium;
  bool open = true;
  std::string host;      // "10.0.0.5"; empty for network-wide and sensor alerts
  std::string protocol;  // protocol_blacklist: the matching entries ("ICMP", "GRE,ESP")
  std::string
      condition;  // sensor_health: dataplane_stale|dataplane_down|source_drops|host_table_full|
                  // spool_degraded|config_recovered
  std::string description;
  double value = 0;  // the latest measured value (packets/s, connections/min, ...)
  double threshold = 0;
  double peak = 0;
  uint64_t count = 0;  // ticks the condition was seen (blacklist: blacklisted packets)
  int64_t first_seen_ms = 0, last_seen_ms = 0;
  // Issue 17: when the sensor knew (opened the alert); first_seen_ms is the first packet
  // over the limit (packet time) for an alert of the fast path, the tick's time otherwise.
  int64_t detected_ms = 0;
  int64_t resolved_at_ms = 0;  // 0 while open
  bool resolved_by_user = false;
  bool resolved_by_restart = false;  // adopted at start, its condition never seen again
  // Issue 16: "/api/alerts/<id>/pcap" once its capture is stored.
  std::string capture;
  // Issue 13 item 2, victim alerts only (in memory, not in the database).
  std::vector<AlertSource> top_sources;
  std::vector<AlertBreakdown> breakdown;
  std::string attack_type;
  uint64_t profile_samples = 0;
};
// "user" | "restart" | "auto" for a resolved alert (the API's and the table's resolved_by).
const char* resolved_by(const Alert& a);

void write_alert_json(JsonWriter& w, const Alert& a);
std::string alert_to_json(const Alert& a);

}  // namespace securenet::control
