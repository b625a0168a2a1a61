// Restarts, corrupt files and odd values against the real securenet-control with --db on a
// throwaway PostgreSQL 15 cluster (tests/store's PgCluster): the schema holds every value
// the API accepts, open alerts survive restarts as one row, and a lost config.json comes
// back from network_configs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <regex>

#include "auth_store.h"
#include "dataplane_segment.h"
#include "db_helpers.h"
#include "migrate.h"
#include "pg_cluster.h"
#include "restart_support.h"
#include "session.h"

using namespace sn_test;
namespace st = securenet::testing;

namespace {

#define SN_CLUSTER_OR_SKIP(var)            \
  std::string why_;                        \
  auto* var = st::PgCluster::shared(why_); \
  if (!var) GTEST_SKIP() << why_;

// A migrated database with one user (the sensor's owner).
std::string owned_db(st::PgCluster& cluster, const std::string& hint) {
  const std::string url = cluster.create_database(hint);
  EXPECT_EQ(st::migrate_url(url), "");
  securenet::store::Session s(securenet::store::db_config_from(url));
  auto owner = securenet::store::create_user(s, "owner@example.com", "owner-password-1");
  EXPECT_TRUE(owner);
  return url;
}

std::string big_cidr_list(size_t n) {
  std::string out = "[";
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ',';
    out += "\"10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24\"";
  }
  return out + "]";
}

}  // namespace

// Item 3 of issue 14: every config field at both ends of its accepted range, posted
// through the API and read back from the network_configs row (columns and the jsonb).
TEST(Schema, ExtremeConfigValuesReachNetworkConfigs) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = owned_db(*cluster, "extremes");
  SensorDir s("ctlrs-ext");
  ControlProcess c(fault_control(s, url), run_log(s, 0));
  ASSERT_NE(c.wait_port(), 0) << c.log();
  const std::string token = s.token();
  struct Case {
    std::string body;
    double thr, conn;
  };
  const std::string list = big_cidr_list(1024);
  const std::vector<Case> cases = {
      {R"({"traffic_threshold_pps":1e12,"connection_rate_per_min":1e12,"escalation_factor":1e6,)"
       R"("clear_ratio":1,"clear_hold_s":86400,"sample_one_in":1000000000,)"
       R"("subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_threshold_pps":1e12,"connection_rate_per_min":1e12}],)"
       R"("whitelist":)" +
           list + R"(,"home_networks":)" + list + "}",
       1e12, 1e12},
      {R"({"traffic_threshold_pps":3000000000,"connection_rate_per_min":4294967296.5,"escalation_factor":1.000001,)"
       R"("clear_ratio":1e-9,"clear_hold_s":0,"sample_one_in":0,"whitelist":[],"home_networks":[],)"
       R"("subnet_thresholds":[{"cidr":"::/0","traffic_threshold_pps":1e-9}]})",
       3000000000.0, 4294967296.5},
      {R"({"traffic_threshold_pps":1e-9,"connection_rate_per_min":2.5e-7})", 1e-9, 2.5e-7},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto r = post(c.port(), "/api/config", cases[i].body, token);
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(eventually(
        [&] {
          return st::count(url, "select count(*) from network_configs") == static_cast<long>(i + 1);
        },
        60000))
        << "config row " << i << " never reached the table\n"
        << c.log();
    pqxx::connection conn(url);
    pqxx::work tx(conn);
    auto row = tx.exec(
        "select traffic_threshold, connection_rate, (config->>'traffic_sent_pps')::float8, "
        "(config->>'connection_rate_per_min')::float8, config::text from network_configs "
        "order by created_at desc limit 1")[0];
    EXPECT_EQ(row[0].as<double>(), cases[i].thr);
    EXPECT_EQ(row[1].as<double>(), cases[i].conn);
    EXPECT_EQ(row[2].as<double>(), cases[i].thr);
    EXPECT_EQ(row[3].as<double>(), cases[i].conn);
    // The stored object is the API's: every field of GET /api/config, same values (jsonb
    // compares numbers by value: 1e12 == 1000000000000.0).
    const std::string api = get(c.port(), "/api/config", token).body;
    EXPECT_EQ(tx.exec_params("select ($1::jsonb - 'updated_at_ms') = (config - 'updated_at_ms') "
                             "from network_configs "
                             "order by created_at desc limit 1",
                             api)[0][0]
                  .as<bool>(),
              true)
        << "case " << i << ": API " << api.substr(0, 400) << "\nstored "
        << row[4].as<std::string>().substr(0, 400);
    // The largest whole number kept exactly (case 2 leaves case 1's 0 in place).
    EXPECT_EQ(tx.exec("select (config->>'sample_one_in')::numeric::text from network_configs order "
                      "by created_at desc "
                      "limit 1")[0][0]
                  .as<std::string>(),
              i == 0 ? "1000000000" : "0");
  }
  EXPECT_EQ(c.stop(), 0) << c.log();
  EXPECT_EQ(c.log().find("out of range"), std::string::npos) << c.log();
  EXPECT_EQ(c.log().find("rejected"), std::string::npos) << c.log();
}

