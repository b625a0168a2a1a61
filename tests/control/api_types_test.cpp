// web/src/api/types.ts checked against the real API: every field the dashboard's types
// declare is in the JSON the server sends, with the declared JSON type. The server's
// fields come from the contract's tables (shm_fields.h), so a field dropped or renamed
// there, or a type in types.ts that names a field the API does not serve, fails here.
#include <fstream>
#include <map>
#include <sstream>

#include "http_fixture.h"

using namespace sn_test;

namespace {

std::string read_types_ts() {
  std::ifstream f(SECURENET_WEB_TYPES_TS);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// The body between the braces that follow `marker` (nested braces kept).
std::string body_after(const std::string& text, const std::string& marker) {
  size_t at = text.find(marker);
  if (at == std::string::npos) return {};
  size_t open = text.find('{', at);
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    if (text[i] == '{') ++depth;
    if (text[i] == '}' && --depth == 0) return text.substr(open + 1, i - open - 1);
  }
  return {};
}

// Top-level fields of an interface or object-type body: name -> declared type text.
std::map<std::string, std::string> ts_fields(const std::string& body) {
  std::map<std::string, std::string> out;
  int depth = 0;
  size_t i = 0;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < body.size()) {
    char c = body[i];
    if (c == '{' || c == '<' || c == '(' || c == '[') ++depth;
    if (c == '}' || c == '>' || c == ')' || c == ']') --depth;
    if (depth == 0 && ident(c) && (i == 0 || !ident(body[i - 1]))) {
      size_t j = i;
      while (j < body.size() && ident(body[j])) ++j;
      size_t k = j;
      if (k < body.size() && body[k] == '?') ++k;
      if (k < body.size() && body[k] == ':') {
        size_t end = k + 1;
        int d = 0;
        for (; end < body.size(); ++end) {  // the type runs to ';' or a newline at depth 0
          char e = body[end];
          if (e == '{' || e == '<' || e == '(') ++d;
          if (e == '}' || e == '>' || e == ')') --d;
          if (d == 0 && (e == ';' || e == '\n')) break;
        }
        std::string type = body.substr(k + 1, end - k - 1);
        type.erase(0, type.find_first_not_of(' '));
        out[body.substr(i, j - i)] = type;
        i = end;
        continue;
      }
      i = j;
      continue;
    }
    ++i;
  }
  return out;
}

bool json_matches(simdjson::dom::element v, const std::string& type) {
  using simdjson::dom::element_type;
  const element_type t = v.type();
  if (t == element_type::NULL_VALUE) return type.find("null") != std::string::npos;
  if (type.rfind("number", 0) == 0) {
    return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
  }
  if (type.rfind("string", 0) == 0 || type[0] == '\'') return t == element_type::STRING;
  if (type.rfind("Record<", 0) == 0 || type.rfind("Partial<", 0) == 0 || type[0] == '{')
    return t == element_type::OBJECT;
  if (type.find("[]") != std::string::npos) return t == element_type::ARRAY;
  return true;  // a named type (Alert, User): its own interface is checked where it is served
}

// Every field declared in `body` is present in `obj` with a matching JSON type.
void expect_declared_fields_served(const std::string& what, const std::string& body,
                                   simdjson::dom::element obj) {
  const auto fields = ts_fields(body);
  ASSERT_FALSE(fields.empty()) << what << " not found in types.ts";
  for (const auto& [name, type] : fields) {
    auto v = obj[name];
    const bool optional = body.find(name + "?:") != std::string::npos;
    if (v.error()) {
      EXPECT_TRUE(optional) << what << "." << name
                            << " is declared in types.ts but the API does not send it";
      continue;
    }
    EXPECT_TRUE(json_matches(v.value(), type))
        << what << "." << name << ": API value " << simdjson::to_string(v.value())
        << " does not match the declared type '" << type << "'";
  }
}

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
