// Every endpoint of the real server on an ephemeral loopback port: status codes, JSON
// shapes, 4xx JSON errors, auth refusals, static files and path escapes, limits.
#include "http_fixture.h"

using namespace sn_test;
namespace http = boost::beast::http;

namespace {

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s)
                                                    : std::string("<not a string>");
}

simdjson::dom::array arr(simdjson::dom::element e) {
  simdjson::dom::array a;
  EXPECT_EQ(e.get_array().get(a), simdjson::SUCCESS);
  return a;
}

void expect_json_error(const HttpResult& r, int status, const std::string& error,
                       const std::string& detail_part = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_NE(r.header("Content-Type").find("application/json"), std::string::npos);
  Json j(r.body);
  EXPECT_EQ(str(j["error"]), error) << r.body;
  EXPECT_NE(str(j["detail"]).find(detail_part), std::string::npos) << r.body;
}

class Http : public ::testing::Test {
 protected:
  ControlServer srv;
  std::string tok = srv.token();
};

}  // namespace

TEST_F(Http, HealthNeedsNoToken) {
  auto r = get(srv.port(), "/health");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"ok\"}");
}

TEST_F(Http, PrometheusNeedsNoToken) {
  auto r = get(srv.port(), "/metrics");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.header("Content-Type").find("text/plain"), std::string::npos);
  for (const char* m :
       {"securenet_packets_total ", "securenet_bytes_total ", "securenet_pps ",
        "securenet_active_hosts ", "securenet_parse_errors_total{reason=\"truncated_tcp\"}",
        "securenet_alerts_open{severity=\"HIGH\"}"}) {
    EXPECT_NE(r.body.find(m), std::string::npos) << m;
  }
}

TEST_F(Http, ApiRefusesMissingInvalidExpiredAndAlgNoneTokens) {
  const std::string kBody = "{\"error\":\"unauthorized\",\"detail\":\"missing or invalid token\"}";
  std::string payload = std::string("{\"sub\":\"") + kUser +
                        "\",\"aud\":\"authenticated\",\"role\":\"authenticated\",\"exp\":" +
                        std::to_string(std::time(nullptr) + 3600) + "}";
  std::string alg_none = b64url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64url(payload) + ".";
  std::string parts[] = {tok.substr(0, tok.find('.')), tok.substr(tok.find('.') + 1)};
  std::string tampered = tok;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  std::vector<std::string> bad = {
      "",                                                        // missing
      "garbage",                                                 // not a JWT
      srv.token(3600, 0, "some-other-secret-0123456789abcdef"),  // wrong key
      srv.token(60, std::time(nullptr) - 7200),                  // expired
      alg_none,                                                  // alg none
      tampered,                                                  // bad signature
  };
  for (const char* path :
       {"/api/status", "/api/metrics", "/api/config", "/api/alerts", "/api/hosts", "/api/nope"}) {
    for (const auto& t : bad) {
      auto r = get(srv.port(), path, t);
      EXPECT_EQ(r.status, 401) << path << " token=" << t;
      EXPECT_EQ(r.body, kBody);
    }
  }
  // Basic auth / a token without the Bearer scheme / a token in the query of a non-SSE path.
  HttpClient c(srv.port());
  auto basic =
      c.request(http::verb::get, "/api/status", "", "", {{"Authorization", "Basic dXNlcjpwYXNz"}});
  EXPECT_EQ(basic.status, 401);
  auto bare = c.request(http::verb::get, "/api/status", "", "", {{"Authorization", tok}});
  EXPECT_EQ(bare.status, 401);
  EXPECT_EQ(get(srv.port(), "/api/status?access_token=" + tok).status, 401);
  EXPECT_EQ(post(srv.port(), "/api/config", "{}", "").status, 401);
  // The good token works.
  EXPECT_EQ(get(srv.port(), "/api/status", tok).status, 200);
}

