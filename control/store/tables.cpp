#include "tables.h"

namespace securenet::store {

std::string_view table_name(Table t) {
  switch (t) {
    case Table::sensors:
      return "sensors";
    case Table::configs:
      return "network_configs";
    case Table::alerts:
      return "network_alerts";
    case Table::metrics:
      return "network_metrics";
    case Table::packets:
      return "network_packets";
    case Table::audit:
      return "audit_log";
  }
  return "?";
}

std::optional<Table> table_from_index(int i) {
  if (i < 0 || i >= kTableCount) return std::nullopt;
  return static_cast<Table>(i);
}

bool table_updates_on_conflict(Table t) { return t == Table::alerts || t == Table::sensors; }

// Shared pieces: the owner and sensor default to the writer's configured ones.
#define SN_USER "coalesce(r.user_id, nullif($2, '')::uuid)"
#define SN_SENSOR "coalesce(r.sensor_id, nullif($3, '')::uuid)"
#define SN_SENSOR_ID "nullif($3, '')::uuid"

static constexpr std::string_view kSensors =
    "insert into public.sensors (id, user_id, name, interface, version, last_heartbeat, "
    "created_at) "
    "select coalesce(r.id, " SN_SENSOR_ID "), " SN_USER
    ", coalesce(r.name, 'sensor'), "
    "r.interface, r.version, "
    "r.last_heartbeat, coalesce(r.created_at, now()) "
    "from json_populate_recordset(null::public.sensors, $1::json) r "
    "on conflict (id) do update set name = excluded.name, interface = excluded.interface, "
    "version = excluded.version, last_heartbeat = greatest(public.sensors.last_heartbeat, "
    "excluded.last_heartbeat)";

static constexpr std::string_view kConfigs =
    "insert into public.network_configs (id, user_id, sensor_id, config, traffic_threshold, "
    "connection_rate, protocol_blacklist, created_at) "
    "select r.id, " SN_USER ", " SN_SENSOR
    ", coalesce(r.config, '{}'::jsonb), "
    "r.traffic_threshold, r.connection_rate, coalesce(r.protocol_blacklist, '{}'), "
    "coalesce(r.created_at, now()) "
    "from json_populate_recordset(null::public.network_configs, $1::json) r "
    "on conflict (id) do nothing";

static constexpr std::string_view kAlerts =
    "insert into public.network_alerts as a (id, user_id, sensor_id, kind, severity, status, "
    "host, protocol, condition, description, value, threshold, peak, count, first_seen, "
    "last_seen, resolved_at, resolved_by, created_at, updated_at, capture, detected_at, "
    "attack_type, profile_samples, top_sources, breakdown) "
    "select r.id, " SN_USER ", " SN_SENSOR
    ", r.kind, r.severity, "
    "case when r.dup then 'resolved' else coalesce(r.status, 'open') end, "
    "r.host, r.protocol, r.condition, r.description, r.value, r.threshold, r.peak, "
    "coalesce(r.count, 1), coalesce(r.first_seen, now()), "
    "coalesce(r.last_seen, r.first_seen, now()), "
    "case when r.dup then coalesce(r.last_seen, now()) else r.resolved_at end, "
    "case when r.dup then 'superseded' else r.resolved_by end, "
    "coalesce(r.created_at, now()), now(), r.capture, r.detected_at, "
    "r.attack_type, r.profile_samples, r.top_sources, r.breakdown "
    // Of several open rows of one key in one statement only the newest stays open (the
    // partial unique index of migration 0011 would refuse the others).
    "from (select r.*, coalesce(r.status, 'open') = 'open' and row_number() over ("
    "partition by coalesce(r.host, ''), r.kind, coalesce(r.condition, ''), "
    "coalesce(r.status, 'open') order by r.last_seen desc nulls last, r.id desc) > 1 as dup "
    "from json_populate_recordset(null::public.network_alerts, $1::json) r) r "
    "on conflict (id) do update set severity = excluded.severity, status = excluded.status, "
    "description = excluded.description, value = excluded.value, "
    "threshold = excluded.threshold, peak = excluded.peak, count = excluded.count, "
    "last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, "
    "resolved_by = excluded.resolved_by, updated_at = now(), "
    "capture = coalesce(excluded.capture, a.capture), "
    "detected_at = coalesce(a.detected_at, excluded.detected_at), "  // the first detection stays
    // A victim's last profile stays when an update has none (issue 13 item 2).
    "attack_type = coalesce(excluded.attack_type, a.attack_type), "
    "profile_samples = coalesce(excluded.profile_samples, a.profile_samples), "
    "top_sources = coalesce(excluded.top_sources, a.top_sources), "
    "breakdown = coalesce(excluded.breakdown, a.breakdown) "
    "where a.last_seen <= excluded.last_seen";

// Before the alert upsert, in its transaction: an open row of the same (sensor, host, kind,
// condition) under another id (left open by a run that could not adopt it, e.g. started
// while the database was down) is closed as superseded, so the partial unique index of
// migration 0011 never refuses the new row.
static constexpr std::string_view kAlertsSupersede =
    "update public.network_alerts a set status = 'resolved', resolved_by = 'superseded', "
    "resolved_at = now(), updated_at = now() "
    "from json_populate_recordset(null::public.network_alerts, $1::json) r "
    "where a.status = 'open' and coalesce(r.status, 'open') = 'open' and a.id <> r.id "
    "and coalesce(a.sensor_id, '00000000-0000-0000-0000-000000000000'::uuid) = "
    "coalesce(r.sensor_id, nullif($3, '')::uuid, '00000000-0000-0000-0000-000000000000'::uuid) "
    "and coalesce(a.host, '') = coalesce(r.host, '') and a.kind = r.kind "
    "and coalesce(a.condition, '') = coalesce(r.condition, '') "
    "and not exists (select 1 from json_populate_recordset(null::public.network_alerts, "
    "$1::json) s where s.id = a.id) and $2::text = $2::text";

std::string_view pre_upsert_sql(Table t) {
  return t == Table::alerts ? kAlertsSupersede : std::string_view{};
}

static constexpr std::string_view kMetrics =
    "insert into public.network_metrics (id, user_id, sensor_id, ts, total_packets, "
    "total_bytes, pps, bps, active_hosts, connections_per_min, anomalies, protocols, "
    "created_at) "
    "select r.id, " SN_USER ", " SN_SENSOR
    ", coalesce(r.ts, now()), "
    "coalesce(r.total_packets, 0), coalesce(r.total_bytes, 0), coalesce(r.pps, 0), "
    "coalesce(r.bps, 0), coalesce(r.active_hosts, 0), coalesce(r.connections_per_min, 0), "
    "coalesce(r.anomalies, '{}'::jsonb), coalesce(r.protocols, '{}'::jsonb), "
    "coalesce(r.created_at, now()) "
    "from json_populate_recordset(null::public.network_metrics, $1::json) r "
    "on conflict (id) do nothing";

static constexpr std::string_view kPackets =
    "insert into public.network_packets (id, user_id, sensor_id, ts, src, dst, sport, dport, "
    "protocol, length, flags, created_at) "
    "select r.id, " SN_USER ", " SN_SENSOR
    ", r.ts, r.src, r.dst, r.sport, r.dport, "
    "r.protocol, r.length, r.flags, coalesce(r.created_at, now()) "
    "from json_populate_recordset(null::public.network_packets, $1::json) r "
    "on conflict (id, ts) do nothing";

static constexpr std::string_view kAudit =
    "insert into public.audit_log (id, user_id, sensor_id, at, actor_id, actor_email, "
    "source_addr, action, details) "
    "select r.id, " SN_USER ", " SN_SENSOR
    ", coalesce(r.at, now()), r.actor_id, "
    "r.actor_email, r.source_addr, r.action, coalesce(r.details, '{}'::jsonb) "
    "from json_populate_recordset(null::public.audit_log, $1::json) r "
    "on conflict (id) do nothing";

#undef SN_USER
#undef SN_SENSOR
#undef SN_SENSOR_ID

std::string_view upsert_sql(Table t) {
  switch (t) {
    case Table::sensors:
      return kSensors;
    case Table::configs:
      return kConfigs;
    case Table::alerts:
      return kAlerts;
    case Table::metrics:
      return kMetrics;
    case Table::packets:
      return kPackets;
    case Table::audit:
      return kAudit;
  }
  return {};
}

}  // namespace securenet::store
