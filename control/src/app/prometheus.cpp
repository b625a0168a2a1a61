// GET /metrics: Prometheus text exposition (no auth), from the latest snapshot.
#include <cstdio>

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
  o.reserve(4096);
  metric(o, "securenet_packets_total", "counter", "Packets seen by the dataplane.");
  sample(o, "securenet_packets_total", static_cast<double>(t.packets));
  metric(o, "securenet_bytes_total", "counter", "Bytes seen by the dataplane.");
  sample(o, "securenet_bytes_total", static_cast<double>(t.bytes));
  metric(o, "securenet_pps", "gauge", "Packets per second over the last tick.");
  sample(o, "securenet_pps", s->pps);
  metric(o, "securenet_bps", "gauge", "Bits per second over the last tick.");
  sample(o, "securenet_bps", s->bps);
  metric(o, "securenet_active_hosts", "gauge", "Hosts with traffic in the last 60 s.");
  sample(o, "securenet_active_hosts", static_cast<double>(s->active_hosts));
  metric(o, "securenet_connections_per_minute", "gauge", "TCP SYNs (without ACK) in the last 60 s.");
  sample(o, "securenet_connections_per_minute", s->connections_per_min);
  metric(o, "securenet_source_drops_total", "counter", "Packets the packet source lost.");
  sample(o, "securenet_source_drops_total", static_cast<double>(t.source_drops));
  metric(o, "securenet_host_table_full_total", "counter", "Host updates that found no table slot.");
  sample(o, "securenet_host_table_full_total", static_cast<double>(t.host_table_full));
  metric(o, "securenet_parse_errors_total", "counter", "Packets the parser rejected, by reason.");
  for (size_t i = 1; i < t.parse_errors.size(); ++i) {
    sample(o, std::string("securenet_parse_errors_total{reason=\"") + parse_error_name(i) + "\"}",
           static_cast<double>(t.parse_errors[i]));
  }
  metric(o, "securenet_encapsulated_packets_total", "counter",
         "Packets that crossed an encapsulation (MPLS, PPPoE, GRE, ERSPAN, VXLAN, GENEVE, GTP-U, IP-in-IP, Teredo).");
  for (size_t i = 0; i < t.encap_packets.size(); ++i) {
    sample(o, std::string("securenet_encapsulated_packets_total{encap=\"") +
                  shm::encap_name(static_cast<shm::Encap>(i)) + "\"}",
           static_cast<double>(t.encap_packets[i]));
  }
  metric(o, "securenet_protocol_packets_total", "counter", "Packets by protocol class.");
  for (size_t i = 0; i < t.proto_class_packets.size(); ++i) {
    sample(o, std::string("securenet_protocol_packets_total{class=\"") + proto_class_name(i) + "\"}",
           static_cast<double>(t.proto_class_packets[i]));
  }
  metric(o, "securenet_alerts_open", "gauge", "Open alerts by severity.");
  auto open = app.alerts().open_by_severity();
  for (size_t i = 0; i < open.size(); ++i) {
    sample(o, std::string("securenet_alerts_open{severity=\"") + to_string(static_cast<Severity>(i)) + "\"}",
           static_cast<double>(open[i]));
  }
  metric(o, "securenet_dataplane_up", "gauge", "1 when the dataplane heartbeat is fresh.");
  sample(o, "securenet_dataplane_up", s->dataplane.state == DataplaneState::kUp ? 1 : 0);
  metric(o, "securenet_tick_duration_ms", "gauge", "Time the last control tick took.");
  sample(o, "securenet_tick_duration_ms", s->tick_duration_ms);
  return o;
}

}  // namespace securenet::control
