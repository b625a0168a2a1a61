#include "detect/alert.h"

#include <cctype>

#include "securenet/common/json_writer.h"

namespace securenet::control {

const char* to_string(Severity s) {
  switch (s) {
    case Severity::kLow:
      return "LOW";
    case Severity::kMedium:
      return "MEDIUM";
    case Severity::kHigh:
      return "HIGH";
    case Severity::kCritical:
      return "CRITICAL";
  }
  return "LOW";
}

std::optional<Severity> parse_severity(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (int i = 0; i < static_cast<int>(kSeverityCount); ++i) {
    if (u == to_string(static_cast<Severity>(i))) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

const char* to_string(AlertKind k) {
  switch (k) {
    case AlertKind::kProtocolBlacklist:
      return "protocol_blacklist";
    case AlertKind::kTrafficThreshold:
      return "traffic_sent";
    case AlertKind::kTrafficReceived:
      return "traffic_received";
    case AlertKind::kPortScan:
      return "port_scan";
    case AlertKind::kHostScan:
      return "host_scan";
    case AlertKind::kReflection:
      return "reflection";
    case AlertKind::kConnectionRate:
      return "connection_rate";
    case AlertKind::kConnectionRateGlobal:
      return "connection_rate_global";
    case AlertKind::kSensorHealth:
      return "sensor_health";
    case AlertKind::kBaselineDeviation:
      return "baseline_deviation";
    case AlertKind::kSynFlood:
      return "syn_flood";
    case AlertKind::kFanIn:
      return "fan_in";
  }
  return "sensor_health";
}

const char* alert_direction(AlertKind k) {
  switch (k) {
    case AlertKind::kConnectionRateGlobal:
    case AlertKind::kSensorHealth:
    case AlertKind::kBaselineDeviation:
      return nullptr;
    case AlertKind::kTrafficReceived:
    case AlertKind::kReflection:
    case AlertKind::kSynFlood:
    case AlertKind::kFanIn:
      return "receiving";
    default:
      return "sending";
  }
}

const char* alert_role(AlertKind k) {
  const char* d = alert_direction(k);
  if (!d) return nullptr;
  return d[0] == 'r' ? "victim" : "attacker";
}

const char* resolved_by(const Alert& a) {
  if (a.resolved_by_user) return "user";
  return a.resolved_by_restart ? "restart" : "auto";
}

namespace {
// A victim alert's top sources and breakdown (arrays; empty until a sample of its traffic
// was drained) and attack type; null for the other alerts.
void write_victim_profile(JsonWriter& w, const Alert& a) {
  const char* role = alert_role(a.kind);
  if (!role || role[0] != 'v') {
    w.key("attack_type").null();
    w.key("profile_samples").null();
    w.key("top_sources").null();
    w.key("breakdown").null();
    return;
  }
  w.key("attack_type");
  a.attack_type.empty() ? w.null() : w.value(a.attack_type);
  w.field("profile_samples", a.profile_samples);
  w.key("top_sources").begin_array();
  for (const auto& s : a.top_sources)
    w.begin_object().field("ip", s.ip).field("packets", s.packets).end_object();
  w.end_array();
  w.key("breakdown").begin_array();
  for (const auto& b : a.breakdown) {
    w.begin_object().field("protocol", b.protocol);
    w.key("src_port");
    b.src_port >= 0 ? w.value(static_cast<int64_t>(b.src_port)) : w.null();
    w.key("dst_port");
    b.dst_port >= 0 ? w.value(static_cast<int64_t>(b.dst_port)) : w.null();
    w.field("packets", b.packets).end_object();
  }
  w.end_array();
}
}  // namespace

void write_alert_json(JsonWriter& w, const Alert& a) {
  w.begin_object();
  w.field("id", a.id).field("kind", to_string(a.kind)).field("severity", to_string(a.severity));
  w.field("status", a.open ? "open" : "resolved");
  w.key("host");
  a.host.empty() ? w.null() : w.value(a.host);
  w.key("protocol");
  a.protocol.empty() ? w.null() : w.value(a.protocol);
  w.key("condition");
  a.condition.empty() ? w.null() : w.value(a.condition);
  w.key("direction");
  alert_direction(a.kind) ? w.value(alert_direction(a.kind)) : w.null();
  w.key("role");
  alert_role(a.kind) ? w.value(alert_role(a.kind)) : w.null();
  w.field("description", a.description);
  w.field("value", a.value)
      .field("threshold", a.threshold)
      .field("peak", a.peak)
      .field("count", a.count);
  w.field("first_seen_ms", a.first_seen_ms).field("last_seen_ms", a.last_seen_ms);
  w.field("detected_ms", a.detected_ms ? a.detected_ms : a.first_seen_ms);
  w.key("capture");  // issue 16
  a.capture.empty() ? w.null() : w.value(a.capture);
  write_victim_profile(w, a);  // issue 13 item 2
  w.key("resolved_at_ms");
  a.open ? w.null() : w.value(a.resolved_at_ms);
  w.key("resolved_by");
  a.open ? w.null() : w.value(resolved_by(a));
  w.end_object();
}

std::string alert_to_json(const Alert& a) {
  JsonWriter w;
  write_alert_json(w, a);
  return w.take();
}

}  // namespace securenet::control