TEST_F(Http, Status) {
  ASSERT_TRUE(eventually([&] {
    Json j(get(srv.port(), "/api/status", tok).body);
    return str(j["dataplane"]["state"]) == "up";
  }));
  auto r = get(srv.port(), "/api/status", tok);
  ASSERT_EQ(r.status, 200);
  Json j(r.body);
  EXPECT_EQ(str(j["dataplane"]["source"]), "pcap");
  EXPECT_EQ(str(j["dataplane"]["source_name"]), "test.pcap");
  EXPECT_EQ(j["dataplane"]["pid"].get_uint64().value(), static_cast<uint64_t>(::getpid()));
  EXPECT_EQ(j["dataplane"]["workers"].get_uint64().value(), 1u);
  EXPECT_TRUE(j["rates"]["pps"].is_number());
  EXPECT_TRUE(j["rates"]["drops_per_s"].is_number());
  EXPECT_TRUE(j["totals"]["packets"].is_number());
  EXPECT_EQ(str(j["database"]["state"]), "disabled");
  EXPECT_EQ(j["database"]["spool_backlog"].get_uint64().value(), 0u);
  EXPECT_EQ(str(j["control"]["version"]), "0.1.0");
  EXPECT_EQ(j["control"]["tick_ms"].get_int64().value(), 50);
}

TEST_F(Http, MetricsShapeAndValues) {
  srv.dp().send("10.0.0.1", 10);
  ASSERT_TRUE(eventually([&] {
    Json j(get(srv.port(), "/api/metrics", tok).body);
    uint64_t p = 0;
    return j["totals"]["packets"].get_uint64().get(p) == simdjson::SUCCESS && p == 10;
  }));
  auto r = get(srv.port(), "/api/metrics", tok);
  ASSERT_EQ(r.status, 200);
  Json j(r.body);
  for (const char* k : {"packets", "bytes", "ipv4", "ipv6", "arp", "fragments", "tcp_syn",
                        "blacklisted", "parse_errors", "source_drops"}) {
    EXPECT_TRUE(j["totals"][k].is_number()) << k;
  }
  EXPECT_TRUE(j["rates"]["pps"].is_number());
  EXPECT_TRUE(j["rates"]["bps"].is_number());
  EXPECT_TRUE(j["active_hosts"].is_number());
  EXPECT_TRUE(j["connections_per_min"].is_number());
  for (const char* s : {"CRITICAL", "HIGH", "MEDIUM", "LOW"})
    EXPECT_TRUE(j["anomalies"][s].is_number()) << s;
  for (const char* p : {"tcp", "udp", "icmp", "igmp", "other"})
    EXPECT_TRUE(j["protocols"][p].is_number()) << p;
  EXPECT_EQ(j["protocols"]["udp"].get_uint64().value(), 10u);
  EXPECT_TRUE(j["parse_errors"]["truncated_tcp"].is_number());
  auto talkers = arr(j["top_talkers"]);
  ASSERT_EQ(talkers.size(), 1u);
  EXPECT_EQ(str(talkers.at(0)["ip"].value()), "10.0.0.1");
  EXPECT_EQ(get(srv.port(), "/api/metrics?top=3", tok).status, 200);
  expect_json_error(get(srv.port(), "/api/metrics?top=1000", tok), 400, "invalid_parameter", "top");
}