namespace {

long open_rows(const std::string& url, const std::string& condition) {
  return st::count(
      url,
      "select count(*) from network_alerts where status = 'open' and kind = 'sensor_health' "
      "and condition = '" +
          condition + "'");
}

// The API's alert of one sensor_health condition (newest first), or an empty object.
std::string api_alert(uint16_t port, const std::string& token, const std::string& condition,
                      const char* field) {
  auto r = try_get(port, "/api/alerts?limit=1000", token);
  if (r.status != 200) return "";
  Json j(r.body);
  simdjson::dom::array arr;
  if (j["alerts"].get_array().get(arr) != simdjson::SUCCESS) return "";
  for (auto a : arr) {
    if (json_str(a["condition"].value()) != condition) continue;
    auto f = a[field];
    if (f.error()) return "";
    if (f.value().is_string()) return json_str(f.value());
    return simdjson::to_string(f.value());
  }
  return "";
}

}  // namespace

// Item 1: the dataplane stays down across four restarts of the control plane: one open
// dataplane_down row, the same id, its count going on.
TEST(AlertContinuity, OneOpenRowAcrossRestartsWhileTheConditionLasts) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = owned_db(*cluster, "continuity");
  SensorDir s("ctlrs-cont");  // no dataplane for this instance: dataplane_down (HIGH)
  std::string first_id;
  long last_count = 0;
  for (int run = 0; run < 4; ++run) {
    ControlProcess c(fault_control(s, url), run_log(s, run));
    ASSERT_NE(c.wait_port(), 0) << c.log();
    ASSERT_TRUE(eventually(
        [&] { return api_alert(c.port(), s.token(), "dataplane_down", "status") == "open"; },
        60000))
        << c.log();
    const std::string id = api_alert(c.port(), s.token(), "dataplane_down", "id");
    if (run == 0) first_id = id;
    EXPECT_EQ(id, first_id) << "run " << run << " opened a new alert instead of adopting it";
    // Seen again after the restart: the count goes on from the stored one.
    ASSERT_TRUE(eventually(
        [&] {
          return std::stol("0" + api_alert(c.port(), s.token(), "dataplane_down", "count")) >
                 last_count + 1;
        },
        60000))
        << "run " << run;
    ASSERT_TRUE(eventually(
        [&] {
          return st::count(url, "select count(*) from network_alerts where id = '" + first_id +
                                    "' and count > " + std::to_string(last_count)) == 1;
        },
        60000));
    EXPECT_EQ(c.stop(), 0) << c.log();
    EXPECT_EQ(open_rows(url, "dataplane_down"), 1) << "run " << run;
    last_count = std::stol(
        st::scalar(url, "select count from network_alerts where id = '" + first_id + "'"));
  }
  EXPECT_EQ(st::count(url, "select count(*) from network_alerts"), 1);
  EXPECT_EQ(st::scalar(url, "select status from network_alerts"), "open");
}

