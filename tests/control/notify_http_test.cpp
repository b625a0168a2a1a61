// Notifications through the real control plane (in-process App + routes + HttpServer over a
// real segment): a traffic burst opens an alert, the webhook, syslog and exec receivers get
// it, GET /api/alerts/{id}/actions lists the deliveries, GET /api/status counts them, and a
// resolve through the API sends the resolve (the script's unban).
#include <sys/stat.h>

#include "child_process.h"
#include "http/routes_notify.h"
#include "http_fixture.h"
#include "notify/notifier.h"
#include "notify_receivers.h"
#include "securenet/common/json_writer.h"

using namespace sn_test;
using namespace securenet::control;

namespace {
std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : "<not a string>";
}
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
// A temporary folder, removed also when an ASSERT ends the test early.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const char* prefix) {
    std::string t = std::string("/tmp/") + prefix + "-XXXXXX";
    path = ::mkdtemp(t.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};
}  // namespace

TEST(NotifyHttp, AlertReachesEveryChannelAndItsActionsAreListed) {
  notify_test::HttpReceiver hook;
  notify_test::UdpReceiver syslog;
  notify_test::HttpReceiver down;
  down.fail_first = 1000;
  TempDir tmp("securenet-notify-http");
  const std::filesystem::path& dir = tmp.path;
  auto script = dir / "ban.sh";
  std::ofstream(script) << "#!/bin/sh\necho \"$@\" >> " << (dir / "calls").string() << "\n";
  ::chmod(script.c_str(), 0755);
  auto cfg = parse_notify_config(
      R"({"sensor":"edge-1","webhooks":[{"name":"soc","url":")" + hook.url() +
      R"(","secret":"k"},{"name":"down","url":")" + down.url() +
      R"(","retries":1,"backoff_ms":10}],"syslog":[{"name":"siem","host":"127.0.0.1","port":)" +
      std::to_string(syslog.port()) + R"(}],"exec":[{"name":"ban","notify_script":")" +
      script.string() + R"("}]})");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  Notifier notifier(*cfg);
  ControlServer srv(64, true, [&](App& app, Router& r) {
    app.subscribe(notifier);
    app.add_status_section(
        {"notifications", [&](securenet::JsonWriter& w) { notifier.write_status(w); }});
    register_notify_routes(r, notifier.log());
  });
  std::string tok = srv.token();
  srv.dp().send("10.0.0.77", 1);
  ASSERT_TRUE(
      eventually([&] { return get(srv.port(), "/api/hosts/10.0.0.77", tok).status == 200; }));
  srv.dp().send("10.0.0.77", 50000);
  ASSERT_TRUE(hook.hits.wait_for(1, std::chrono::seconds(30)));
  Json body(hook.hits.items()[0].body);
  std::string id = str(body["alert"]["id"]);
  EXPECT_EQ(str(body["event"]), "alert.opened");
  EXPECT_EQ(str(body["alert"]["host"]), "10.0.0.77");
  ASSERT_TRUE(syslog.lines.wait_for(1));
  EXPECT_NE(syslog.lines.items()[0].find("externalId=" + id), std::string::npos);

  // Every channel's outcome, for the alert detail page (a viewer may read it).
  std::string viewer = srv.token(3600, 0, kSecret, "viewer");
  ASSERT_TRUE(eventually([&] {
    Json j(get(srv.port(), "/api/alerts/" + id + "/actions", viewer).body);
    simdjson::dom::array list = j["actions"].get_array().value();
    return list.size() == 4;
  }));
  Json acts(get(srv.port(), "/api/alerts/" + id + "/actions", viewer).body);
  std::map<std::string, std::string> result;
  simdjson::dom::array list = acts["actions"].get_array().value();
  for (auto a : list) result[str(a["channel"])] = str(a["result"]) + " " + str(a["detail"]);
  EXPECT_EQ(result["soc"], "delivered HTTP 204");
  EXPECT_EQ(result["down"], "failed HTTP 500");
  EXPECT_EQ(result["siem"], "delivered sent (udp)");
  EXPECT_EQ(result["ban"], "delivered exit 0");
  EXPECT_EQ(
      slurp(dir / "calls"),
      "10.0.0.77 outgoing " +
          std::to_string(static_cast<long>(body["alert"]["value"].get_double().value() + 0.5)) +
          " ban\n");
  EXPECT_EQ(get(srv.port(), "/api/alerts/xyz/actions", viewer).status, 400);
  EXPECT_EQ(get(srv.port(), "/api/alerts/" + id + "/actions").status, 401);

  Json st(get(srv.port(), "/api/status", viewer).body);
  EXPECT_EQ(st["notifications"]["dead_letter"].get_uint64().value(), 1u);

  ASSERT_EQ(post(srv.port(), "/api/alerts/" + id + "/resolve", "", tok).status, 200);
  ASSERT_TRUE(hook.hits.wait_for(2));
  Json resolved(hook.hits.items()[1].body);
  EXPECT_EQ(str(resolved["event"]), "alert.resolved");
  EXPECT_TRUE(
      eventually([&] { return slurp(dir / "calls").find(" unban\n") != std::string::npos; }));
  srv.stop();
}

