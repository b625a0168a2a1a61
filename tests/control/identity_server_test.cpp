// The real securenet-control connected as the least-privileged `securenet_sensor` role
// (migration 0009) to a throwaway PostgreSQL 15: logins, a config change, a metrics reset
// and an alert resolve each leave an audit row (who, when, from where, what changed), and
// GET /api/audit pages through them with validated parameters. Labels: db, security.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "auth_store.h"
#include "control_launcher.h"
#include "db_helpers.h"
#include "http_fixture.h"
#include "pg_cluster.h"
#include "sensor_dir.h"
#include "session.h"

using namespace sn_test;
using namespace std::chrono_literals;
using securenet::test::ControlProcess;
namespace fs = std::filesystem;
namespace st = securenet::testing;

namespace {

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

std::vector<std::string> entry_field(const std::string& body, const char* key) {
  std::vector<std::string> out;
  Json j(body);
  simdjson::dom::array a;
  if (j["entries"].get_array().get(a) != simdjson::SUCCESS) return out;
  for (auto e : a) out.push_back(str(e[key].value()));
  return out;
}

}  // namespace

TEST(IdentityServer, AuditTrailAsTheSensorRole) {
  std::string why;
  auto* cluster = st::PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("auditsrv");
  ASSERT_EQ(st::migrate_url(url), "");
  securenet::store::Session s(securenet::store::db_config_from(url));
  auto admin = securenet::store::create_user(s, "admin@example.com", "admin-password-1", "admin");
  ASSERT_TRUE(admin);
  st::scalar(url, "alter role securenet_sensor login; select 1");
  const std::string sensor_url = st::url_as(url, "securenet_sensor");

  const SensorDir sensor("idsrv");
  auto opts = sensor.control();
  opts.db = sensor_url;
  opts.owner_email = "admin@example.com";
  ControlProcess control(opts, (sensor.dir / "control.log").string());
  auto log = [&] { return control.log(); };
  const uint16_t port = control.wait_port(15s);
  ASSERT_NE(port, 0) << log();

  auto ok = post(port, "/api/auth/login",
                 R"({"email":"admin@example.com","password":"admin-password-1"})");
  ASSERT_EQ(ok.status, 200) << ok.body << log();
  const std::string token = str(Json(ok.body)["access_token"]);
  EXPECT_EQ(post(port, "/api/auth/login", R"({"email":"admin@example.com","password":"wrong-one"})")
                .status,
            401);

  auto cfg = get(port, "/api/config", token);
  ASSERT_EQ(cfg.status, 200);
  const std::string changed = std::regex_replace(
      cfg.body, std::regex("\"traffic_sent_pps\":[0-9.]+"), "\"traffic_sent_pps\":4321");
  ASSERT_EQ(post(port, "/api/config", changed, token).status, 200);
  ASSERT_EQ(post(port, "/api/metrics/reset", "{}", token).status, 200);
  // No dataplane: a sensor_health alert opens; resolve it.
  std::string alert_id;
  ASSERT_TRUE(eventually(
      [&] {
        Json j(get(port, "/api/alerts?status=open", token).body);
        simdjson::dom::array a;
        if (j["alerts"].get_array().get(a) != simdjson::SUCCESS || a.size() == 0) return false;
        alert_id = str((*a.begin())["id"].value());
        return !alert_id.empty();
      },
      15000));
  ASSERT_EQ(post(port, "/api/alerts/" + alert_id + "/resolve", "{}", token).status, 200);

  const std::set<std::string> want{"login_success", "login_failure", "config_change",
                                   "metrics_reset", "alert_resolve"};
  std::string body;
  ASSERT_TRUE(eventually(
      [&] {
        auto r = get(port, "/api/audit", token);
        body = r.body;
        auto actions = entry_field(r.body, "action");
        return r.status == 200 && std::set<std::string>(actions.begin(), actions.end()) == want;
      },
      20000))
      << body << log();

  // Who, from where, what changed.
  EXPECT_EQ(
      st::count(url,
                "select count(*) from audit_log where action <> 'login_failure' and actor_id = '" +
                    admin->id + "' and source_addr = '127.0.0.1'"),
      4);
  EXPECT_EQ(st::scalar(url,
                       "select (details->'before'->>'traffic_sent_pps')::float::text || ' ' || "
                       "(details->'after'->>'traffic_sent_pps')::float::text from audit_log "
                       "where action = 'config_change'"),
            "1000 4321");
  EXPECT_EQ(
      st::scalar(url, "select details->>'alert_id' from audit_log where action = 'alert_resolve'"),
      alert_id);
  EXPECT_EQ(st::scalar(url,
                       "select actor_email || ' ' || (details->>'reason') from audit_log "
                       "where action = 'login_failure'"),
            "admin@example.com bad_password");

  // Paging: newest first, two at a time, no entry twice.
  auto p1 = get(port, "/api/audit?limit=2", token);
  ASSERT_EQ(p1.status, 200);
  auto ids1 = entry_field(p1.body, "id");
  ASSERT_EQ(ids1.size(), 2u) << p1.body;
  const std::string next = str(Json(p1.body)["next_before"]);
  ASSERT_FALSE(next.empty()) << p1.body;
  auto p2 = get(port, "/api/audit?limit=2&before=" + next, token);
  ASSERT_EQ(p2.status, 200) << p2.body;
  auto ids2 = entry_field(p2.body, "id");
  ASSERT_EQ(ids2.size(), 2u) << p2.body;
  for (const auto& id : ids2) EXPECT_EQ(std::count(ids1.begin(), ids1.end(), id), 0) << id;
  auto all = get(port, "/api/audit?limit=1000", token);
  EXPECT_EQ(entry_field(all.body, "id").size(), 5u) << all.body;
  EXPECT_TRUE(Json(all.body)["next_before"].is_null());
  for (const char* bad : {"/api/audit?limit=0", "/api/audit?limit=1001", "/api/audit?limit=x",
                          "/api/audit?before=yesterday", "/api/audit?before=12_not-a-uuid"}) {
    auto r = get(port, bad, token);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_NE(r.body.find("\"error\""), std::string::npos) << r.body;
  }
  // Least privilege at run time: nothing the sensor did was refused by the database.
  Json status(get(port, "/api/status", token).body);
  EXPECT_EQ(str(status["database"]["state"]), "connected");
  EXPECT_EQ(log().find("permission denied"), std::string::npos) << log();

  EXPECT_EQ(control.stop(), 0);
}
