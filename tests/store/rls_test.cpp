// Row-level security through SQL as `authenticated`: user A can neither read nor change
// user B's rows, and a session without claims sees nothing. Also the API read helpers.
#include <gtest/gtest.h>

#include "auth_store.h"
#include "db_helpers.h"
#include "pg_cluster.h"
#include "reads.h"
#include "session.h"

using namespace securenet::testing;
namespace st = securenet::store;

namespace {

struct TwoUsers {
  std::string url, a, b;
};

// Users A and B, each with one sensor, alert, config, metric and packet row.
void seed(TwoUsers& t) {
  st::Session s(st::db_config_from(t.url));
  auto a = st::create_user(s, "a@example.com", "password-a-123");
  auto b = st::create_user(s, "b@example.com", "password-b-123");
  ASSERT_TRUE(a && b);
  t.a = a->id;
  t.b = b->id;
  for (const auto& [uid, tag] : {std::pair{t.a, "a"}, std::pair{t.b, "b"}}) {
    scalar(t.url,
           "insert into network_alerts (id, user_id, kind, severity, host, description) values ("
           "gen_random_uuid(), '" +
               uid + "', 'traffic_threshold', 'HIGH', '10.0.0." +
               (std::string(tag) == "a" ? "1" : "2") + "', 'alert " + tag +
               "');"
               "insert into network_configs (user_id, config, traffic_threshold) values ('" +
               uid + "', '{\"who\":\"" + tag +
               "\"}', 1000);"
               "insert into network_metrics (user_id, pps) values ('" +
               uid +
               "', 1);"
               "insert into network_packets (user_id, ts, src, dst) values ('" +
               uid + "', now(), '10.0.0.1', '10.0.0.2'); select 1");
  }
}

// Runs `sql` as `authenticated` with the given claims (or none); returns rows affected or
// the first column of the first row (as text), or "ERROR:<sqlstate>".
std::string as_user(const std::string& url, const std::string& claims, const std::string& sql,
                    bool want_affected = false) {
  pqxx::connection c(url);
  try {
    pqxx::work tx(c);
    tx.exec("set local role authenticated");
    if (!claims.empty())
      tx.exec_params("select set_config('request.jwt.claims', $1, true)", claims);
    auto r = tx.exec(sql);
    tx.commit();
    if (want_affected) return std::to_string(r.affected_rows());
    return r.empty() || r[0][0].is_null() ? "" : r[0][0].as<std::string>();
  } catch (const pqxx::sql_error& e) {
    // libpqxx 6.4 leaves sqlstate() empty for class 42; its exception type tells.
    if (!e.sqlstate().empty()) return "ERROR:" + e.sqlstate();
    if (dynamic_cast<const pqxx::insufficient_privilege*>(&e)) return "ERROR:42501";
    return std::string("ERROR:") + e.what();
  }
}

}  // namespace

TEST(Rls, UsersSeeAndChangeOnlyTheirOwnRows) {
  SN_MIGRATED_DB_OR_SKIP(url, "rls");
  TwoUsers t{url, "", ""};
  seed(t);
  ASSERT_FALSE(t.a.empty());
  const auto ca = claims_for(t.a);
  for (const char* table :
       {"network_alerts", "network_configs", "network_metrics", "network_packets"}) {
    SCOPED_TRACE(table);
    EXPECT_EQ(count(url, std::string("select count(*) from ") + table), 2);  // superuser
    EXPECT_EQ(as_user(url, ca, std::string("select count(*) from ") + table), "1");
    EXPECT_EQ(
        as_user(url, ca,
                std::string("select count(*) from ") + table + " where user_id = '" + t.b + "'"),
        "0");
    EXPECT_EQ(as_user(url, ca, std::string("select user_id::text from ") + table), t.a);
    // Deleting B's rows affects nothing (where permitted at all).
    const auto del = as_user(
        url, ca, std::string("delete from ") + table + " where user_id = '" + t.b + "'", true);
    EXPECT_TRUE(del == "0" || del.rfind("ERROR:42501", 0) == 0) << del;
    EXPECT_EQ(
        count(url, std::string("select count(*) from ") + table + " where user_id = '" + t.b + "'"),
        1);
  }
  // Updates: B's alert is invisible, so nothing changes; A cannot hand its row to B.
  EXPECT_EQ(
      as_user(url, ca, "update network_alerts set description = 'x' where user_id = '" + t.b + "'",
              true),
      "0");
  EXPECT_EQ(scalar(url, "select description from network_alerts where user_id = '" + t.b + "'"),
            "alert b");
  EXPECT_EQ(as_user(url, ca, "update network_alerts set user_id = '" + t.b + "'"),
            "ERROR:42501");  // new row violates the policy's WITH CHECK
  // Inserting a row owned by B is refused; owned by A is allowed (configs take inserts).
  EXPECT_EQ(as_user(url, ca,
                    "insert into network_configs (user_id, config) values ('" + t.b + "', '{}')"),
            "ERROR:42501");
  EXPECT_EQ(as_user(url, ca,
                    "insert into network_configs (user_id, config) values ('" + t.a +
                        "', '{}') returning 'ok'"),
            "ok");
  // Alerts take no inserts from users at all (only the sensor writes them).
  EXPECT_EQ(as_user(url, ca,
                    "insert into network_alerts (id, user_id, kind, severity) values "
                    "(gen_random_uuid(), '" +
                        t.a + "', 'k', 'LOW')"),
            "ERROR:42501");
  // Private tables and other users' accounts are closed.
  EXPECT_EQ(as_user(url, ca, "select count(*) from securenet.refresh_tokens"), "ERROR:42501");
  EXPECT_EQ(as_user(url, ca, "select count(*) from auth.users"), "ERROR:42501");
}

