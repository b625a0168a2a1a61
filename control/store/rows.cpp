#include "rows.h"

#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <regex>

#include "securenet/common/clock.h"
#include "securenet/common/uuid.h"

namespace securenet::store {

std::string load_or_create_sensor_id(const std::string& state_dir) {
  static const std::regex uuid_re("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  const std::string path = state_dir + "/sensor-id";
  std::string id;
  if (std::ifstream in(path); in >> id && std::regex_match(id, uuid_re)) return id;
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  id = new_uuid();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << id << "\n")) return "";
  }
  std::filesystem::rename(tmp, path, ec);
  return ec ? "" : id;
}

std::string iso_time(int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  const int frac = static_cast<int>(ms - static_cast<int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

namespace {

// The rows' two conventions on top of the common JsonWriter: "" is stored as null, and times are
// ISO-8601 UTC strings with milliseconds.
JsonWriter& opt_str(JsonWriter& w, std::string_view k, std::string_view v) {
  w.key(k);
  return v.empty() ? w.null() : w.value(v);
}
JsonWriter& time_field(JsonWriter& w, std::string_view k, int64_t ms) {
  return w.field(k, iso_time(ms));
}
// A pre-serialised JSON object column, "{}" when empty.
JsonWriter& object_field(JsonWriter& w, std::string_view k, const std::string& json) {
  w.key(k);
  return w.raw(json.empty() ? "{}" : json);
}

void victim_fields(JsonWriter& w, const AlertRow& a) {
  if (!a.victim) {
    for (const char* k : {"attack_type", "profile_samples", "top_sources", "breakdown"})
      w.key(k).null();
    return;
  }
  opt_str(w, "attack_type", profile_text(a.attack_type));
  w.field("profile_samples",
          static_cast<int64_t>(std::min<uint64_t>(a.profile_samples, INT64_MAX)));
  auto count = [](uint64_t n) { return static_cast<int64_t>(std::min<uint64_t>(n, INT64_MAX)); };
  auto port = [&w](std::string_view k, int32_t p) {
    w.key(k);
    p >= 0 && p <= 65535 ? w.value(static_cast<int64_t>(p)) : w.null();
  };
  w.key("top_sources").begin_array();
  for (size_t i = 0; i < a.top_sources.size() && i < kMaxProfileEntries; ++i) {
    const auto& s = a.top_sources[i];
    w.begin_object().field("ip", profile_text(s.ip)).field("packets", count(s.packets));
    w.end_object();
  }
  w.end_array();
  w.key("breakdown").begin_array();
  for (size_t i = 0; i < a.breakdown.size() && i < kMaxProfileEntries; ++i) {
    const auto& b = a.breakdown[i];
    w.begin_object().field("protocol", profile_text(b.protocol));
    port("src_port", b.src_port);
    port("dst_port", b.dst_port);
    w.field("packets", count(b.packets)).end_object();
  }
  w.end_array();
}

}  // namespace

std::string profile_text(std::string_view text) {
  std::string out(text.substr(0, kMaxProfileText));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';  // printable ASCII only (signed char: >0x7f is < 0)
  }
  return out;
}

std::string sensor_row_json(const std::string& id, const SensorInfo& s, int64_t hb_ms) {
  JsonWriter w;
  w.begin_object().field("id", id).field("name", s.name.empty() ? "sensor" : s.name);
  opt_str(w, "interface", s.interface);
  opt_str(w, "version", s.version);
  time_field(w, "last_heartbeat", hb_ms);
  return w.end_object().take();
}

std::string to_json(const AlertRow& a) {
  JsonWriter w;
  w.begin_object().field("id", a.id).field("kind", a.kind).field("severity", a.severity);
  w.field("status", a.status);
  opt_str(w, "host", a.host);
  opt_str(w, "protocol", a.protocol);
  opt_str(w, "condition", a.condition);
  w.field("description", a.description);
  opt_str(w, "resolved_by", a.resolved_by);
  opt_str(w, "capture", a.capture);
  w.field("value", a.value).field("threshold", a.threshold).field("peak", a.peak);
  w.field("count", a.count);
  time_field(w, "first_seen", a.first_seen_ms);
  time_field(w, "last_seen", a.last_seen_ms);
  if (a.resolved_at_ms)
    time_field(w, "resolved_at", *a.resolved_at_ms);
  else
    w.key("resolved_at").null();
  if (a.detected_ms)
    time_field(w, "detected_at", *a.detected_ms);
  else
    w.key("detected_at").null();
  victim_fields(w, a);
  return w.end_object().take();
}

std::string to_json(const ConfigRow& c) {
  JsonWriter w;
  w.begin_object().field("id", c.id);
  object_field(w, "config", c.config_json);
  w.field("traffic_threshold", c.traffic_threshold).field("connection_rate", c.connection_rate);
  w.key("protocol_blacklist").begin_array();
  for (const auto& p : c.protocol_blacklist) w.value(p);
  w.end_array();
  time_field(w, "created_at", c.created_ms ? c.created_ms : wall_ms());
  return w.end_object().take();
}

std::string to_json(const AuditRow& a) {
  JsonWriter w;
  w.begin_object().field("id", a.id);
  time_field(w, "at", a.at_ms ? a.at_ms : wall_ms());
  opt_str(w, "actor_id", a.actor_id);
  opt_str(w, "actor_email", a.actor_email);
  opt_str(w, "source_addr", a.source_addr);
  w.field("action", a.action);
  object_field(w, "details", a.details_json);
  return w.end_object().take();
}

std::string to_json(const MetricsRow& m) {
  JsonWriter w;
  w.begin_object().field("id", m.id);
  time_field(w, "ts", m.ts_ms ? m.ts_ms : wall_ms());
  w.field("total_packets", static_cast<int64_t>(m.total_packets));
  w.field("total_bytes", static_cast<int64_t>(m.total_bytes));
  w.field("pps", m.pps).field("bps", m.bps).field("active_hosts", m.active_hosts);
  w.field("connections_per_min", m.connections_per_min);
  object_field(w, "anomalies", m.anomalies_json);
  object_field(w, "protocols", m.protocols_json);
  return w.end_object().take();
}

std::string to_json(const PacketRow& p) {
  JsonWriter w;
  w.begin_object().field("id", p.id);
  time_field(w, "ts", p.ts_ms);
  opt_str(w, "src", p.src);
  opt_str(w, "dst", p.dst);
  w.field("sport", int64_t{p.sport}).field("dport", int64_t{p.dport});
  opt_str(w, "protocol", p.protocol);
  w.field("length", int64_t{p.length}).field("flags", int64_t{p.flags});
  return w.end_object().take();
}

}  // namespace securenet::store
