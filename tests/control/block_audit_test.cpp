// Every block and unblock is audited (issue 16): the real securenet-control on a throwaway
// PostgreSQL 15, connected as the least-privileged securenet_sensor role, with blocking
// enabled and /bin/true standing in for the gobgp CLI (the BGP side is block_bgp_test's):
// an admin's block, unblock and a refused block of a protected address each leave an
// audit_log row with who, from where and which address. Label db.
#include <unistd.h>

#include <filesystem>
#include <fstream>
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
namespace st = securenet::testing;

namespace {
std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}
}  // namespace

TEST(BlockAudit, BlockUnblockAndRefusalAreAuditRows) {
  std::string why;
  auto* cluster = st::PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("blockaudit");
  ASSERT_EQ(st::migrate_url(url), "");
  securenet::store::Session s(securenet::store::db_config_from(url));
  auto admin = securenet::store::create_user(s, "admin@example.com", "admin-password-1", "admin");
  ASSERT_TRUE(admin);
  st::scalar(url, "alter role securenet_sensor login; select 1");

  const SensorDir sensor("blkaudit");
  std::ofstream(sensor.dir / "block.json")
      << R"({"enabled":true,"gobgp":"/bin/true","protected_prefixes":["198.51.100.0/24"]})";
  auto opts = sensor.control();
  opts.db = st::url_as(url, "securenet_sensor");
  opts.owner_email = "admin@example.com";
  opts.extra = {"--block-config", (sensor.dir / "block.json").string()};
  ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port(15s);
  ASSERT_NE(port, 0) << control.log();
  auto login = post(port, "/api/auth/login",
                    R"({"email":"admin@example.com","password":"admin-password-1"})");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = str(Json(login.body)["access_token"]);

  ASSERT_EQ(post(port, "/api/blocks", R"({"ip":"203.0.113.9","ban_s":60})", token).status, 200);
  EXPECT_EQ(post(port, "/api/blocks", R"({"ip":"198.51.100.4"})", token).status, 409);
  HttpClient c(port);
  EXPECT_EQ(
      c.request(boost::beast::http::verb::delete_, "/api/blocks/203.0.113.9", "{}", token).status,
      200);
  const std::string q =
      "select string_agg(action || ' ' || (details->>'ip') || ' ' || coalesce(actor_id::text, '') "
      "|| ' ' || source_addr, ',' order by action) from audit_log where action like '%block%'";
  const std::string want = "block 203.0.113.9 " + admin->id + " 127.0.0.1,block_refused " +
                           "198.51.100.4 " + admin->id + " 127.0.0.1,unblock 203.0.113.9 " +
                           admin->id + " 127.0.0.1";
  std::string got;
  EXPECT_TRUE(eventually(
      [&] {
        got = st::scalar(url, q);
        return got == want;
      },
      20000))
      << got << "\n"
      << control.log();
  EXPECT_EQ(st::scalar(url,
                       "select details->>'reason' from audit_log where action = "
                       "'block_refused'"),
            "protected prefix");
  EXPECT_EQ(control.log().find("permission denied"), std::string::npos) << control.log();
  EXPECT_EQ(control.stop(), 0);
}

// Prefix blocks through the API (blackhole; /bin/true stands in for gobgp): the hostile
// bodies are 400s that leave no row, a prefix over a protected one is refused and audited,
// an accepted one is audited with its prefix and comes off by DELETE /api/blocks/<net>/<len>.
TEST(BlockAudit, PrefixBlocksThroughTheApiAreCheckedAndAudited) {
  std::string why;
  auto* cluster = st::PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("blockprefix");
  ASSERT_EQ(st::migrate_url(url), "");
  securenet::store::Session s(securenet::store::db_config_from(url));
  auto admin = securenet::store::create_user(s, "admin@example.com", "admin-password-1", "admin");
  ASSERT_TRUE(admin);
  st::scalar(url, "alter role securenet_sensor login; select 1");
  const SensorDir sensor("blkprefix");
  std::ofstream(sensor.dir / "block.json")
      << R"({"enabled":true,"gobgp":"/bin/true","protected_prefixes":["198.51.100.0/28"]})";
  auto opts = sensor.control();
  opts.db = st::url_as(url, "securenet_sensor");
  opts.owner_email = "admin@example.com";
  opts.extra = {"--block-config", (sensor.dir / "block.json").string()};
  ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port(15s);
  ASSERT_NE(port, 0) << control.log();
  auto login = post(port, "/api/auth/login",
                    R"({"email":"admin@example.com","password":"admin-password-1"})");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = str(Json(login.body)["access_token"]);

  for (const char* bad :
       {R"({"prefix":"203.0.113.7/24"})", R"({"prefix":"203.0.0.0/16"})",
        R"({"prefix":"::/80","mode":"xdp"})", R"({"prefix":"203.0.113.0/24","ip":"203.0.113.1"})",
        R"({"prefix":"203.0.113.0/24","mode":"flowspec"})", R"({"prefix":24})", R"({"prefix":""})",
        R"({"prefix":"203.0.113.0/24000000000000000000000000000000000000000000"})"}) {
    auto r = post(port, "/api/blocks", bad, token);
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
    EXPECT_NE(r.body.find("invalid_parameter"), std::string::npos) << r.body;
  }
  auto host_bits = post(port, "/api/blocks", R"({"prefix":"203.0.113.7/24"})", token);
  EXPECT_NE(host_bits.body.find("its network is 203.0.113.0/24"), std::string::npos)
      << host_bits.body;
  EXPECT_EQ(post(port, "/api/blocks", R"({"prefix":"198.51.100.0/24"})", token).status, 409);
  auto ok = post(port, "/api/blocks", R"({"prefix":"203.0.113.0/24","ban_s":60})", token);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_NE(ok.body.find(R"("ip":"203.0.113.0/24","prefix":"203.0.113.0/24","mode":"blackhole")"),
            std::string::npos)
      << ok.body;
  HttpClient c(port);
  EXPECT_EQ(c.request(boost::beast::http::verb::delete_, "/api/blocks/203.0.113.0/24", "{}", token)
                .status,
            200);
  EXPECT_EQ(c.request(boost::beast::http::verb::delete_, "/api/blocks/203.0.113.0/24", "{}", token)
                .status,
            404);
  const std::string q =
      "select string_agg(action || ' ' || (details->>'ip') || ' ' || (details->>'prefix') || ' ' "
      "|| (details->>'reason'), ',' order by action) from audit_log where action like '%block%'";
  const std::string want =
      "block 203.0.113.0/24 203.0.113.0/24 manual,block_refused 198.51.100.0/24 "
      "198.51.100.0/24 protected prefix,unblock 203.0.113.0/24 203.0.113.0/24 manual unblock";
  std::string got;
  EXPECT_TRUE(eventually(
      [&] {
        got = st::scalar(url, q);
        return got == want;
      },
      20000))
      << got << "\n"
      << control.log();
  EXPECT_EQ(control.stop(), 0);
}
