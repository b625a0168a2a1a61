// web/src/api/types.ts checked against the real API: every field the dashboard's types
// declare is in the JSON the server sends, with the declared JSON type. The server's
// fields come from the contract's tables (shm_fields.h), so a field dropped or renamed
// there, or a type in types.ts that names a field the API does not serve, fails here.
#include "http_fixture.h"
#include "types_check.h"

using namespace sn_test;

namespace {

class ApiTypes : public ::testing::Test {
 protected:
  ControlServer srv;
  std::string tok = srv.token();
  std::string ts = read_types_ts();
};

TEST_F(ApiTypes, HostMatchesTheApi) {
  srv.dp().send("10.0.0.1", 5, securenet::shm::ProtoClass::kTcp);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/hosts", tok).body)["total"].get_uint64().value() == 1;
  }));
  Json j(get(srv.port(), "/api/hosts", tok).body);
  auto host = j["hosts"].at(0).value();
  expect_declared_fields_served("Host", body_after(ts, "export interface Host {"), host);
  // The per-host protocol object is keyed by the protocol-class table.
  for (const char* name : securenet::shm::kProtoClassNames)
    EXPECT_FALSE(host["protocols"][name].error()) << name;
  Json one(get(srv.port(), "/api/hosts/10.0.0.1", tok).body);
  expect_declared_fields_served(
      "HostDetail", body_after(ts, "export interface HostDetail extends Host {"), one.root);
  expect_declared_fields_served("Host (one)", body_after(ts, "export interface Host {"), one.root);
}

TEST_F(ApiTypes, StatusAndMetricsMatchTheApi) {
  srv.dp().send("10.0.0.1", 5);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/metrics", tok).body)["totals"]["packets"]
               .get_uint64()
               .value() == 5;
  }));
  Json st(get(srv.port(), "/api/status", tok).body);
  const std::string status = body_after(ts, "export interface Status {");
  expect_declared_fields_served("Status", status, st.root);
  for (const char* part : {"dataplane", "totals", "host_table", "database", "control", "rates"}) {
    expect_declared_fields_served(std::string("Status.") + part,
                                  body_after(status, std::string(part) + ":"), st[part]);
  }
  // One interface per name the workers read (--target eth1,eth2); the test dataplane has one.
  auto ifaces = st["dataplane"]["interfaces"];
  ASSERT_FALSE(ifaces.error());
  ASSERT_EQ(ifaces.get_array().size(), 1u);
  auto iface = ifaces.at(0).value();
  expect_declared_fields_served("InterfaceStatus",
                                body_after(ts, "export interface InterfaceStatus {"), iface);
  EXPECT_EQ(iface["packets"].get_uint64().value(), 5u);
  EXPECT_EQ(iface["workers"].get_uint64().value(), st["dataplane"]["workers"].get_uint64().value());
  // The host tables' occupancy, evictions and memory per host (issue 12).
  EXPECT_EQ(st["host_table"]["hosts"].get_uint64().value(), 1u);
  EXPECT_GT(st["host_table"]["capacity"].get_uint64().value(), 0u);
  EXPECT_EQ(st["host_table"]["evicted"].get_uint64().value(), 0u);
  EXPECT_EQ(st["host_table"]["bytes_per_host"].get_uint64().value(),
            sizeof(securenet::shm::HostEntry));
  EXPECT_EQ(st["totals"]["hosts_evicted"].get_uint64().value(), 0u);
  Json m(get(srv.port(), "/api/metrics", tok).body);
  expect_declared_fields_served("Metrics", body_after(ts, "export interface Metrics {"), m.root);
  expect_declared_fields_served("TopTalker", body_after(ts, "export interface TopTalker {"),
                                m["top_talkers"].at(0).value());
  for (const char* name : securenet::shm::kProtoClassNames)
    EXPECT_FALSE(m["protocols"][name].error()) << name;
  for (size_t e = 1; e < securenet::shm::kParseErrorCount; ++e) {
    EXPECT_FALSE(m["parse_errors"][securenet::shm::kParseErrorNames[e]].error())
        << securenet::shm::kParseErrorNames[e];
  }
}

TEST_F(ApiTypes, TheParserFindsFieldsItMustFail) {  // the checker itself can fail
  auto f = ts_fields("a: number; b?: string\n c: { d: number }; e: Record<string, number>;");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f["a"], "number");
  EXPECT_EQ(f["c"], "{ d: number }");
  Json j(R"({"a":"text","b":"x","c":{},"e":{}})");
  EXPECT_FALSE(json_matches(j["a"], f["a"]));
  EXPECT_TRUE(json_matches(j["c"], f["c"]));
}

// POST /api/metrics/reset rebases what the API reports; the dataplane's own counters (the
// segment, /api/status, Prometheus) are untouched and nothing is published to the
// dataplane (DESIGN: "resets the counters that the API reports, not the dataplane's own").
TEST_F(ApiTypes, MetricsResetLeavesTheDataplaneAlone) {
  srv.dp().send("10.0.0.1", 10);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/metrics", tok).body)["totals"]["packets"]
               .get_uint64()
               .value() == 10;
  }));
  const uint64_t gen = srv.dp().control().generation.load();
  ASSERT_EQ(post(srv.port(), "/api/metrics/reset", "", tok).status, 200);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/metrics", tok).body)["totals"]["packets"]
               .get_uint64()
               .value() == 0;
  }));
  ASSERT_TRUE(eventually([&] {
    Json h(get(srv.port(), "/api/hosts/10.0.0.1", tok).body);
    return h["packets_sent"].get_uint64().value() + h["packets_recv"].get_uint64().value() == 0;
  }));
  EXPECT_EQ(srv.dp().control().generation.load(), gen);
  EXPECT_EQ(srv.dp().counters().packets.load(), 10u);
  auto prom = get(srv.port(), "/metrics").body;
  EXPECT_NE(prom.find("securenet_packets_total 10\n"), std::string::npos) << prom;
  srv.dp().send("10.0.0.1", 3);
  ASSERT_TRUE(eventually([&] {
    return Json(get(srv.port(), "/api/metrics", tok).body)["totals"]["packets"]
               .get_uint64()
               .value() == 3;
  }));
}

}  // namespace