// Item 1: the condition is gone by the next start (a dataplane now runs): the adopted alert
// is never seen again and resolves after clear_hold_s with resolved_by = restart.
TEST(AlertContinuity, AlertOfAClearedConditionResolvesAsRestart) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = owned_db(*cluster, "cleared");
  SensorDir s("ctlrs-clr");
  std::ofstream(s.dir / "config.json") << R"({"clear_hold_s":1})";
  std::string id;
  {
    ControlProcess c(fault_control(s, url), run_log(s, 0));
    ASSERT_NE(c.wait_port(), 0) << c.log();
    ASSERT_TRUE(eventually(
        [&] { return !api_alert(c.port(), s.token(), "dataplane_down", "id").empty(); }, 60000));
    id = api_alert(c.port(), s.token(), "dataplane_down", "id");
    EXPECT_EQ(c.stop(), 0) << c.log();
  }
  ASSERT_EQ(open_rows(url, "dataplane_down"), 1);
  const fs::path pcap = s.dir / "mix.pcap";
  ChildProcess gen(
      {PCAPGEN_BIN, "--out", pcap.string(), "--packets", "5000", "--hosts", "16", "--pps", "1000"},
      (s.dir / "pcapgen.log").string());
  ASSERT_EQ(gen.wait(), 0) << read_file(s.dir / "pcapgen.log");
  ChildProcess dp({DATAPLANE_BIN, "--source", "pcap", "--target", pcap.string(), "--instance",
                   s.instance, "--rate", "500", "--loops", "0"},
                  (s.dir / "dataplane.log").string());
  // Ready, not merely created: a control plane that cannot open the segment yet sees the
  // dataplane down, and the adopted alert would continue instead (seen again in time).
  ASSERT_TRUE(securenet::test::open_ready_segment(s.instance, dp, std::chrono::seconds(60)).ok())
      << read_file(s.dir / "dataplane.log");
  ControlProcess c(fault_control(s, url), run_log(s, 1));
  ASSERT_NE(c.wait_port(), 0) << c.log();
  ASSERT_TRUE(eventually(
      [&] {
        return st::scalar(url,
                          "select status || '/' || coalesce(resolved_by, '') from network_alerts "
                          "where id = '" +
                              id + "'") == "resolved/restart";
      },
      60000))
      << st::scalar(url, "select status from network_alerts where id = '" + id + "'") << c.log();
  EXPECT_EQ(api_alert(c.port(), s.token(), "dataplane_down", "resolved_by"), "restart");
  EXPECT_EQ(open_rows(url, "dataplane_down"), 0);
  EXPECT_EQ(c.stop(), 0) << c.log();
}

// Item 1: a database written by earlier control planes (before migration 0011) holds one
// open row per restart; the migration keeps the newest open and closes the rest.
TEST(AlertContinuity, MigrationClosesDuplicateOpenRows) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = cluster->create_database("dups");
  auto all = securenet::store::embedded_migrations();
  std::vector<securenet::store::Migration> before;
  for (const auto& m : all)
    if (m.version < 11) before.push_back(m);
  {
    pqxx::connection c(url);
    ASSERT_TRUE(securenet::store::migrate(c, before));
  }
  securenet::store::Session ses(securenet::store::db_config_from(url));
  auto owner = securenet::store::create_user(ses, "owner@example.com", "owner-password-1");
  ASSERT_TRUE(owner);
  const std::string sensor = st::scalar(url, "insert into sensors (user_id, name) values ('" +
                                                 owner->id + "', 's') returning id::text");
  for (int i = 0; i < 6; ++i) {
    st::scalar(url,
               "insert into network_alerts (id, user_id, sensor_id, kind, severity, status, host, "
               "description, "
               "last_seen) values (gen_random_uuid(), '" +
                   owner->id + "', '" + sensor +
                   "', 'traffic_threshold', 'MEDIUM', 'open', '10.0.0.5', 'x', now() - interval '" +
                   std::to_string(10 - i) + " minutes')");
    st::scalar(
        url,
        "insert into network_alerts (id, user_id, sensor_id, kind, severity, status, description, "
        "last_seen) values (gen_random_uuid(), '" +
            owner->id + "', '" + sensor +
            "', 'sensor_health', 'HIGH', 'open', 'dataplane_down: sensor: down', now() - interval "
            "'" +
            std::to_string(10 - i) + " minutes')");
  }
  st::scalar(url,
             "insert into network_alerts (id, user_id, sensor_id, kind, severity, status, "
             "description) values "
             "(gen_random_uuid(), '" +
                 owner->id + "', '" + sensor +
                 "', 'sensor_health', 'LOW', 'open', "
                 "'source_drops: sensor: drops')");
  ASSERT_EQ(st::migrate_url(url), "");
  EXPECT_EQ(st::count(url, "select count(*) from network_alerts where status = 'open'"), 3);
  EXPECT_EQ(st::count(url,
                      "select count(*) from network_alerts where status = 'resolved' and "
                      "resolved_by = 'restart'"),
            10);
  EXPECT_EQ(st::count(url,
                      "select count(*) from network_alerts where status = 'open' and last_seen > "
                      "now() - interval '6 minutes'"),
            3);
  // The index refuses a second open row of one key.
  EXPECT_THROW(st::scalar(url,
                          "insert into network_alerts (id, user_id, sensor_id, kind, severity, "
                          "status, host) values "
                          "(gen_random_uuid(), '" +
                              owner->id + "', '" + sensor +
                              "', 'traffic_threshold', 'MEDIUM', 'open', '10.0.0.5')"),
               std::exception);
}

