#include "rows.h"

#include <sys/random.h>

#include <chrono>
#include <cmath>
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

// Small append-only object builder; keys are trusted literals.
class Obj {
 public:
  Obj& str(const char* k, std::string_view v) {
    key(k);
    append_json_string(out_, v);
    return *this;
  }
  Obj& opt_str(const char* k, std::string_view v) {  // "" -> null
    if (v.empty()) return raw(k, "null");
    return str(k, v);
  }
  Obj& num(const char* k, double v) {
    if (!std::isfinite(v)) return raw(k, "null");
    char b[32];
    std::snprintf(b, sizeof b, "%.17g", v);
    return raw(k, b);
  }
  Obj& num(const char* k, int64_t v) { return raw(k, std::to_string(v)); }
  Obj& time(const char* k, int64_t ms) { return str(k, iso_time(ms)); }
  Obj& raw(const char* k, std::string_view json) {
    key(k);
    out_ += json;
    return *this;
  }
  std::string done() { return out_ + "}"; }

 private:
  void key(const char* k) {
    out_ += out_.size() > 1 ? ",\"" : "\"";
    out_ += k;
    out_ += "\":";
  }
  std::string out_ = "{";
};

}  // namespace

std::string sensor_row_json(const std::string& id, const SensorInfo& s, int64_t hb_ms) {
  return Obj()
      .str("id", id)
      .str("name", s.name.empty() ? "sensor" : s.name)
      .opt_str("interface", s.interface)
      .opt_str("version", s.version)
      .time("last_heartbeat", hb_ms)
      .done();
}

std::string to_json(const AlertRow& a) {
  Obj o;
  o.str("id", a.id).str("kind", a.kind).str("severity", a.severity).str("status", a.status);
  o.opt_str("host", a.host).opt_str("protocol", a.protocol).opt_str("condition", a.condition);
  o.str("description", a.description).opt_str("resolved_by", a.resolved_by);
  o.opt_str("capture", a.capture);
  o.num("value", a.value).num("threshold", a.threshold).num("peak", a.peak);
  o.num("count", a.count).time("first_seen", a.first_seen_ms).time("last_seen", a.last_seen_ms);
  if (a.resolved_at_ms)
    o.time("resolved_at", *a.resolved_at_ms);
  else
    o.raw("resolved_at", "null");
  return o.done();
}

std::string to_json(const ConfigRow& c) {
  std::string list = "[";
  for (size_t i = 0; i < c.protocol_blacklist.size(); ++i) {
    if (i) list += ',';
    append_json_string(list, c.protocol_blacklist[i]);
  }
  list += ']';
  return Obj()
      .str("id", c.id)
      .raw("config", c.config_json.empty() ? "{}" : c.config_json)
      .num("traffic_threshold", c.traffic_threshold)
      .num("connection_rate", c.connection_rate)
      .raw("protocol_blacklist", list)
      .time("created_at", c.created_ms ? c.created_ms : wall_ms())
      .done();
}

std::string to_json(const AuditRow& a) {
  return Obj()
      .str("id", a.id)
      .time("at", a.at_ms ? a.at_ms : wall_ms())
      .opt_str("actor_id", a.actor_id)
      .opt_str("actor_email", a.actor_email)
      .opt_str("source_addr", a.source_addr)
      .str("action", a.action)
      .raw("details", a.details_json.empty() ? "{}" : a.details_json)
      .done();
}

std::string to_json(const MetricsRow& m) {
  return Obj()
      .str("id", m.id)
      .time("ts", m.ts_ms ? m.ts_ms : wall_ms())
      .num("total_packets", static_cast<int64_t>(m.total_packets))
      .num("total_bytes", static_cast<int64_t>(m.total_bytes))
      .num("pps", m.pps)
      .num("bps", m.bps)
      .num("active_hosts", m.active_hosts)
      .num("connections_per_min", m.connections_per_min)
      .raw("anomalies", m.anomalies_json.empty() ? "{}" : m.anomalies_json)
      .raw("protocols", m.protocols_json.empty() ? "{}" : m.protocols_json)
      .done();
}

std::string to_json(const PacketRow& p) {
  return Obj()
      .str("id", p.id)
      .time("ts", p.ts_ms)
      .opt_str("src", p.src)
      .opt_str("dst", p.dst)
      .num("sport", int64_t{p.sport})
      .num("dport", int64_t{p.dport})
      .opt_str("protocol", p.protocol)
      .num("length", int64_t{p.length})
      .num("flags", int64_t{p.flags})
      .done();
}

}  // namespace securenet::store
