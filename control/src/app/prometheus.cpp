// GET /metrics: Prometheus text exposition (no auth), from the latest snapshot.
#include <cstdio>
#include <string_view>

#include "app/views.h"

namespace securenet::control {

namespace {
void metric(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}
void sample(std::string& out, const std::string& name_labels, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, " %.17g\n", v);
  out += name_labels;
  out += buf;
}
}  // namespace

std::string prometheus_text(const App& app) {
  auto s = app.snapshot();
  const auto& t = s->raw_totals;
  std::string o;
  o.reserve(8192);
  // The dataplane's own counters (SECURENET_WORKER_COUNTERS): securenet_<field>_total for
  // a counter, securenet_<field> for a gauge.
  auto counter = [&o](std::string name, const char* type, const char* help, uint64_t v) {
    name = "securenet_" + name + (std::string_view(type) == "counter" ? "_total" : "");
    metric(o, name.c_str(), type, help);
    sample(o, name, static_cast<double>(v));
  };
#define SECURENET_X(member, type, api_metrics, api_status, help) \
  counter(#member, #type, help, t.member);
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
  metric(o, "securenet_pps", "gauge", "Packets per second over the last tick.");
  sample(o, "securenet_pps", s->pps);
  metric(o, "securenet_bps", "gauge", "Bits per second over the last tick.");
  sample(o, "securenet_bps", s->bps);
  metric(o, "securenet_active_hosts", "gauge", "Hosts with traffic in the last 60 s.");
  sample(o, "securenet_active_hosts", static_cast<double>(s->active_hosts));
  metric(o, "securenet_connections_per_minute", "gauge",
         "TCP SYNs (without ACK) in the last 60 s.");
  sample(o, "securenet_connections_per_minute", s->connections_per_min);
  // The named worker arrays (SECURENET_NAMED_ARRAYS): securenet_<prom>_total{<label>="<name>"}.
  auto labelled = [&o](const char* prom, const char* label, const char* help,
                       const char* const* names, size_t first, const auto& v) {
    const std::string name = std::string("securenet_") + prom + "_total";
    metric(o, name.c_str(), "counter", help);
    for (size_t i = first; i < v.size(); ++i) {
      sample(o, name + "{" + label + "=\"" + names[i] + "\"}", static_cast<double>(v[i]));
    }
  };
#define SECURENET_X(member, names, first, api_key, api_status, prom, label, help) \
  labelled(prom, label, help, names, first, t.member);
  SECURENET_NAMED_ARRAYS(SECURENET_X)
#undef SECURENET_X
  metric(o, "securenet_alerts_open", "gauge", "Open alerts by severity.");
  auto open = app.alerts().open_by_severity();
  for (size_t i = 0; i < open.size(); ++i) {
    sample(o,
           std::string("securenet_alerts_open{severity=\"") + to_string(static_cast<Severity>(i)) +
               "\"}",
           static_cast<double>(open[i]));
  }
  const auto db = app.database();
  metric(o, "securenet_spool_dropped_rows_total", "counter",
         "Rows the on-disk spool dropped (disk or bound full), by table.");
  for (const auto& [table, n] : db.spool_dropped)
    sample(o, "securenet_spool_dropped_rows_total{table=\"" + table + "\"}",
           static_cast<double>(n));
  metric(o, "securenet_spool_degraded", "gauge",
         "0 ok, 1 dropping samples/snapshots, 2 alert and config rows at risk.");
  sample(o, "securenet_spool_degraded", db.spool_degraded);
  metric(o, "securenet_dataplane_up", "gauge", "1 when the dataplane heartbeat is fresh.");
  sample(o, "securenet_dataplane_up", s->dataplane.state == DataplaneState::kUp ? 1 : 0);
  const App::InlineTotals in = app.inline_totals();  // issue 16 item 4b
  metric(o, "securenet_drop_list_entries", "gauge", "Prefixes on the inline XDP drop list.");
  sample(o, "securenet_drop_list_entries", static_cast<double>(in.entries));
  metric(o, "securenet_drop_list_dropped_packets", "gauge",
         "Packets the XDP drop list dropped, summed over the entries listed now.");
  sample(o, "securenet_drop_list_dropped_packets", static_cast<double>(in.dropped));
  counter("inline_forwarded_frames", "counter", "Frames forwarded by --inline (both directions).",
          in.forwarded);
  counter("inline_tx_errors", "counter", "Frames that could not be sent on the --inline interface.",
          in.tx_errors);
  metric(o, "securenet_tick_duration_ms", "gauge", "Time the last control tick took.");
  sample(o, "securenet_tick_duration_ms", s->tick_duration_ms);
  return o;
}

}  // namespace securenet::control