// https webhooks and syslog over TLS: the certificate is verified (a CA the sensor does not trust
// is refused, a trusted one is used); a self-signed certificate made with the openssl tool.
TEST(NotifyHttp, HttpsWebhookAndSyslogTlsVerifyTheCertificate) {
  namespace test = securenet::test;
  if (test::sh("openssl version >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "openssl command-line tool not installed (apt-get install -y openssl)";
  TempDir tmp("securenet-notify-tls");
  const std::filesystem::path& dir = tmp.path;
  ASSERT_EQ(test::sh("cd '" + dir.string() +
                     "' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
                     " -keyout key.pem -out cert.pem -days 1 -subj /CN=securenet-test"
                     " -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1"),
            0);
  std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  notify_test::HttpReceiver rx(cert, key);
  notify_test::TcpReceiver syslog(cert, key);
  auto cfg = parse_notify_config(
      R"({"webhooks":[{"name":"trusted","url":")" + rx.url() + R"(","ca_file":")" + cert +
      R"(","secret":"k"},)" + R"({"name":"untrusted","url":")" + rx.url() +
      R"(","retries":0}],"syslog":[{"name":"tls","transport":"tls","host":"127.0.0.1","port":)" +
      std::to_string(syslog.port()) + R"(,"ca_file":")" + cert + R"("}]})");
  ASSERT_TRUE(cfg.ok()) << cfg.error().message;
  Notifier n(*cfg);
  Alert a;
  a.id = "00000000-0000-4000-8000-00000000aaaa";
  a.host = "10.0.0.8";
  n.on_alert_changed(a);
  ASSERT_TRUE(eventually([&] { return n.log().for_alert(a.id).size() == 3; }));
  std::map<std::string, std::string> result;
  for (const auto& r : n.log().for_alert(a.id)) result[r.channel] = r.result + " " + r.detail;
  EXPECT_EQ(result["trusted"], "delivered HTTP 204");
  EXPECT_EQ(result["untrusted"].rfind("failed tls: ", 0), 0u) << result["untrusted"];
  EXPECT_EQ(result["tls"], "delivered sent (tls)");
  ASSERT_TRUE(syslog.lines.wait_for(1));
  EXPECT_NE(syslog.lines.items()[0].find("externalId=" + a.id), std::string::npos);
  EXPECT_EQ(syslog.lines.items()[0].rfind("<", 0), 0u);
  ASSERT_TRUE(rx.hits.wait_for(1));
  auto hit = rx.hits.items()[0];
  EXPECT_NE(hit.body.find(a.id), std::string::npos);
  EXPECT_EQ(hit.headers["Host"], "127.0.0.1:" + std::to_string(rx.port()));
}
