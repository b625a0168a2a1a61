// The real securenet-control binary with --db against a throwaway PostgreSQL 15 cluster
// (tests/store's PgCluster): login through the real server, row-level security through the
// API's history reads, and a database outage during a real dataplane replay (ICMP flood)
// that loses nothing and writes nothing twice.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "auth/jwt.h"
#include "auth_store.h"
#include "child_process.h"
#include "control_launcher.h"
#include "db_helpers.h"
#include "http_fixture.h"
#include "pg_cluster.h"
#include "sensor_dir.h"
#include "session.h"

using namespace sn_test;
namespace fs = std::filesystem;
namespace st = securenet::testing;

namespace {

using securenet::test::ChildProcess;
using securenet::test::ControlProcess;

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

size_t array_size(const std::string& body, const char* key) {
  Json j(body);
  simdjson::dom::array a;
  if (j[key].get_array().get(a) != simdjson::SUCCESS) return SIZE_MAX;
  return a.size();
}

std::string login(uint16_t port, const std::string& email, const std::string& password,
                  int* status) {
  auto r = post(port, "/api/auth/login",
                "{\"email\":\"" + email + "\",\"password\":\"" + password + "\"}");
  *status = r.status;
  if (r.status != 200) return "";
  Json j(r.body);
  return str(j["access_token"]);
}

// A control plane (with --db and --owner-email when given) in its own state dir.
class Control {
 public:
  Control(const std::string& name, const std::string& url, const std::string& owner)
      : dir_(name), proc_(options(dir_, url, owner), (dir_.dir / "control.log").string()) {
    proc_.wait_port();
  }
  uint16_t port() const { return proc_.port(); }
  int stop() { return proc_.stop(); }
  std::string log() const { return proc_.log(); }
  const fs::path& dir() const { return dir_.dir; }
  const std::string& instance() const { return dir_.instance; }

 private:
  static securenet::test::ControlOptions options(const SensorDir& d, const std::string& url,
                                                 const std::string& owner) {
    auto o = d.control();
    o.metrics_every = 1;
    o.db = url;
    o.owner_email = owner;
    return o;
  }
  SensorDir dir_;
  ControlProcess proc_;
};

#define SN_CLUSTER_OR_SKIP(var)            \
  std::string why_;                        \
  auto* var = st::PgCluster::shared(why_); \
  if (!var) GTEST_SKIP() << why_;

}  // namespace

