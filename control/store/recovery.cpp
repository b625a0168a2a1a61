#include "recovery.h"

namespace securenet::store {

namespace {
std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }
double number(const pqxx::field& f) { return f.is_null() ? 0.0 : f.as<double>(); }
}  // namespace

Result<std::vector<AlertRow>> open_alerts_of_sensor(Session& s, const std::string& sensor_id) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "select id::text, kind, severity, coalesce(host, ''), coalesce(protocol, ''), "
        "coalesce(condition, ''), coalesce(description, ''), value, threshold, peak, count, "
        "(extract(epoch from first_seen) * 1000)::bigint, "
        "(extract(epoch from last_seen) * 1000)::bigint "
        "from public.network_alerts where sensor_id = $1::uuid and status = 'open' "
        "order by last_seen desc, id",
        sensor_id);
    tx.commit();
    std::vector<AlertRow> out;
    for (const auto& r : rows) {
      AlertRow a;
      a.id = text(r[0]);
      a.kind = text(r[1]);
      a.severity = text(r[2]);
      a.host = text(r[3]);
      a.protocol = text(r[4]);
      a.condition = text(r[5]);
      a.description = text(r[6]);
      a.value = number(r[7]);
      a.threshold = number(r[8]);
      a.peak = number(r[9]);
      a.count = r[10].as<int64_t>();
      a.first_seen_ms = r[11].as<int64_t>();
      a.last_seen_ms = r[12].as<int64_t>();
      out.push_back(std::move(a));
    }
    return out;
  });
}

Result<std::optional<std::string>> latest_config_of_sensor(Session& s,
                                                           const std::string& sensor_id) {
  return s.run([&](pqxx::connection& c) -> std::optional<std::string> {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "select config::text from public.network_configs where sensor_id = $1::uuid "
        "order by created_at desc, id desc limit 1",
        sensor_id);
    tx.commit();
    if (r.empty() || r[0][0].is_null()) return std::nullopt;
    return r[0][0].as<std::string>();
  });
}

Result<std::optional<std::string>> bound_sensor_id(Session& s) {
  return s.run([&](pqxx::connection& c) -> std::optional<std::string> {
    pqxx::work tx(c);
    auto r = tx.exec(
        "select case when to_regprocedure('securenet.current_sensor_id()') is not null "
        "then 1 end");
    if (r[0][0].is_null()) return std::nullopt;
    auto id = tx.exec("select securenet.current_sensor_id()::text");
    tx.commit();
    if (id.empty() || id[0][0].is_null()) return std::nullopt;
    return id[0][0].as<std::string>();
  });
}

}  // namespace securenet::store
