#include "report.h"

#include <time.h>

#include "securenet/common/json_writer.h"

namespace securenet::analyze {
namespace {

std::string utc(int64_t ms) {
  const time_t t = static_cast<time_t>(ms / 1000);
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d.%03d", parts.tm_year + 1900,
                parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string what(const control::Alert& a) {
  if (!a.protocol.empty()) return a.protocol;
  return a.condition;
}

}  // namespace

std::string event_line(const char* event, const control::Alert& a) {
  JsonWriter w;
  w.begin_object().field("event", event).key("alert").raw(control::alert_to_json(a)).end_object();
  return w.take();
}

std::string summary_line(const AnalyzeSummary& s) {
  JsonWriter w;
  w.begin_object().field("event", "summary").field("packets", s.packets).field("bytes", s.bytes);
  w.field("parse_errors", s.parse_errors).field("host_table_full", s.host_table_full);
  w.field("first_ns", s.first_ns).field("last_ns", s.last_ns).field("ticks", s.ticks);
  w.field("alerts", static_cast<uint64_t>(s.alerts.size())).field("seconds", s.seconds);
  w.end_object();
  return w.take();
}

void print_summary(const AnalyzeSummary& s, std::FILE* out) {
  const double span =
      s.last_ns > s.first_ns ? static_cast<double>(s.last_ns - s.first_ns) / 1e9 : 0;
  std::fprintf(out, "\n%llu packets, %llu bytes, %.1f s of packet time analysed in %.2f s",
               (unsigned long long)s.packets, (unsigned long long)s.bytes, span, s.seconds);
  if (s.seconds > 0 && span > 0) std::fprintf(out, " (%.0fx real time)", span / s.seconds);
  std::fprintf(out,
               "\n%llu parse errors, %llu packets not counted per host (table full), %llu ticks\n",
               (unsigned long long)s.parse_errors, (unsigned long long)s.host_table_full,
               (unsigned long long)s.ticks);
  std::fprintf(out, "%zu alerts\n", s.alerts.size());
  if (s.alerts.empty()) return;
  std::fprintf(out, "%-24s %-8s %-28s %-23s %-23s %8s %12s %s\n", "kind", "severity", "host",
               "first_seen (UTC)", "last_seen (UTC)", "count", "peak", "protocol/condition");
  for (const auto& a : s.alerts) {
    std::fprintf(out, "%-24s %-8s %-28s %-23s %-23s %8llu %12.1f %s%s\n",
                 control::to_string(a.kind), control::to_string(a.severity),
                 a.host.empty() ? "-" : a.host.c_str(), utc(a.first_seen_ms).c_str(),
                 utc(a.last_seen_ms).c_str(), (unsigned long long)a.count, a.peak, what(a).c_str(),
                 a.open ? " (open at the end)" : "");
  }
}

}  // namespace securenet::analyze