TEST(DbServer, LoginAndRowLevelSecurityThroughTheApi) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = cluster->create_database("api");
  ASSERT_EQ(st::migrate_url(url), "");
  securenet::store::Session s(securenet::store::db_config_from(url));
  auto a = securenet::store::create_user(s, "a@example.com", "password-a-1");
  auto b = securenet::store::create_user(s, "b@example.com", "password-b-1");
  ASSERT_TRUE(a && b);
  // A row of B's that A must never see.
  st::scalar(url, "insert into network_configs (user_id, config) values ('" + b->id +
                      "', '{\"marker\":\"b-only\"}') returning id");

  Control c("ctldb-api", url, "a@example.com");
  ASSERT_NE(c.port(), 0) << c.log();
  const uint16_t port = c.port();

  int status = 0;
  const std::string ta = login(port, "a@example.com", "password-a-1", &status);
  ASSERT_EQ(status, 200) << c.log();
  login(port, "a@example.com", "wrong-password", &status);
  EXPECT_EQ(status, 401);
  login(port, "nobody@example.com", "password-a-1", &status);
  EXPECT_EQ(status, 401);
  const std::string tb = login(port, "b@example.com", "password-b-1", &status);
  ASSERT_EQ(status, 200);

  // An expired token (minted an hour ago, valid 60 s) and a forged one are refused.
  securenet::auth::MintOptions m;
  m.sub = a->id;
  m.ttl_s = 60;
  auto expired =
      securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)) - 3600);
  EXPECT_EQ(get(port, "/api/alerts/history", expired).status, 401);
  EXPECT_EQ(get(port, "/api/metrics", expired).status, 401);
  auto forged = securenet::auth::mint_hs256("another-secret-0123456789abcdef0123", m,
                                            static_cast<int64_t>(std::time(nullptr)));
  EXPECT_EQ(get(port, "/api/config/history", forged).status, 401);

  // A config change through the API becomes A's row (changing the config needs the admin
  // role: a token without app_metadata.securenet_role is a viewer's).
  auto cfg = get(port, "/api/config", ta);
  ASSERT_EQ(cfg.status, 200);
  securenet::auth::MintOptions ma;
  ma.sub = a->id;
  ma.app_role = "admin";
  const auto ta_admin =
      securenet::auth::mint_hs256(kSecret, ma, static_cast<int64_t>(std::time(nullptr)));
  ASSERT_EQ(post(port, "/api/config", cfg.body, ta_admin).status, 200);

  ASSERT_TRUE(eventually(
      [&] { return array_size(get(port, "/api/config/history", ta).body, "configs") == 1; }, 60000))
      << get(port, "/api/config/history", ta).body;
  auto ha = get(port, "/api/config/history", ta);
  EXPECT_EQ(ha.body.find("b-only"), std::string::npos) << "A sees B's row: " << ha.body;
  auto hb = get(port, "/api/config/history", tb);
  EXPECT_EQ(array_size(hb.body, "configs"), 1u) << hb.body;
  EXPECT_NE(hb.body.find("b-only"), std::string::npos) << hb.body;

  // No dataplane: a sensor_health alert is A's; B sees no alerts and no metrics.
  EXPECT_TRUE(eventually(
      [&] {
        auto n = array_size(get(port, "/api/alerts/history", ta).body, "alerts");
        return n != SIZE_MAX && n >= 1;
      },
      60000))
      << get(port, "/api/alerts/history", ta).body;
  EXPECT_TRUE(eventually(
      [&] {
        auto n =
            array_size(get(port, "/api/metrics/history?source=db&seconds=600", ta).body, "points");
        return n != SIZE_MAX && n >= 1;
      },
      60000));
  EXPECT_EQ(array_size(get(port, "/api/alerts/history", tb).body, "alerts"), 0u);
  EXPECT_EQ(array_size(get(port, "/api/metrics/history?source=db&seconds=600", tb).body, "points"),
            0u);
  // The in-memory history still answers without ?source=db.
  EXPECT_EQ(get(port, "/api/metrics/history?seconds=60", tb).status, 200);
  EXPECT_EQ(get(port, "/api/alerts/history?status=bogus", ta).status, 400);
  EXPECT_EQ(st::count(url, "select count(*) from network_configs where user_id = '" + a->id + "'"),
            1);

  // Refresh through the server: single use.
  auto lr = post(port, "/api/auth/login", R"({"email":"a@example.com","password":"password-a-1"})");
  ASSERT_EQ(lr.status, 200);
  const std::string refresh = str(Json(lr.body)["refresh_token"]);
  const std::string rbody = "{\"refresh_token\":\"" + refresh + "\"}";
  auto r1 = post(port, "/api/auth/refresh", rbody);
  EXPECT_EQ(r1.status, 200) << r1.body;
  EXPECT_EQ(get(port, "/api/alerts/history", str(Json(r1.body)["access_token"])).status, 200);
  EXPECT_EQ(post(port, "/api/auth/refresh", rbody).status, 401);

  // Failed attempts for this account from this address (127.0.0.1, the socket's peer; only
  // this pair's own success clears them): four wrong passwords (three free, a fourth), then
  // even the right one is 429 with Retry-After.
  for (int i = 0; i < 4; ++i) {
    login(port, "a@example.com", "wrong-again", &status);
    EXPECT_EQ(status, 401);
  }
  auto limited =
      post(port, "/api/auth/login", R"({"email":"a@example.com","password":"password-a-1"})");
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_FALSE(limited.header("Retry-After").empty());
}