TEST(Rls, NoClaimsSeesNothing) {
  SN_MIGRATED_DB_OR_SKIP(url, "rlsnoclaims");
  TwoUsers t{url, "", ""};
  seed(t);
  for (const char* table :
       {"network_alerts", "network_configs", "network_metrics", "network_packets", "sensors"}) {
    SCOPED_TRACE(table);
    EXPECT_EQ(as_user(url, "", std::string("select count(*) from ") + table), "0");
    EXPECT_EQ(as_user(url, "{}", std::string("select count(*) from ") + table), "0");
  }
  // anon has no privileges on the data tables at all.
  pqxx::connection c(url);
  pqxx::work tx(c);
  tx.exec("set local role anon");
  EXPECT_THROW(tx.exec("select count(*) from network_alerts"), pqxx::sql_error);
}

TEST(Rls, ApiReadsReturnOnlyTheCallersRows) {
  SN_MIGRATED_DB_OR_SKIP(url, "rlsreads");
  TwoUsers t{url, "", ""};
  seed(t);
  st::Session s(st::db_config_from(url));
  auto alerts = st::list_alerts_json(s, claims_for(t.a), {});
  ASSERT_TRUE(alerts) << alerts.error().message;
  EXPECT_NE(alerts->find("alert a"), std::string::npos) << *alerts;
  EXPECT_EQ(alerts->find("alert b"), std::string::npos) << *alerts;
  EXPECT_NE(alerts->find("\"first_seen_ms\""), std::string::npos);

  auto high = st::list_alerts_json(s, claims_for(t.a), {10, "LOW", ""});
  ASSERT_TRUE(high);
  EXPECT_EQ(*high, "{\"alerts\" : []}");

  auto cfg = st::latest_config_json(s, claims_for(t.b));
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(*cfg, "{\"who\": \"b\"}");
  auto hist = st::config_history_json(s, claims_for(t.a), 10);
  ASSERT_TRUE(hist);
  EXPECT_EQ(hist->find("\"b\""), std::string::npos);

  auto metrics = st::metrics_history_json(s, claims_for(t.a), 3600);
  ASSERT_TRUE(metrics) << metrics.error().message;
  EXPECT_NE(metrics->find("\"pps\":1,"), std::string::npos) << *metrics;

  const std::string stranger = claims_for("00000000-0000-0000-0000-000000000000");
  auto none = st::list_alerts_json(s, stranger, {});
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, "{\"alerts\" : []}");
  auto no_cfg = st::latest_config_json(s, stranger);
  ASSERT_TRUE(no_cfg);
  EXPECT_EQ(*no_cfg, "null");
}

// Migration 0017's victim columns follow the table's row-level security: a user reads and
// changes them on its own alerts only, within the CHECK limits; the API read has them.
TEST(Rls, VictimProfileColumnsAreTheOwnersOnly) {
  SN_MIGRATED_DB_OR_SKIP(url, "rlsvictim");
  TwoUsers t{url, "", ""};
  seed(t);
  ASSERT_FALSE(t.a.empty());
  scalar(url,
         "update network_alerts set attack_type = 'SYN flood', profile_samples = 3, "
         "top_sources = '[{\"ip\":\"198.18.0.1\",\"packets\":3}]', breakdown = "
         "'[{\"protocol\":\"tcp_syn\",\"src_port\":null,\"dst_port\":80,\"packets\":3}]'; "
         "select 1");
  const auto ca = claims_for(t.a);
  EXPECT_EQ(as_user(url, ca, "select count(*) from network_alerts where top_sources is not null"),
            "1");
  EXPECT_EQ(as_user(url, ca, "select top_sources->0->>'ip' from network_alerts"), "198.18.0.1");
  EXPECT_EQ(
      as_user(url, ca, "update network_alerts set top_sources = '[]' where user_id = '" + t.b + "'",
              true),
      "0");
  EXPECT_EQ(scalar(url,
                   "select jsonb_array_length(top_sources) from network_alerts where "
                   "user_id = '" +
                       t.b + "'"),
            "1");
  // Its own row: allowed, but not beyond the limits (23514 check_violation).
  EXPECT_EQ(as_user(url, ca, "update network_alerts set breakdown = '[]'", true), "1");
  EXPECT_EQ(as_user(url, ca, "update network_alerts set attack_type = repeat('z', 1000)"),
            "ERROR:23514");
  EXPECT_EQ(as_user(url, claims_for("00000000-0000-0000-0000-000000000000"),
                    "select count(*) from network_alerts where attack_type is not null"),
            "0");
  st::Session s(st::db_config_from(url));
  auto alerts = st::list_alerts_json(s, ca, {});
  ASSERT_TRUE(alerts) << alerts.error().message;
  EXPECT_NE(alerts->find(R"("attack_type":"SYN flood")"), std::string::npos) << *alerts;
  EXPECT_NE(alerts->find(R"("top_sources":[{"ip": "198.18.0.1", "packets": 3}])"),
            std::string::npos)
      << *alerts;
  EXPECT_NE(alerts->find(R"("breakdown":[])"), std::string::npos) << *alerts;
  EXPECT_EQ(alerts->find("alert b"), std::string::npos);
}
