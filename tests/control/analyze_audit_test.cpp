// Each capture analysis (POST /api/analyze) is an audit row `capture_analysed` (migration
// 0016 lets the action through the check): the real securenet-control and securenet-analyze
// on a throwaway PostgreSQL 15, connected as the least-privileged securenet_sensor role.
// A one-packet pcap built here and a file that is no capture each leave a row with who,
// from where, the outcome and the sizes. Label db (linked into control_block_audit_test:
// one cluster per binary).
#include <filesystem>
#include <fstream>

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

// A pcap (microseconds, Ethernet) of one 60-byte frame.
std::string one_packet_pcap() {
  const unsigned char header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
                                    0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
  const unsigned char record[16] = {0x00, 0xf1, 0x53, 0x65, 0, 0, 0, 0, 60, 0, 0, 0, 60, 0, 0, 0};
  std::string s(reinterpret_cast<const char*>(header), sizeof header);
  s.append(reinterpret_cast<const char*>(record), sizeof record);
  s.append(60, '\0');
  return s;
}

HttpResult post_capture(uint16_t port, const std::string& body, const std::string& token) {
  HttpClient c(port);
  c.write_raw(
      "POST /api/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/vnd.tcpdump.pcap\r\nAuthorization: Bearer " +
      token + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  return c.read_response();
}

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

}  // namespace

TEST(AnalyzeAudit, EachAnalysisIsAnAuditRow) {
  std::string why;
  auto* cluster = st::PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("analyzeaudit");
  ASSERT_EQ(st::migrate_url(url), "");
  securenet::store::Session s(securenet::store::db_config_from(url));
  auto admin = securenet::store::create_user(s, "admin@example.com", "admin-password-1", "admin");
  ASSERT_TRUE(admin);
  st::scalar(url, "alter role securenet_sensor login; select 1");

  const SensorDir sensor("anaudit");
  auto opts = sensor.control();
  opts.db = st::url_as(url, "securenet_sensor");
  opts.owner_email = "admin@example.com";
  opts.extra = {"--analyze-bin", ANALYZE_BIN};
  ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port(15s);
  ASSERT_NE(port, 0) << control.log();
  auto login = post(port, "/api/auth/login",
                    R"({"email":"admin@example.com","password":"admin-password-1"})");
  ASSERT_EQ(login.status, 200) << login.body;
  const std::string token = str(Json(login.body)["access_token"]);

  const std::string pcap = one_packet_pcap();
  auto ok = post_capture(port, pcap, token);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(Json(ok.body)["packets"].get_uint64().value(), 1u);
  EXPECT_EQ(post_capture(port, "no capture at all", token).status, 400);
  const std::string q =
      "select string_agg(concat_ws(' ', details->>'outcome', details->>'file_bytes', "
      "details->>'packets', details->>'alerts', actor_id::text, source_addr), ',' order by "
      "details->>'outcome' desc) from audit_log where action = 'capture_analysed'";
  const std::string want = "ok " + std::to_string(pcap.size()) + " 1 0 " + admin->id +
                           " 127.0.0.1,not_a_capture 17 0 0 " + admin->id + " 127.0.0.1";
  std::string got;
  EXPECT_TRUE(eventually(
      [&] {
        got = st::scalar(url, q);
        return got == want;
      },
      20000))
      << got << "\n"
      << control.log();
  EXPECT_EQ(control.log().find("violates check constraint"), std::string::npos) << control.log();
  EXPECT_EQ(control.stop(), 0);
}
