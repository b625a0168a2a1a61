#include "app/views.h"

#include "util/clock.h"

namespace securenet::control {

namespace {
constexpr const char* kParseErrorNames[] = {
    "none", "truncated_ethernet", "truncated_vlan", "too_many_vlan_tags", "truncated_arp",
    "truncated_ipv4", "bad_ipv4_version", "bad_ipv4_ihl", "bad_ipv4_total_length",
    "truncated_ipv6", "bad_ipv6_version", "bad_ipv6_payload_length", "truncated_ipv6_ext_header",
    "too_many_ipv6_ext_headers", "truncated_tcp", "bad_tcp_data_offset", "truncated_udp",
    "bad_udp_length", "truncated_icmp", "truncated_icmpv6", "truncated_igmp",
    // decapsulation and link types (issue 12)
    "truncated_mpls", "too_many_mpls_labels", "truncated_pppoe", "truncated_gre", "truncated_tunnel_header",
    "too_deep_encapsulation", "truncated_link_header", "bad_link_payload"};
static_assert(std::size(kParseErrorNames) == shm::kParseErrorCount, "one name per ParseError");
constexpr const char* kClassNames[] = {"tcp", "udp", "icmp", "igmp", "other"};
static_assert(std::size(kClassNames) == shm::kProtoClassCount, "one name per ProtoClass");

uint64_t parse_error_total(const GlobalCounters& t) {
  uint64_t n = 0;
  for (size_t i = 1; i < t.parse_errors.size(); ++i) n += t.parse_errors[i];
  return n;
}
int64_t ns_to_ms(uint64_t ns) { return static_cast<int64_t>(ns / 1000000); }

// Packets that crossed each kind of encapsulation: {"mpls": n, "pppoe": n, ...}.
void write_encapsulations(JsonWriter& w, const GlobalCounters& t) {
  w.key("encapsulations").begin_object();
  for (size_t i = 0; i < shm::kEncapCount; ++i) w.field(shm::encap_name(static_cast<shm::Encap>(i)), t.encap_packets[i]);
  w.end_object();
}
}  // namespace

const char* parse_error_name(size_t reason) { return reason < shm::kParseErrorCount ? kParseErrorNames[reason] : "unknown"; }
const char* proto_class_name(size_t cls) { return cls < shm::kProtoClassCount ? kClassNames[cls] : "other"; }

void write_host_json(JsonWriter& w, const HostView& h, const SecurityConfig& cfg) {
  w.begin_object();
  w.field("ip", ip_text(h.ip)).field("direction", cfg.internal(h.ip) ? "internal" : "external");
  w.field("packets_sent", h.packets_sent).field("bytes_sent", h.bytes_sent);
  w.field("packets_recv", h.packets_recv).field("bytes_recv", h.bytes_recv);
  w.field("pps", h.pps).field("bps", h.bps).field("syn_per_min", h.syn_per_min);
  w.field("syn_sent", h.syn_sent).field("blacklisted_packets", h.blacklisted_packets);
  w.key("protocols").begin_object();
  for (size_t i = 0; i < h.protocols.size(); ++i) w.field(kClassNames[i], h.protocols[i]);
  w.end_object();
  w.field("first_seen_ms", ns_to_ms(h.first_seen_ns)).field("last_seen_ms", ns_to_ms(h.last_seen_ns));
  w.end_object();
}

std::string App::build_metrics_json(size_t top) const {
  const Snapshot& s = *snapshot_;
  const auto& t = s.totals;
  JsonWriter w;
  w.begin_object();
  w.field("ts_ms", s.ts_ms);
  w.key("totals").begin_object();
  w.field("packets", t.packets).field("bytes", t.bytes).field("ipv4", t.ipv4_packets).field("ipv6", t.ipv6_packets);
  w.field("arp", t.arp_packets).field("fragments", t.fragments).field("tcp_syn", t.tcp_syn);
  w.field("blacklisted", t.blacklisted_packets).field("parse_errors", parse_error_total(t));
  w.field("source_drops", t.source_drops);
  w.end_object();
  w.key("rates").begin_object().field("pps", s.pps).field("bps", s.bps).end_object();
  w.field("active_hosts", s.active_hosts).field("hosts_tracked", s.hosts_tracked);
  w.field("connections_per_min", s.connections_per_min);
  auto open = alerts_.open_by_severity();
  w.key("anomalies").begin_object();
  for (int i = static_cast<int>(kSeverityCount) - 1; i >= 0; --i) w.field(to_string(static_cast<Severity>(i)), open[static_cast<size_t>(i)]);
  w.end_object();
  w.key("anomalies_raised").begin_object();
  for (int i = static_cast<int>(kSeverityCount) - 1; i >= 0; --i) w.field(to_string(static_cast<Severity>(i)), raised_[static_cast<size_t>(i)]);
  w.end_object();
  w.key("protocols").begin_object();
  for (size_t i = 0; i < t.proto_class_packets.size(); ++i) w.field(kClassNames[i], t.proto_class_packets[i]);
  w.end_object();
  w.key("parse_errors").begin_object();
  for (size_t i = 1; i < t.parse_errors.size(); ++i) w.field(kParseErrorNames[i], t.parse_errors[i]);
  w.end_object();
  write_encapsulations(w, t);
  w.key("top_talkers").begin_array();
  const auto& list = s.top[static_cast<size_t>(HostSort::kPps)];
  for (size_t i = 0; i < list.size() && i < top; ++i) {
    const auto& h = list[i];
    w.begin_object().field("ip", ip_text(h.ip)).field("pps", h.pps).field("bps", h.bps);
    w.field("packets", h.packets_sent + h.packets_recv).field("bytes", h.bytes_sent + h.bytes_recv).end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string status_json(const App& app) {
  auto snap = app.snapshot();
  const auto& d = snap->dataplane;
  const auto& t = snap->raw_totals;
  JsonWriter w;
  w.begin_object();
  w.key("dataplane").begin_object();
  w.field("state", to_string(d.state)).field("pid", d.pid).field("source", d.source);
  w.field("source_name", d.source_name).field("workers", d.workers).field("uptime_s", d.uptime_s);
  w.field("heartbeat_age_ms", d.heartbeat_age_ms);
  w.key("error");
  d.error.empty() ? w.null() : w.value(d.error);
  w.end_object();
  w.key("rates").begin_object().field("pps", snap->pps).field("bps", snap->bps).field("drops_per_s", snap->drops_per_s).end_object();
  w.key("totals").begin_object();
  w.field("packets", t.packets).field("bytes", t.bytes).field("source_drops", t.source_drops);
  w.field("parse_errors", parse_error_total(t)).field("host_table_full", t.host_table_full);
  w.field("hosts_in_table", t.hosts_in_table).field("hosts_tracked", snap->hosts_tracked);
  write_encapsulations(w, t);
  w.end_object();
  auto db = app.database();
  w.key("database").begin_object().field("state", db.state).field("spool_backlog", db.spool_backlog);
  if (!db.detail.empty()) w.field("detail", db.detail);
  w.end_object();
  w.key("control").begin_object();
  w.field("version", kVersion).field("uptime_s", app.uptime_s());
  w.field("tick_ms", static_cast<int64_t>(app.options().tick.count()));
  w.field("last_tick_duration_ms", snap->tick_duration_ms).field("event_clients", static_cast<uint64_t>(const_cast<App&>(app).hub().clients()));
  w.end_object();
  w.end_object();
  return w.take();
}

std::string history_json(const App& app, int64_t seconds) {
  JsonWriter w;
  w.begin_object().key("points").begin_array();
  int64_t since = wall_ms() - seconds * 1000;
  for (const auto& p : app.sampler().history()) {
    if (p.ts_ms < since) continue;
    w.begin_object().field("ts_ms", p.ts_ms).field("pps", p.pps).field("bps", p.bps);
    w.field("active_hosts", p.active_hosts).field("connections_per_min", p.connections_per_min).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace securenet::control
