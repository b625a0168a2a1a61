#include "persist/store_sink.h"

#include "config/protocols.h"
#include "config/security_config.h"
#include "rows.h"
#include "securenet/common/clock.h"
#include "securenet/common/uuid.h"
#include "securenet/shm_reader.h"

namespace securenet::store {

namespace {

std::string protocols_json(const GlobalCounters& t) {
  std::string j = "{";
  for (size_t i = 0; i < shm::kProtoClassCount; ++i) {
    j += (i ? ",\"" : "\"") + std::string(shm::kProtoClassNames[i]) +
         "\":" + std::to_string(t.proto_class_packets[i]);
  }
  return j + "}";
}

}  // namespace

void StoreSink::on_alert_changed(const control::Alert& a) {
  AlertRow r;
  r.id = a.id;
  r.kind = control::to_string(a.kind);
  r.severity = control::to_string(a.severity);
  r.status = a.open ? "open" : "resolved";
  r.host = a.host;
  r.protocol = a.protocol;
  r.condition = a.condition;
  if (!a.open) r.resolved_by = control::resolved_by(a);
  r.description = a.condition.empty() ? a.description : a.condition + ": " + a.description;
  r.value = a.value;
  r.threshold = a.threshold;
  r.peak = a.peak;
  r.count = static_cast<int64_t>(a.count);
  r.first_seen_ms = a.first_seen_ms;
  r.last_seen_ms = a.last_seen_ms;
  if (!a.open) r.resolved_at_ms = a.resolved_at_ms;
  r.capture = a.capture;
  if (a.detected_ms) r.detected_ms = a.detected_ms;
  const char* role = control::alert_role(a.kind);
  r.victim = role && std::string_view(role) == "victim";
  if (r.victim) {  // issue 13 item 2: the victim's profile (the row builder caps it)
    r.attack_type = a.attack_type;
    r.profile_samples = a.profile_samples;
    for (const auto& s : a.top_sources) r.top_sources.push_back({s.ip, s.packets});
    for (const auto& b : a.breakdown)
      r.breakdown.push_back({b.protocol, b.src_port, b.dst_port, b.packets});
  }
  writer_.enqueue(Table::alerts, a.id, to_json(r));
}

void StoreSink::on_config_changed(const control::SecurityConfig& c, const std::string& config_json,
                                  const std::string&) {
  // Rows belong to the sensor's owner (the writer's default user_id); who changed it is in
  // the API's own logs.
  ConfigRow r;
  r.id = new_uuid();
  r.config_json = config_json;
  r.traffic_threshold = c.traffic_threshold_pps;
  r.connection_rate = c.connection_rate_per_min;
  for (const auto& e : c.protocol_blacklist) r.protocol_blacklist.push_back(e.label);
  r.created_ms = c.updated_at_ms ? c.updated_at_ms : wall_ms();
  writer_.enqueue(Table::configs, r.id, to_json(r));
}

void StoreSink::on_metrics_snapshot(const control::Snapshot& s) {
  if (last_metrics_ms_ && s.ts_ms - last_metrics_ms_ < opts_.metrics_every_ms) return;
  last_metrics_ms_ = s.ts_ms;
  MetricsRow m;
  m.id = new_uuid();
  m.ts_ms = s.ts_ms;
  m.total_packets = s.totals.packets;
  m.total_bytes = s.totals.bytes;
  m.pps = s.pps;
  m.bps = s.bps;
  m.active_hosts = static_cast<int64_t>(s.active_hosts);
  m.connections_per_min = s.connections_per_min;
  const auto& by_sev = s.open_alerts;  // the AlertStore's, carried by the snapshot
  m.anomalies_json = "{";
  for (size_t i = control::kSeverityCount; i-- > 0;) {
    m.anomalies_json += std::string("\"") + control::to_string(static_cast<control::Severity>(i)) +
                        "\":" + std::to_string(by_sev[i]) + (i ? "," : "}");
  }
  m.protocols_json = protocols_json(s.totals);
  writer_.enqueue(Table::metrics, m.id, to_json(m));
}

void StoreSink::on_packet_samples(const std::vector<shm::SampleRecord>& samples) {
  // A replayed capture carries its recording times; rows are partitioned by time around
  // now, so a packet time more than an hour off the clock is stored as "seen now".
  constexpr int64_t kSkewMs = 3600 * 1000;
  const int64_t now = samples.empty() ? 0 : wall_ms();
  for (const auto& rec : samples) {
    PacketRow p;
    p.id = new_uuid();
    p.ts_ms = static_cast<int64_t>(shm::read(rec.ts_ns) / 1000000);
    if (p.ts_ms < now - kSkewMs || p.ts_ms > now + kSkewMs) p.ts_ms = now;
    p.src = ip_text(rec.src);
    p.dst = ip_text(rec.dst);
    p.sport = rec.sport;
    p.dport = rec.dport;
    const char* name = control::ip_proto_name(rec.ip_proto);
    p.protocol = name ? name : std::to_string(rec.ip_proto);
    p.length = static_cast<int>(rec.wire_len);
    p.flags = rec.tcp_flags;
    // Over the writer's per-second cap the row is dropped and counted (packets only).
    if (!writer_.enqueue(Table::packets, p.id, to_json(p))) continue;
  }
}

void StoreSink::on_audit(const control::AuditEvent& e) {
  AuditRow r;
  r.id = new_uuid();
  r.action = e.action;
  r.actor_id = e.actor_id;
  r.actor_email = e.actor_email;
  r.source_addr = e.source;
  r.details_json = e.details_json;
  r.at_ms = e.at_ms ? e.at_ms : wall_ms();
  writer_.enqueue(Table::audit, r.id, to_json(r));
}

control::DatabaseState StoreSink::state() const {
  const auto s = writer_.status();
  control::DatabaseState d;
  d.state = db_state_name(s.state);
  d.spool_backlog = s.spool_rows + s.queue_depth;
  d.detail = s.last_error;
  for (int i = 0; i < kTableCount; ++i)
    d.spool_dropped.emplace_back(std::string(table_name(static_cast<Table>(i))),
                                 s.spool_dropped[i]);
  d.spool_disk_free_bytes = s.disk_free_bytes;
  d.spool_reserve_in_use = s.reserve_in_use;
  d.spool_degraded = s.spool_degraded;
  return d;
}

}  // namespace securenet::store