TEST_F(Http, MetricsResetAndHistory) {
  srv.dp().send("10.0.0.1", 10);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/metrics", tok).body)["totals"]["packets"]
               .get_uint64()
               .value() == 10;
  }));
  auto r = post(srv.port(), "/api/metrics/reset", "", tok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"status\":\"reset\"}");
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/metrics", tok).body)["totals"]["packets"]
               .get_uint64()
               .value() == 0;
  }));
  Json st(get(srv.port(), "/api/status", tok).body);
  EXPECT_EQ(st["totals"]["packets"].get_uint64().value(),
            10u);  // the dataplane's own counters are untouched
  auto h = get(srv.port(), "/api/metrics/history?seconds=60", tok);
  ASSERT_EQ(h.status, 200);
  Json hj(h.body);
  auto pts = arr(hj["points"]);
  ASSERT_GT(pts.size(), 0u);
  auto p0 = pts.at(0).value();
  for (const char* k : {"ts_ms", "pps", "bps", "active_hosts", "connections_per_min"})
    EXPECT_TRUE(p0[k].is_number()) << k;
  expect_json_error(get(srv.port(), "/api/metrics/history?seconds=0", tok), 400,
                    "invalid_parameter", "seconds");
  expect_json_error(get(srv.port(), "/api/metrics/history?seconds=3601", tok), 400,
                    "invalid_parameter");
  expect_json_error(get(srv.port(), "/api/metrics/history?seconds=abc", tok), 400,
                    "invalid_parameter");
}

TEST_F(Http, ConfigGetAndApplyPublishesToTheDataplane) {
  auto g = get(srv.port(), "/api/config", tok);
  ASSERT_EQ(g.status, 200);
  Json j(g.body);
  EXPECT_EQ(j["traffic_sent_pps"].get_double().value(), 1000);
  EXPECT_EQ(arr(j["protocol_blacklist"]).size(), 2u);
  ASSERT_TRUE(
      eventually([&] { return srv.dp().control().generation.load() >= 1; }));  // published at open
  uint64_t gen = srv.dp().control().generation.load();
  auto p = post(
      srv.port(), "/api/config",
      R"({"traffic_threshold_pps":2500,"protocol_blacklist":["GRE","tcp/23"],"sample_one_in":10,
                    "subnet_thresholds":[{"cidr":"10.1.0.0/16","traffic_threshold_pps":9000}]})",
      tok);
  ASSERT_EQ(p.status, 200) << p.body;
  Json pj(p.body);
  EXPECT_EQ(pj["traffic_sent_pps"].get_double().value(), 2500);
  EXPECT_GT(pj["updated_at_ms"].get_int64().value(), 0);
  EXPECT_EQ(srv.dp().control().generation.load(), gen + 1);
  EXPECT_EQ(srv.dp().control().proto_blacklist[0].load(), 1ULL << 47);
  EXPECT_EQ(srv.dp().control().tcp_port_blacklist[0].load(), 1ULL << 23);
  EXPECT_EQ(srv.dp().control().sample_one_in.load(), 10u);
  Json again(get(srv.port(), "/api/config", tok).body);
  EXPECT_EQ(again["traffic_sent_pps"].get_double().value(), 2500);
  EXPECT_TRUE(std::filesystem::exists(srv.dir() / "config.json"));
}