// Item 5: config.json corrupt, then missing: the newest stored config comes back, with a
// HIGH config_recovered alert and the bad file kept aside.
TEST(ConfigRecovery, CorruptOrMissingFileFallsBackToTheStoredConfig) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = owned_db(*cluster, "recover");
  SensorDir s("ctlrs-rec");
  {
    ControlProcess c(fault_control(s, url), run_log(s, 0));
    ASSERT_NE(c.wait_port(), 0) << c.log();
    auto r =
        post(c.port(), "/api/config",
             R"({"traffic_threshold_pps":4242,"protocol_blacklist":["GRE","tcp/23"]})", s.token());
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_TRUE(eventually(
        [&] { return st::count(url, "select count(*) from network_configs") == 1; }, 60000));
    EXPECT_EQ(c.stop(), 0) << c.log();
  }
  std::ofstream(s.dir / "config.json", std::ios::trunc)
      << "{\"traffic_threshold_pps\": 12, \"proto";  // torn write
  for (int run = 1; run <= 2; ++run) {
    ControlProcess c(fault_control(s, url), run_log(s, run));
    ASSERT_NE(c.wait_port(), 0) << "did not start on run " << run << ": " << c.log();
    Json cfg(get(c.port(), "/api/config", s.token()).body);
    EXPECT_EQ(cfg["traffic_sent_pps"].get_double().value_unsafe(), 4242) << "run " << run;
    EXPECT_EQ(simdjson::to_string(cfg["protocol_blacklist"]), R"(["GRE","tcp/23"])");
    EXPECT_EQ(api_alert(c.port(), s.token(), "config_recovered", "severity"), "HIGH") << c.log();
    EXPECT_EQ(api_alert(c.port(), s.token(), "config_recovered", "status"), "open");
    EXPECT_EQ(api_alert(c.port(), s.token(), "config_recovered", "count"), std::to_string(run));
    EXPECT_NE(c.log().find("recovered the newest config"), std::string::npos) << c.log();
    ASSERT_TRUE(eventually([&] { return open_rows(url, "config_recovered") == 1; }, 60000));
    EXPECT_EQ(c.stop(), 0) << c.log();
    // The recovered config is saved in place; the torn file is kept aside (first run).
    Json saved(read_file(s.dir / "config.json"));
    EXPECT_EQ(saved["traffic_sent_pps"].get_double().value_unsafe(), 4242);
    size_t kept = 0;
    for (const auto& e : fs::directory_iterator(s.dir))
      if (e.path().filename().string().rfind("config.json.corrupt-", 0) == 0) {
        ++kept;
        EXPECT_NE(read_file(e.path()).find("\"proto"), std::string::npos);
      }
    EXPECT_EQ(kept, 1u);
    fs::remove(s.dir / "config.json");  // the second run: the file is missing
  }
  EXPECT_EQ(
      st::count(url, "select count(*) from network_alerts where condition = 'config_recovered'"),
      1);
}