TEST(DbServer, DatabaseOutageDuringReplayLosesNothing) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = cluster->create_database("outage");
  ASSERT_EQ(st::migrate_url(url), "");
  securenet::store::Session s(securenet::store::db_config_from(url));
  auto owner = securenet::store::create_user(s, "owner@example.com", "owner-password-1");
  ASSERT_TRUE(owner);
  securenet::auth::MintOptions m;
  m.sub = owner->id;
  m.app_role = "admin";  // posts configs
  const std::string token =
      securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)));

  Control c("ctldb-outage", url, "owner@example.com");
  const std::string instance = c.instance();
  ASSERT_NE(c.port(), 0) << c.log();
  const uint16_t port = c.port();
  const fs::path pcap = c.dir() / "flood.pcap";
  {
    ChildProcess gen({PCAPGEN_BIN, "--out", pcap.string(), "--scenario", "icmp-flood", "--packets",
                      "40000", "--hosts", "64", "--pps", "1000"},
                     (c.dir() / "pcapgen.log").string());
    ASSERT_EQ(gen.wait(), 0);
  }
  ChildProcess dp({DATAPLANE_BIN, "--source", "pcap", "--target", pcap.string(), "--instance",
                   instance, "--rate", "2500"},
                  (c.dir() / "dataplane.log").string());  // about 16 s of traffic

  ASSERT_TRUE(eventually(
      [&] {
        auto n = array_size(get(port, "/api/alerts?limit=1000", token).body, "alerts");
        return n != SIZE_MAX && n >= 1;
      },
      60000))
      << "no alert from the flood";

  auto cfg = get(port, "/api/config", token);
  ASSERT_EQ(cfg.status, 200);
  std::regex thr("\"traffic_threshold_pps\":[0-9.]+");
  int posts = 0;
  auto post_threshold = [&](int v) {
    auto body = std::regex_replace(cfg.body, thr, "\"traffic_threshold_pps\":" + std::to_string(v));
    auto r = post(port, "/api/config", body, token);
    EXPECT_EQ(r.status, 200) << r.body;
    posts += r.status == 200;
  };
  post_threshold(5000);
  // The first config change is stored before the outage starts.
  ASSERT_TRUE(eventually(
      [&] { return st::count(url, "select count(*) from network_configs") == 1; }, 60000));

  int status = 0;
  login(port, "owner@example.com", "owner-password-1", &status);  // the login connection is open
  ASSERT_EQ(status, 200);
  ASSERT_TRUE(cluster->stop());
  for (int i = 0; i < 4; ++i) {  // alerts change (the threshold moves), configs, snapshots
    post_threshold(i % 2 ? 100000 : 500);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  }
  Json down(get(port, "/api/status", token).body);
  EXPECT_EQ(str(down["database"]["state"]), "disconnected");
  login(port, "owner@example.com", "owner-password-1", &status);
  EXPECT_EQ(status, 503);  // database_unavailable, not a crash or a hang
  ASSERT_TRUE(cluster->start());
  post_threshold(5000);
  login(port, "owner@example.com", "owner-password-1", &status);
  EXPECT_EQ(status, 200) << "the first login after the restart must reconnect";

  dp.wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  // Settled: connected and nothing left in the spool or the queue.
  EXPECT_TRUE(eventually(
      [&] {
        Json j(get(port, "/api/status", token).body);
        return str(j["database"]["state"]) == "connected" &&
               j["database"]["spool_backlog"].get_uint64().value_unsafe() == 0;
      },
      120000))
      << get(port, "/api/status", token).body;

  std::map<std::string, std::string> api_alerts;  // id -> status
  {
    Json j(get(port, "/api/alerts?limit=1000", token).body);
    simdjson::dom::array arr;
    ASSERT_EQ(j["alerts"].get_array().get(arr), simdjson::SUCCESS);
    for (auto a : arr) api_alerts[str(a["id"].value())] = str(a["status"].value());
  }
  EXPECT_EQ(c.stop(), 0) << c.log();  // SIGTERM: the writer flushes what is queued

  EXPECT_EQ(st::count(url, "select count(*) from network_configs"), posts);
  EXPECT_EQ(st::count(url, "select count(distinct id) from network_configs"), posts);
  pqxx::connection conn(url);
  pqxx::work tx(conn);
  std::map<std::string, std::string> db_alerts;
  for (auto row : tx.exec("select id::text, status from network_alerts"))
    db_alerts[row[0].as<std::string>()] = row[1].as<std::string>();
  EXPECT_EQ(db_alerts, api_alerts) << "the table's alerts (id -> status) differ from the API's";
  EXPECT_GE(api_alerts.size(), 1u);
  // Metrics: one snapshot a second (each tick's timestamp is unique); no hole across the outage.
  auto gaps = tx.exec(
      "select count(*), count(distinct ts), coalesce(max(gap), 0) from (select ts, "
      "extract(epoch from ts - lag(ts) over (order by ts)) * 1000 as gap from network_metrics) g");
  const long rows = gaps[0][0].as<long>();
  EXPECT_GE(rows, 15) << "expected about one stored snapshot per second";
  EXPECT_EQ(gaps[0][1].as<long>(), rows) << "a snapshot was written twice";
  EXPECT_LT(gaps[0][2].as<double>(), 2500) << "a hole in the stored metrics (lost snapshots)";
  EXPECT_EQ(
      tx.exec("select count(*) from network_alerts where user_id <> '" + owner->id + "'")[0][0]
          .as<long>(),
      0);
}

TEST(DbServer, WithoutADatabaseLoginAndHistoryAnswer503) {
  ::unsetenv("SECURENET_DATABASE_URL");
  Control c("ctldb-none", "", "");
  ASSERT_NE(c.port(), 0) << c.log();
  auto r = post(c.port(), "/api/auth/login", R"({"email":"a@example.com","password":"x"})");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("database_disabled"), std::string::npos) << r.body;
  securenet::auth::MintOptions m;
  m.sub = kUser;
  const auto token =
      securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)));
  EXPECT_EQ(get(c.port(), "/api/alerts/history", token).status, 503);
  EXPECT_EQ(get(c.port(), "/api/metrics/history?source=db", token).status, 503);
  EXPECT_EQ(get(c.port(), "/api/metrics/history", token).status, 200);  // memory
  Json st(get(c.port(), "/api/status", token).body);
  EXPECT_EQ(str(st["database"]["state"]), "disabled");
}