TEST_F(Http, SubnetConnectionRateOverridesRoundTrip) {
  auto p = post(srv.port(), "/api/config",
                R"({"subnet_thresholds":[{"cidr":"10.1.0.0/16","traffic_threshold_pps":9000},
                    {"cidr":"10.1.2.0/24","connection_rate_per_min":5000},
                    {"cidr":"fd00:1::/32","traffic_threshold_pps":9,"connection_rate_per_min":3}]})",
                tok);
  ASSERT_EQ(p.status, 200) << p.body;
  Json j(get(srv.port(), "/api/config", tok).body);
  auto subs = arr(j["subnet_thresholds"]);
  ASSERT_EQ(subs.size(), 3u);
  auto e0 = subs.at(0).value(), e1 = subs.at(1).value(), e2 = subs.at(2).value();
  // Each entry comes back with only the fields it sets.
  EXPECT_EQ(str(e0["cidr"].value()), "10.1.0.0/16");
  EXPECT_EQ(e0["traffic_sent_pps"].get_double().value(), 9000);
  EXPECT_EQ(e0["connection_rate_per_min"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(str(e1["cidr"].value()), "10.1.2.0/24");
  EXPECT_EQ(e1["traffic_sent_pps"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(e1["connection_rate_per_min"].get_double().value(), 5000);
  EXPECT_EQ(e2["traffic_sent_pps"].get_double().value(), 9);
  EXPECT_EQ(e2["connection_rate_per_min"].get_double().value(), 3);
  EXPECT_EQ(j["connection_rate_per_min"].get_double().value(), 100);  // the global is untouched
  auto bad = post(
      srv.port(), "/api/config",
      R"({"subnet_thresholds":[{"cidr":"10.1.0.0/16","traffic_threshold_pps":9000},{"cidr":"10.3.0.0/16"}]})",
      tok);
  expect_json_error(bad, 400, "invalid_config",
                    "subnet_thresholds[1]: give at least one threshold (traffic_sent_pps, ");
  EXPECT_EQ(str(Json(bad.body)["field"]), "subnet_thresholds");
  Json after(get(srv.port(), "/api/config", tok).body);
  EXPECT_EQ(arr(after["subnet_thresholds"]).size(), 3u);  // nothing applied
}

TEST_F(Http, ConfigErrorsAreJsonNameTheFieldAndApplyNothing) {
  expect_json_error(post(srv.port(), "/api/config", "{not json", tok), 400, "invalid_json",
                    "malformed JSON");
  expect_json_error(post(srv.port(), "/api/config", "[1]", tok), 400, "invalid_json", "object");
  auto wrong_type = post(srv.port(), "/api/config", R"({"traffic_threshold_pps":"fast"})", tok);
  expect_json_error(wrong_type, 400, "invalid_config", "traffic_threshold_pps: must be a number");
  EXPECT_EQ(str(Json(wrong_type.body)["field"]), "traffic_threshold_pps");
  expect_json_error(post(srv.port(), "/api/config", R"({"clear_ratio":2})", tok), 400,
                    "invalid_config", "clear_ratio");
  auto unknown = post(srv.port(), "/api/config",
                      R"({"traffic_threshold_pps":5,"protocol_blacklist":["ICMP","FOO"]})", tok);
  expect_json_error(unknown, 400, "invalid_config",
                    "protocol_blacklist[1]: unknown protocol 'FOO'");
  EXPECT_EQ(str(Json(unknown.body)["field"]), "protocol_blacklist");
  expect_json_error(post(srv.port(), "/api/config", R"({"whitelist":["10.0.0.0/40"]})", tok), 400,
                    "invalid_config", "whitelist[0]");
  Json j(get(srv.port(), "/api/config", tok).body);
  EXPECT_EQ(j["traffic_sent_pps"].get_double().value(), 1000);  // nothing applied
  std::string big = "{\"whitelist\":[" + std::string(70 * 1024, ' ') + "]}";
  expect_json_error(post(srv.port(), "/api/config", big, tok), 413, "payload_too_large");
}

TEST_F(Http, AlertsListFilterResolve) {
  srv.dp().send("10.0.0.66", 1);
  // A tick has seen the host before the burst (the burst is then one tick's rate).
  ASSERT_TRUE(
      eventually([&] { return get(srv.port(), "/api/hosts/10.0.0.66", tok).status == 200; }));
  srv.dp().send("10.0.0.66", 50000);  // ~1e6 pps over a 50 ms tick: traffic_sent, escalated
  std::string id;
  ASSERT_TRUE(eventually([&] {
    Json j(get(srv.port(), "/api/alerts?status=open&host=10.0.0.66", tok).body);
    for (auto a : arr(j["alerts"])) {
      if (str(a["kind"].value()) == "traffic_sent") id = str(a["id"].value());
    }
    return !id.empty();
  }));
  auto r = get(srv.port(), "/api/alerts?limit=10", tok);
  ASSERT_EQ(r.status, 200);
  Json j(r.body);
  bool found = false;
  for (auto a : arr(j["alerts"])) {
    if (str(a["id"].value()) != id) continue;
    found = true;
    EXPECT_EQ(str(a["host"].value()), "10.0.0.66");
    EXPECT_EQ(str(a["severity"].value()), "HIGH");  // far above 10x the threshold
    EXPECT_EQ(str(a["status"].value()), "open");
    for (const char* k : {"value", "threshold", "peak", "count", "first_seen_ms", "last_seen_ms"})
      EXPECT_TRUE(a[k].is_number()) << k;
    EXPECT_TRUE(a["resolved_at_ms"].is_null());
    EXPECT_TRUE(a["description"].is_string());
  }
  EXPECT_TRUE(found);
  Json low(get(srv.port(), "/api/alerts?severity=LOW&host=10.0.0.66", tok).body);
  EXPECT_EQ(arr(low["alerts"]).size(), 0u);
  // The host filter takes any spelling of the address (here IPv4-mapped IPv6) and refuses
  // what is not an address (it used to answer an empty list).
  Json mapped(get(srv.port(), "/api/alerts?host=::ffff:10.0.0.66", tok).body);
  bool by_mapped = false;
  for (auto a : arr(mapped["alerts"])) by_mapped |= str(a["id"].value()) == id;
  EXPECT_TRUE(by_mapped);
  for (const char* bad : {"not-an-ip", "10.0.0.256", "10.0.0.0/24", "", "10.0.0.66%00"}) {
    SCOPED_TRACE(bad);
    expect_json_error(get(srv.port(), std::string("/api/alerts?host=") + bad, tok), 400,
                      "invalid_parameter", "host");
  }
  auto one = get(srv.port(), "/api/alerts/" + id, tok);
  EXPECT_EQ(one.status, 200);
  auto res = post(srv.port(), "/api/alerts/" + id + "/resolve", "", tok);
  ASSERT_EQ(res.status, 200);
  Json rj(res.body);
  EXPECT_EQ(str(rj["status"]), "resolved");
  EXPECT_TRUE(rj["resolved_at_ms"].is_number());
  EXPECT_EQ(str(rj["resolved_by"]), "user");
  expect_json_error(
      post(srv.port(), "/api/alerts/00000000-0000-4000-8000-000000000000/resolve", "", tok), 404,
      "not_found");
  expect_json_error(post(srv.port(), "/api/alerts/xyz/resolve", "", tok), 400, "invalid_parameter",
                    "id");
  expect_json_error(get(srv.port(), "/api/alerts?limit=0", tok), 400, "invalid_parameter", "limit");
  expect_json_error(get(srv.port(), "/api/alerts?limit=1001", tok), 400, "invalid_parameter",
                    "limit");
  expect_json_error(get(srv.port(), "/api/alerts?severity=URGENT", tok), 400, "invalid_parameter",
                    "severity");
  expect_json_error(get(srv.port(), "/api/alerts?status=maybe", tok), 400, "invalid_parameter",
                    "status");
}

TEST_F(Http, HostsListAndOne) {
  srv.dp().send("10.0.0.1", 5);
  srv.dp().send("2001:db8::7", 9, securenet::shm::ProtoClass::kTcp);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/hosts", tok).body)["total"].get_uint64().value() == 2;
  }));
  auto r = get(srv.port(), "/api/hosts?sort=packets&limit=1", tok);
  ASSERT_EQ(r.status, 200);
  Json j(r.body);
  auto hosts = arr(j["hosts"]);
  ASSERT_EQ(hosts.size(), 1u);
  auto h = hosts.at(0).value();
  EXPECT_EQ(str(h["ip"].value()), "2001:db8::7");
  EXPECT_EQ(str(h["direction"].value()), "external");
  for (const char* k : {"packets_sent", "bytes_sent", "packets_recv", "bytes_recv", "pps", "bps",
                        "syn_per_min", "blacklisted_packets", "first_seen_ms", "last_seen_ms"}) {
    EXPECT_TRUE(h[k].value().is_number()) << k;
  }
  EXPECT_EQ(h["protocols"]["tcp"].get_uint64().value(), 9u);
  // The rules' sketches and windows are internal (one-word sketches are scalars since
  // layout 7: they must not leak out as numbers).
  for (const char* k :
       {"scan_port_bits", "scan_host_bits", "scan_window", "fanin_bits", "fanin_window"}) {
    EXPECT_EQ(h[k].error(), simdjson::NO_SUCH_FIELD) << k;
  }
  for (const char* s : {"pps", "bps", "packets", "bytes", "conn_per_min"}) {
    EXPECT_EQ(get(srv.port(), std::string("/api/hosts?sort=") + s, tok).status, 200) << s;
  }
  expect_json_error(get(srv.port(), "/api/hosts?sort=name", tok), 400, "invalid_parameter", "sort");
  expect_json_error(get(srv.port(), "/api/hosts?limit=1001", tok), 400, "invalid_parameter",
                    "limit");
  auto one = get(srv.port(), "/api/hosts/10.0.0.1", tok);
  ASSERT_EQ(one.status, 200);
  Json oj(one.body);
  EXPECT_EQ(str(oj["ip"]), "10.0.0.1");
  EXPECT_EQ(str(oj["direction"]), "internal");
  EXPECT_TRUE(oj["alerts"].is_array());
  EXPECT_EQ(get(srv.port(), "/api/hosts/2001%3Adb8%3A%3A7", tok).status, 200);
  EXPECT_EQ(get(srv.port(), "/api/hosts/2001:db8::7", tok).status, 200);
  expect_json_error(get(srv.port(), "/api/hosts/10.9.9.9", tok), 404, "not_found");
  expect_json_error(get(srv.port(), "/api/hosts/not-an-ip", tok), 400, "invalid_parameter", "ip");
}

