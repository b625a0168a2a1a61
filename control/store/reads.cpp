#include "reads.h"

#include <algorithm>

namespace securenet::store {

namespace {

// One text value from a query run as the user.
Result<std::string> user_text(Session& s, const std::string& claims, const std::string& sql,
                              auto... params) {
  return s.run([&](pqxx::connection& c) {
    return with_user_tx(c, claims, [&](pqxx::work& tx) {
      return tx.exec_params(sql, params...)[0][0].template as<std::string>();
    });
  });
}

#define SN_MS(col) "(extract(epoch from " col ") * 1000)::bigint"
// ?sensor=: "" = every sensor of the caller (row-level security already limits to them).
#define SN_SENSOR_IS(p) "(" p "::text = '' or sensor_id = nullif(" p ", '')::uuid)"

}  // namespace

Result<std::string> list_alerts_json(Session& s, const std::string& claims, const AlertQuery& q) {
  static const std::string sql =
      "select json_build_object('alerts', coalesce(json_agg(a order by a.last_seen_ms desc, a.id), '[]'::json))::text from ("
      " select id, sensor_id, kind, severity, status, host, protocol, description, value, threshold,"
      " peak, count, " SN_MS("first_seen") " as first_seen_ms, " SN_MS("last_seen")
      " as last_seen_ms, " SN_MS("resolved_at") " as resolved_at_ms, "
      SN_MS("coalesce(detected_at, first_seen)") " as detected_ms,"
      " attack_type, profile_samples, top_sources, breakdown"
      " from public.network_alerts where user_id = (select auth.uid())"
      " and ($2::text = '' or severity = $2::text) and ($3::text = '' or status = $3::text)"
      " and " SN_SENSOR_IS("$4") " order by last_seen desc, id limit $1::int) a";
  return user_text(s, claims, sql, std::clamp(q.limit, 1, 1000), q.severity, q.status, q.sensor_id);
}

Result<std::string> latest_config_json(Session& s, const std::string& claims) {
  static const std::string sql =
      "select coalesce((select config from public.network_configs"
      " where user_id = (select auth.uid()) order by created_at desc, id limit 1)::text,"
      " 'null')";
  return user_text(s, claims, sql);
}

Result<std::string> config_history_json(Session& s, const std::string& claims, int limit,
                                        const std::string& sensor_id) {
  static const std::string sql =
      "select json_build_object('configs', coalesce(json_agg(c order by c.created_at_ms desc, c.id), '[]'::json))::text from ("
      " select id, " SN_MS("created_at") " as created_at_ms, config"
      " from public.network_configs where user_id = (select auth.uid())"
      " and " SN_SENSOR_IS("$2") " order by created_at desc, id limit $1::int) c";
  return user_text(s, claims, sql, std::clamp(limit, 1, 1000), sensor_id);
}

Result<std::string> metrics_history_json(Session& s, const std::string& claims, int64_t seconds,
                                         const std::string& sensor_id) {
  static const std::string sql =
      "select json_build_object('points', coalesce(json_agg(m order by m.ts_ms), '[]'::json))"
      "::text from (select " SN_MS("ts") " as ts_ms, total_packets, total_bytes, pps, bps,"
      " active_hosts, connections_per_min from public.network_metrics"
      " where user_id = (select auth.uid()) and ts >= now() - make_interval(secs => $1::float8)"
      " and " SN_SENSOR_IS("$2") " order by ts desc limit 10000) m";
  return user_text(s, claims, sql, static_cast<double>(std::max<int64_t>(seconds, 1)), sensor_id);
}

Result<std::string> sensors_json(Session& s, const std::string& claims, int64_t stale_after_s) {
  static const std::string sql =
      "select json_build_object('sensors', coalesce(json_agg(x order by x.name, x.id),"
      " '[]'::json), 'stale_after_s', $1::bigint)::text from ("
      " select s.id, s.name, s.interface, s.version,"
      " " SN_MS("greatest(s.last_heartbeat, m.ts)") " as last_seen_ms,"
      " case when s.last_heartbeat >= now() - make_interval(secs => $1::float8)"
      " then 'up' else 'stale' end as status,"
      " " SN_MS("m.ts") " as metrics_ts_ms, coalesce(m.pps, 0) as pps, coalesce(m.bps, 0) as bps,"
      " json_build_object('CRITICAL', coalesce(a.critical, 0), 'HIGH', coalesce(a.high, 0),"
      " 'MEDIUM', coalesce(a.medium, 0), 'LOW', coalesce(a.low, 0)) as open_alerts,"
      " coalesce(a.total, 0) as open_alerts_total"
      " from public.sensors s"
      " left join lateral (select ts, pps, bps from public.network_metrics"
      " where sensor_id = s.id and user_id = (select auth.uid())"
      " order by ts desc limit 1) m on true"
      " left join lateral (select count(*) filter (where severity = 'CRITICAL') as critical,"
      " count(*) filter (where severity = 'HIGH') as high,"
      " count(*) filter (where severity = 'MEDIUM') as medium,"
      " count(*) filter (where severity = 'LOW') as low, count(*) as total"
      " from public.network_alerts where sensor_id = s.id and status = 'open'"
      " and user_id = (select auth.uid())) a on true"
      " where s.user_id = (select auth.uid())) x";
  return user_text(s, claims, sql, std::max<int64_t>(stale_after_s, 1));
}

Result<std::string> audit_log_json(Session& s, const std::string& claims, const AuditQuery& q) {
  static const std::string sql =
      "with page as (select id, " SN_MS("at") " as at_ms, sensor_id, actor_id, actor_email,"
      " source_addr, action, details from public.audit_log"
      " where user_id = (select auth.uid())"
      " and ($2::bigint < 0 or (at, id) < (to_timestamp($2::bigint / 1000.0),"
      " coalesce(nullif($3, '')::uuid, 'ffffffff-ffff-ffff-ffff-ffffffffffff'::uuid)))"
      " order by at desc, id desc limit $1::int)"
      " select json_build_object('entries', coalesce((select json_agg(p order by p.at_ms desc,"
      " p.id desc) from page p), '[]'::json), 'next_before', case when (select count(*) from"
      " page) >= $1::int then (select p.at_ms::text || '_' || p.id::text from page p order by"
      " p.at_ms, p.id limit 1) end)::text";
  return user_text(s, claims, sql, std::clamp(q.limit, 1, 1000), q.before_ms, q.before_id);
}

#undef SN_MS
#undef SN_SENSOR_IS

}  // namespace securenet::store
