#include "notify/messages.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdio>
#include <ctime>

#include "app/app.h"  // kVersion
#include "securenet/common/json_writer.h"

namespace securenet::control {

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

// "opened" of "alert.opened".
std::string_view verb(const Notification& n) {
  std::string_view e = n.event;
  auto dot = e.find('.');
  return dot == std::string_view::npos ? e : e.substr(dot + 1);
}

std::string rfc3339_ms(int64_t ms) {
  time_t s = static_cast<time_t>(ms / 1000);
  tm t{};
  gmtime_r(&s, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// RFC 5424 header fields: printable US-ASCII without spaces, 1..max characters, else "-".
std::string header_field(std::string_view s, size_t max) {
  std::string out;
  for (char c : s)
    if (c > 32 && c < 127 && out.size() < max) out += c;
  return out.empty() ? "-" : out;
}

void ext(std::string& out, std::string_view key, std::string_view value) {
  if (!out.empty()) out += ' ';
  out.append(key).append("=").append(cef_value_escape(value));
}

}  // namespace

std::string notification_text(const Notification& n) {
  const Alert& a = n.alert;
  std::string t = "[" + std::string(to_string(a.severity)) + "] " + to_string(a.kind) + " " +
                  std::string(verb(n)) + " on " + n.sensor;
  if (!a.host.empty()) {
    t += ": " + a.host;
    if (const char* role = alert_role(a.kind)) t += std::string(" (") + role + ")";
  }
  t += ", value " + num(a.value) + " (threshold " + num(a.threshold) + ")";
  if (!a.description.empty()) t += " - " + a.description;
  return t;
}

std::string webhook_body(const Notification& n) {
  JsonWriter w;
  w.begin_object().field("event", n.event).field("delivery_id", n.delivery_id);
  w.field("time_ms", n.time_ms).field("sensor", n.sensor);
  w.key("alert");
  write_alert_json(w, n.alert);
  w.field("text", notification_text(n)).end_object();
  return w.take();
}

std::string webhook_signature(std::string_view key, std::string_view body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), md, &len);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string cef_header_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '|') out += '\\';
    out += (c == '\r' || c == '\n') ? ' ' : c;
  }
  return out;
}

std::string cef_value_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '=') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

int cef_severity(Severity s) {
  switch (s) {
    case Severity::kLow:
      return 3;
    case Severity::kMedium:
      return 5;
    case Severity::kHigh:
      return 8;
    case Severity::kCritical:
      return 10;
  }
  return 5;
}

std::string cef_message(const Notification& n) {
  const Alert& a = n.alert;
  std::string head =
      "CEF:0|SecureNet|Sensor|" + cef_header_escape(kVersion) + "|" +
      cef_header_escape(to_string(a.kind)) + "|" +
      cef_header_escape(std::string(to_string(a.kind)) + " alert " + std::string(verb(n))) + "|" +
      std::to_string(cef_severity(a.severity)) + "|";
  std::string e;
  ext(e, "rt", std::to_string(n.time_ms));
  ext(e, "dvchost", n.sensor);
  ext(e, "externalId", a.id);
  ext(e, "cat", to_string(a.kind));
  ext(e, "act", verb(n));
  if (!a.host.empty()) {
    bool v6 = a.host.find(':') != std::string::npos;
    bool victim = alert_role(a.kind) && std::string_view(alert_role(a.kind)) == "victim";
    ext(e, v6 ? (victim ? "c6a3" : "c6a2") : (victim ? "dst" : "src"), a.host);
    if (v6) ext(e, victim ? "c6a3Label" : "c6a2Label", victim ? "victim" : "attacker");
  }
  if (!a.protocol.empty()) {
    ext(e, "cs1Label", "protocol");
    ext(e, "cs1", a.protocol);
  }
  if (!a.condition.empty()) {
    ext(e, "cs2Label", "condition");
    ext(e, "cs2", a.condition);
  }
  ext(e, "cfp1Label", "value");
  ext(e, "cfp1", num(a.value));
  ext(e, "cfp2Label", "threshold");
  ext(e, "cfp2", num(a.threshold));
  ext(e, "cfp3Label", "peak");
  ext(e, "cfp3", num(a.peak));
  ext(e, "cnt", std::to_string(a.count));
  ext(e, "start", std::to_string(a.first_seen_ms));
  if (!a.open) ext(e, "end", std::to_string(a.resolved_at_ms));
  ext(e, "msg", a.description.substr(0, 1024));
  return head + e;
}

std::string syslog_line(const Notification& n, unsigned facility, std::string_view hostname,
                        int64_t pid) {
  int sev = 6;  // informational: a resolve
  if (n.event != "alert.resolved") {
    static const int by_severity[] = {5, 4, 3, 2};  // notice, warning, err, crit
    sev = by_severity[static_cast<size_t>(n.alert.severity)];
  }
  return "<" + std::to_string(facility * 8 + static_cast<unsigned>(sev)) + ">1 " +
         rfc3339_ms(n.time_ms) + " " + header_field(hostname, 255) + " securenet " +
         std::to_string(pid) + " " + header_field(n.event, 32) + " - " + cef_message(n);
}

std::vector<std::string> exec_args(const Notification& n) {
  const Alert& a = n.alert;
  if (a.host.empty()) return {};
  std::string action = n.event == "alert.opened"     ? "ban"
                       : n.event == "alert.resolved" ? "unban"
                                                     : "";
  if (action.empty()) return {};
  const char* role = alert_role(a.kind);
  std::string dir = !role ? "other" : std::string_view(role) == "victim" ? "incoming" : "outgoing";
  char pps[32];
  std::snprintf(pps, sizeof pps, "%.0f", a.value < 0 ? 0 : a.value);
  return {a.host, dir, pps, action};
}

}  // namespace securenet::control