// The host lists are written once per tick and configuration (HostListCache): a longer
// limit after a shorter one, and a change of the home networks, show in the next request.
TEST_F(Http, HostListFollowsLimitAndConfigWithinATick) {
  srv.dp().send("10.0.0.1", 5);
  srv.dp().send("2001:db8::7", 9);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/hosts", tok).body)["total"].get_uint64().value() == 2;
  }));
  EXPECT_EQ(arr(Json(get(srv.port(), "/api/hosts?sort=packets&limit=1", tok).body)["hosts"]).size(),
            1u);
  Json two(get(srv.port(), "/api/hosts?sort=packets&limit=2", tok).body);
  auto hosts = arr(two["hosts"]);
  ASSERT_EQ(hosts.size(), 2u);
  EXPECT_EQ(str(hosts.at(0).value()["ip"].value()), "2001:db8::7");
  EXPECT_EQ(str(hosts.at(0).value()["direction"].value()), "external");
  EXPECT_EQ(str(hosts.at(1).value()["ip"].value()), "10.0.0.1");
  auto p =
      post(srv.port(), "/api/config", R"({"home_networks":["2001:db8::/32","10.0.0.0/8"]})", tok);
  ASSERT_EQ(p.status, 200) << p.body;
  Json after(get(srv.port(), "/api/hosts?sort=packets&limit=2", tok).body);
  EXPECT_EQ(str(arr(after["hosts"]).at(0).value()["direction"].value()), "internal");
}

