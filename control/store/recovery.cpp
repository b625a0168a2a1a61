#include "recovery.h"

#include <charconv>
#include <cstdint>
#include <unordered_map>

namespace securenet::store {

namespace {
std::string text(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }
double number(const pqxx::field& f) { return f.is_null() ? 0.0 : f.as<double>(); }

// A whole number of a profile entry as stored (jsonb text: any writer may have put
// anything there); `fallback` when it is not one in [lo, hi].
int64_t whole(const pqxx::field& f, int64_t lo, int64_t hi, int64_t fallback) {
  if (f.is_null()) return fallback;
  const std::string t = f.as<std::string>();
  int64_t v = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || end != t.data() + t.size() || v < lo || v > hi) return fallback;
  return v;
}

// The entries of the open alerts' top_sources ('s') and breakdown ('b'), in stored order,
// read element by element (->> is null, never an error, on a malformed element).
constexpr const char* kProfileSql =
    "select a.id::text, 's', o.n, o.e->>'ip', o.e->>'packets', null, null "
    "from public.network_alerts a cross join lateral jsonb_array_elements(case when "
    "jsonb_typeof(a.top_sources) = 'array' then a.top_sources else '[]' end) "
    "with ordinality o(e, n) where a.sensor_id = $1::uuid and a.status = 'open' "
    "union all "
    "select a.id::text, 'b', o.n, o.e->>'protocol', o.e->>'packets', o.e->>'src_port', "
    "o.e->>'dst_port' from public.network_alerts a cross join lateral jsonb_array_elements("
    "case when jsonb_typeof(a.breakdown) = 'array' then a.breakdown else '[]' end) "
    "with ordinality o(e, n) where a.sensor_id = $1::uuid and a.status = 'open' "
    "order by 1, 2, 3";

void add_profile_entry(AlertRow& a, const pqxx::row& r) {
  const int64_t packets = whole(r[4], 0, INT64_MAX, 0);
  if (text(r[1]) == "s") {
    if (a.top_sources.size() < kMaxProfileEntries)
      a.top_sources.push_back({profile_text(text(r[3])), static_cast<uint64_t>(packets)});
    return;
  }
  if (a.breakdown.size() >= kMaxProfileEntries) return;
  BreakdownRow b;
  b.protocol = profile_text(text(r[3]));
  b.packets = static_cast<uint64_t>(packets);
  b.src_port = static_cast<int32_t>(whole(r[5], 0, 65535, -1));
  b.dst_port = static_cast<int32_t>(whole(r[6], 0, 65535, -1));
  a.breakdown.push_back(std::move(b));
}
}  // namespace

Result<std::vector<AlertRow>> open_alerts_of_sensor(Session& s, const std::string& sensor_id) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto rows = tx.exec_params(
        "select id::text, kind, severity, coalesce(host, ''), coalesce(protocol, ''), "
        "coalesce(condition, ''), coalesce(description, ''), value, threshold, peak, count, "
        "(extract(epoch from first_seen) * 1000)::bigint, "
        "(extract(epoch from last_seen) * 1000)::bigint, "
        "coalesce(attack_type, ''), greatest(coalesce(profile_samples, 0), 0), "
        "(top_sources is not null or breakdown is not null) "
        "from public.network_alerts where sensor_id = $1::uuid and status = 'open' "
        "order by last_seen desc, id",
        sensor_id);
    auto entries = tx.exec_params(kProfileSql, sensor_id);
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
      a.attack_type = profile_text(text(r[13]));
      a.profile_samples = r[14].as<uint64_t>();
      a.victim = r[15].as<bool>();
      out.push_back(std::move(a));
    }
    std::unordered_map<std::string, AlertRow*> by_id;
    for (auto& a : out) by_id[a.id] = &a;
    for (const auto& e : entries) {
      if (auto it = by_id.find(text(e[0])); it != by_id.end()) add_profile_entry(*it->second, e);
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