// Item 5: without a database a corrupt file is still a clear refusal to start.
TEST(ConfigRecovery, WithoutADatabaseACorruptFileStopsTheStart) {
  ::unsetenv("SECURENET_DATABASE_URL");
  SensorDir s("ctlrs-nodb");
  std::ofstream(s.dir / "config.json") << "{not json";
  ControlProcess c(fault_control(s, ""), run_log(s, 0));
  EXPECT_EQ(c.wait_port(), 0);
  const int st = c.wait();
  EXPECT_TRUE(st > 0 && st < 128) << st;  // exited with an error code, not a signal
  EXPECT_NE(c.log().find("config.json"), std::string::npos) << c.log();
  EXPECT_NE(c.log().find("malformed JSON"), std::string::npos) << c.log();
  EXPECT_TRUE(fs::exists(s.dir / "config.json"));
}

namespace {

pid_t pid_file(const fs::path& p) {
  std::ifstream in(p);
  long v = 0;
  return in >> v ? static_cast<pid_t>(v) : 0;
}

// /api/status's totals are the running dataplane's own (they restart with it); /api/metrics'
// go on across dataplane restarts.
uint64_t total_packets(uint16_t port, const std::string& token, const char* route = "/api/status") {
  auto r = try_get(port, route, token);
  if (r.status != 200) return 0;
  Json j(r.body);
  uint64_t v = 0;
  return j["totals"]["packets"].get_uint64().get(v) == simdjson::SUCCESS ? v : 0;
}

// The dataplane's own packet counter (Prometheus securenet_packets_total), 0 if unknown.
double raw_packets(uint16_t port) {
  auto r = try_get(port, "/metrics");
  const auto at = r.body.find("\nsecurenet_packets_total ");
  return at == std::string::npos ? 0 : std::strtod(r.body.c_str() + at + 25, nullptr);
}

size_t alerts_of(uint16_t port, const std::string& token, const std::string& condition) {
  Json j(try_get(port, "/api/alerts?limit=1000", token).body);
  simdjson::dom::array arr;
  if (j["alerts"].get_array().get(arr) != simdjson::SUCCESS) return 0;
  size_t n = 0;
  for (auto a : arr) n += json_str(a["condition"].value()) == condition;
  return n;
}

}  // namespace