TEST_F(Http, UnknownEndpointsAndMethods) {
  expect_json_error(get(srv.port(), "/api/nothing", tok), 404, "not_found");
  expect_json_error(post(srv.port(), "/api/status", "{}", tok), 405, "method_not_allowed");
  expect_json_error(get(srv.port(), "/api/metrics/reset", tok), 405, "method_not_allowed");
  expect_json_error(post(srv.port(), "/index.html", "{}"), 405, "method_not_allowed");
}

TEST_F(Http, EventStreamPushesMetricsAlertsAndConfig) {
  EXPECT_EQ(get(srv.port(), "/api/events").status, 401);
  HttpClient c(srv.port());
  c.write_raw("GET /api/events?access_token=" + tok + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  auto got = c.read_until("event: metrics");
  EXPECT_NE(got.find("200 OK"), std::string::npos);
  EXPECT_NE(got.find("text/event-stream"), std::string::npos);
  ASSERT_NE(got.find("event: metrics\ndata: {"), std::string::npos) << got;
  ASSERT_EQ(post(srv.port(), "/api/config", R"({"clear_hold_s":3})", tok).status, 200);
  got = c.read_until("event: config");
  EXPECT_NE(got.find("\"clear_hold_s\":3"), std::string::npos);
  srv.dp().send("10.0.0.77", 60000);
  got = c.read_until("event: alert");
  EXPECT_NE(got.find("event: alert"), std::string::npos);
  // The header form of the token works too.
  HttpClient h(srv.port());
  h.write_raw("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + tok +
              "\r\n\r\n");
  EXPECT_NE(h.read_until("event: metrics").find("event: metrics"), std::string::npos);
}

TEST_F(Http, StaticFilesTypesCachingFallbackAndEscapes) {
  auto idx = get(srv.port(), "/");
  ASSERT_EQ(idx.status, 200);
  EXPECT_NE(idx.body.find("SecureNet"), std::string::npos);
  EXPECT_EQ(idx.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(idx.header("Cache-Control"), "no-cache");
  auto js = get(srv.port(), "/assets/app-1a2b3c.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js.header("Cache-Control").find("immutable"), std::string::npos);
  auto route = get(srv.port(), "/alerts/some-id");
  EXPECT_EQ(route.status, 200);
  EXPECT_NE(route.body.find("SecureNet"), std::string::npos);
  EXPECT_EQ(get(srv.port(), "/missing.png").status, 404);
  for (const char* bad : {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                          "/%2E%2E%2Fsecret.txt", "/assets/%00.js", "/..%5csecret.txt"}) {
    auto r = get(srv.port(), bad);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << bad << " -> " << r.status;
    EXPECT_EQ(r.body.find("outside the web root"), std::string::npos) << bad;
  }
  std::filesystem::create_symlink(srv.dir() / "secret.txt", srv.dir() / "web" / "link.txt");
  auto link = get(srv.port(), "/link.txt");
  EXPECT_EQ(link.status, 404);
  EXPECT_EQ(link.body.find("outside the web root"), std::string::npos);
}

TEST_F(Http, KeepAliveServesSeveralRequestsOnOneConnection) {
  HttpClient c(srv.port());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(c.request(http::verb::get, "/health").status, 200);
  EXPECT_EQ(c.request(http::verb::get, "/api/status", "", tok).status, 200);
}

TEST_F(Http, MalformedRequestGetsA400) {
  HttpClient c(srv.port());
  c.write_raw("GARBAGE\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(r.status, 400);
}

TEST(HttpLimits, ConnectionCapAnswers503) {
  ControlServer srv(2, false);
  HttpClient a(srv.port()), b(srv.port());
  EXPECT_EQ(a.request(http::verb::get, "/health").status, 200);
  EXPECT_EQ(b.request(http::verb::get, "/health").status, 200);
  HttpClient c(srv.port());
  auto r = c.request(http::verb::get, "/health");
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("too many connections"), std::string::npos);
}

TEST(HttpLimits, GracefulShutdownClosesIdleConnections) {
  ControlServer srv(8, false);
  HttpClient a(srv.port());
  EXPECT_EQ(a.request(http::verb::get, "/health").status, 200);
  srv.stop();  // returns only when the io_context has no work left
  auto r = a.request(http::verb::get, "/health");
  EXPECT_EQ(r.status, -1);
}