// Item 6: scripts/sensor.sh under pcap-replay traffic; kill -9 of the dataplane, then of
// the control plane. Each is restarted (new pid) while the other keeps running; the
// counts go on; one dataplane_down alert opens and resolves.
TEST(Supervision, SensorShRestartsAKilledDataplaneAndControlPlane) {
  SN_CLUSTER_OR_SKIP(cluster);
  const std::string url = cluster->create_database("supervise");  // sensor.sh migrates it
  SensorDir s("ctlrs-sup");
  const fs::path pcap = s.dir / "mix.pcap";
  {
    ChildProcess gen({PCAPGEN_BIN, "--out", pcap.string(), "--packets", "20000", "--hosts", "32",
                      "--pps", "1000"},
                     (s.dir / "pcapgen.log").string());
    ASSERT_EQ(gen.wait(), 0);
  }
  const uint16_t port = st::free_port();
  ChildProcess sh(securenet::test::SpawnOptions{
      {"/bin/bash", SOURCE_DIR "/scripts/sensor.sh", "--state-dir", s.dir.string(), "--port",
       std::to_string(port), "--instance", s.instance},
      (s.dir / "sensor.log").string(),
      {"SECURENET_DATABASE_URL=" + url, "SECURENET_BUILD_DIR=" BUILD_DIR,
       "SECURENET_SOURCE_ARGS=--source pcap --target " + pcap.string() + " --loops 0 --rate 1000"},
      {}});
  auto log = [&] { return read_file(s.dir / "sensor.log"); };
  ASSERT_TRUE(eventually([&] { return try_get(port, "/health").status == 200; }, 120000)) << log();
  EXPECT_TRUE(fs::exists("/dev/shm/securenet-" + s.instance))
      << "--instance was not honoured with --state-dir";
  const std::string token = s.token();
  ASSERT_EQ(post(port, "/api/config", R"({"clear_hold_s":1})", token).status, 200);
  ASSERT_TRUE(eventually([&] { return total_packets(port, token) > 1000; }, 60000)) << log();
  // A control plane that ticked before the dataplane's segment existed saw it down once:
  // wait for that to resolve and count from there.
  ASSERT_TRUE(eventually(
      [&] { return api_alert(port, token, "dataplane_down", "status") != "open"; }, 60000));
  const size_t down0 = alerts_of(port, token, "dataplane_down");

  // kill -9 the dataplane: restarted by sensor.sh; the control plane stays up.
  const pid_t dp1 = pid_file(s.dir / "dataplane.pid"), cp1 = pid_file(s.dir / "control.pid");
  ASSERT_GT(dp1, 0);
  ASSERT_GT(cp1, 0);
  const uint64_t before_dp_kill = total_packets(port, token, "/api/metrics");
  ASSERT_EQ(::kill(dp1, SIGKILL), 0);
  ASSERT_TRUE(
      eventually([&] { return alerts_of(port, token, "dataplane_down") == down0 + 1; }, 60000))
      << log();
  ASSERT_TRUE(eventually(
      [&] {
        const pid_t p = pid_file(s.dir / "dataplane.pid");
        return p > 0 && p != dp1 && ::kill(p, 0) == 0;
      },
      60000))
      << log();
  EXPECT_EQ(pid_file(s.dir / "control.pid"), cp1);
  EXPECT_EQ(::kill(cp1, 0), 0) << "the control plane died with the dataplane";
  ASSERT_TRUE(eventually(
      [&] { return api_alert(port, token, "dataplane_down", "status") == "resolved"; }, 60000))
      << try_get(port, "/api/alerts", token).body;
  EXPECT_EQ(alerts_of(port, token, "dataplane_down"), down0 + 1);
  // Counts go on from where they were (the new dataplane counts from zero).
  EXPECT_GE(total_packets(port, token, "/api/metrics"), before_dp_kill);
  ASSERT_TRUE(eventually(
      [&] { return total_packets(port, token, "/api/metrics") > before_dp_kill + 1000; }, 60000));
  ASSERT_TRUE(eventually(
      [&] {
        return st::count(url,
                         "select count(*) from network_alerts where condition = 'dataplane_down' "
                         "and status = 'resolved'") == static_cast<long>(down0 + 1);
      },
      60000))
      << log();

  // kill -9 the control plane: restarted; the dataplane keeps counting meanwhile.
  const pid_t dp2 = pid_file(s.dir / "dataplane.pid");
  const double raw_before = raw_packets(port);
  ASSERT_GT(raw_before, 0);
  ASSERT_EQ(::kill(cp1, SIGKILL), 0);
  ASSERT_TRUE(eventually(
      [&] {
        const pid_t p = pid_file(s.dir / "control.pid");
        return p > 0 && p != cp1 && try_get(port, "/health").status == 200;
      },
      120000))
      << log();
  EXPECT_EQ(pid_file(s.dir / "dataplane.pid"), dp2);
  EXPECT_EQ(::kill(dp2, 0), 0) << "the dataplane died with the control plane";
  ASSERT_TRUE(eventually([&] { return raw_packets(port) > raw_before + 1000; }, 60000)) << log();
  EXPECT_EQ(alerts_of(port, token, "dataplane_down"), 0u)
      << "the dataplane was never down for the new control plane";
  EXPECT_EQ(
      st::count(url, "select count(*) from network_alerts where condition = 'dataplane_down'"),
      static_cast<long>(down0 + 1));
  EXPECT_EQ(st::count(url,
                      "select count(*) from network_alerts where status = 'open' and condition = "
                      "'dataplane_down'"),
            0);
  sh.stop();  // SIGTERM: sensor.sh stops both
  EXPECT_FALSE(fs::exists("/dev/shm/securenet-" + s.instance));
}
