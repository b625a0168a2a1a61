// The one access decision (control/src/http/dispatch.cpp, target.cpp, router.cpp): target
// normalization, deny by default, access levels and roles, browser protections and
// duplicate JSON keys, on a route table of recording handlers (no server, no sockets).
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "auth/jwt.h"
#include "http/dispatch.h"
#include "http/json_body.h"
#include "http/target.h"

using namespace securenet::control;
using securenet::auth::AppRole;
using securenet::auth::Claims;
namespace http = boost::beast::http;

namespace {

std::string norm(std::string_view t) {
  auto r = normalize_target(t);
  return r.target ? r.target->path : "refused: " + r.error.detail;
}

bool refused(std::string_view t) { return !normalize_target(t).target; }

}  // namespace

TEST(Target, CollapsesDotsSlashesAndTrailingSlash) {
  EXPECT_EQ(norm("/"), "/");
  EXPECT_EQ(norm("//api/config"), "/api/config");
  EXPECT_EQ(norm("/api//alerts///history"), "/api/alerts/history");
  EXPECT_EQ(norm("/api/./config"), "/api/config");
  EXPECT_EQ(norm("/api/x/../config"), "/api/config");
  EXPECT_EQ(norm("/api/../api/config"), "/api/config");
  EXPECT_EQ(norm("/api/config/"), "/api/config");
  EXPECT_EQ(norm("/api/config/."), "/api/config");
  EXPECT_EQ(norm("/api/%63onfig"), "/api/config");
  EXPECT_EQ(norm("/api/%2e%2e/api/config"), "/api/config");  // an encoded ".." is a ".."
  EXPECT_EQ(norm("/api/%2E/config"), "/api/config");
  EXPECT_EQ(norm("/API/config"), "/API/config");  // case is kept
  EXPECT_EQ(norm("/api/hosts/fe80%3A%3A1"), "/api/hosts/fe80::1");
  EXPECT_EQ(norm("/a/%2525"), "/a/%25");  // decoded once only
}

TEST(Target, RefusesEscapesOfTheRootEncodedSlashNulAndMalformedEscapes) {
  EXPECT_TRUE(refused("/.."));
  EXPECT_TRUE(refused("/api/../../etc/passwd"));
  EXPECT_TRUE(refused("/%2e%2e/x"));
  EXPECT_TRUE(refused("/api%2Fconfig"));
  EXPECT_TRUE(refused("/api%2fconfig"));
  EXPECT_TRUE(refused("/api/%00"));
  EXPECT_TRUE(refused("/api/%5c"));
  EXPECT_TRUE(refused("/api/a\\b"));
  EXPECT_TRUE(refused("/api/%zz"));
  EXPECT_TRUE(refused("/api/%4"));
  EXPECT_TRUE(refused("/api/x%"));
  EXPECT_TRUE(refused("api/config"));
  EXPECT_TRUE(refused("http://evil/api/config"));
  EXPECT_TRUE(refused("*"));
  EXPECT_TRUE(refused(""));
  EXPECT_TRUE(refused("/api/config#x"));
  EXPECT_TRUE(refused("/api/config?x=%zz"));
}

TEST(Target, QueryIsDecodedLastValueWins) {
  auto r = normalize_target("/api/alerts?limit=5&severity=HIGH&limit=7&q=a+b%21");
  ASSERT_TRUE(r.target);
  EXPECT_EQ(r.target->path, "/api/alerts");
  EXPECT_EQ(r.target->query.at("limit"), "7");
  EXPECT_EQ(r.target->query.at("q"), "a b!");
}

TEST(Router, AccessLevelsAreDeclaredAndAShadowWithAnotherLevelIsRefused) {
  Router r;
  r.add(http::verb::get, "/api/x", Access::kViewer,
        [](const Request&) { return json_response("{}"); });
  r.add(http::verb::get, "/api/x", Access::kViewer,
        [](const Request&) { return json_response("{}"); });  // same level: ok
  EXPECT_THROW(r.add(http::verb::get, "/api/x", Access::kPublic,
                     [](const Request&) { return json_response("{}"); }),
               std::logic_error);
  auto e = r.entries();
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].access, Access::kViewer);
}

TEST(JsonBody, DuplicateKeysAtAnyDepthAndMediaType) {
  EXPECT_EQ(duplicate_json_key(R"({"a":1,"b":2,"a":3})"), "a");
  EXPECT_EQ(duplicate_json_key(R"({"a":{"x":1,"x":2}})"), "x");
  EXPECT_EQ(duplicate_json_key(R"({"a":[{"k":1},{"k":2,"k":3}]})"), "k");
  EXPECT_FALSE(duplicate_json_key(R"({"a":[{"k":1},{"k":2}]})"));
  EXPECT_FALSE(duplicate_json_key("not json"));
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("Application/JSON; charset=utf-8"));
  EXPECT_FALSE(is_json_media_type("text/plain"));
  EXPECT_FALSE(is_json_media_type("application/jsonx"));
  EXPECT_FALSE(is_json_media_type(""));
}

namespace {

// A route table with one route per level; each handler records that it ran and what
// claims it saw. Tokens are role names ("viewer", "operator", "admin", "none"); any other
// token is invalid.
class AccessFixture : public ::testing::Test {
 protected:
  AccessFixture()
      : files_(""),
        d_(router_, checker(), files_,
           HttpPolicy{{"sensor.example"}, {"https://dash.example"}, false}) {
    auto rec = [this](const char* name) {
      return [this, name](const Request& req) {
        ran_[name] =
            req.claims ? securenet::auth::app_role_name(req.claims->app_role) : "no-claims";
        return json_response("{\"ran\":\"" + std::string(name) + "\"}");
      };
    };
    router_.add(http::verb::get, "/health", Access::kPublic, rec("health"));
    router_.add(http::verb::get, "/api/alerts/history", Access::kViewer, rec("history"));
    router_.add(http::verb::get, "/api/alerts/{id}", Access::kViewer, rec("alert"));
    router_.add(http::verb::post, "/api/alerts/{id}/resolve", Access::kOperator, rec("resolve"));
    router_.add(http::verb::post, "/api/config", Access::kAdmin, rec("config"));
    router_.add(http::verb::get, "/api/config", Access::kViewer, rec("config-get"));
    router_.add(http::verb::post, "/api/auth/login", Access::kPublic, rec("login"));
    router_.add(http::verb::post, "/api/analyze", Access::kAdmin, rec("analyze"),
                BodyType::kCapture);
  }
  static TokenChecker checker() {
    return [](std::string_view t) -> std::optional<Claims> {
      static const std::map<std::string, AppRole, std::less<>> kRoles = {
          {"none", AppRole::kNone},
          {"viewer", AppRole::kViewer},
          {"operator", AppRole::kOperator},
          {"admin", AppRole::kAdmin}};
      auto it = kRoles.find(t);
      if (it == kRoles.end()) return std::nullopt;
      Claims c;
      c.sub = "user-" + std::string(t);
      c.app_role = it->second;
      return c;
    };
  }
  Response call(http::verb m, std::string_view target, std::string_view token = "",
                std::string_view body = "", std::string_view ct = "application/json",
                std::string_view origin = "", std::string_view host = "127.0.0.1:8080") {
    std::string auth = token.empty() ? "" : "Bearer " + std::string(token);
    HttpIn in{m, target, body, auth, "127.0.0.1", host, origin, ct};
    return d_.handle(in);
  }
  Router router_;
  StaticFiles files_;
  Dispatcher d_;
  std::map<std::string, std::string> ran_;
};

}  // namespace

TEST_F(AccessFixture, PathVariantsOfProtectedRoutesNeedAToken) {
  // The two holes of issue 10: a doubled slash reached /api/config without a token, and
  // /api/alerts/history with null claims (SIGSEGV).
  for (const char* t :
       {"//api/config", "/api/./config", "/api/../api/config", "/api/config/", "///api//config//",
        "/api/%63onfig", "/x/../api/config", "/api/%2e/config"}) {
    EXPECT_EQ(call(http::verb::post, t, "", "{}").status, 401u) << t;
    EXPECT_EQ(call(http::verb::get, t).status, 401u) << t;
  }
  for (const char* t : {"//api/alerts/history", "/api/alerts/history/", "/api/alerts/./history"}) {
    EXPECT_EQ(call(http::verb::get, t).status, 401u) << t;
  }
  EXPECT_EQ(call(http::verb::get, "/API/config").status, 404u);
  EXPECT_EQ(call(http::verb::get, "/api%2Fconfig").status, 400u);
  EXPECT_TRUE(ran_.empty());
  EXPECT_EQ(call(http::verb::get, "//api/alerts/history", "viewer").status, 200u);
  EXPECT_EQ(ran_["history"], "viewer");
}

TEST_F(AccessFixture, RoleMatrix) {
  struct Row {
    http::verb m;
    const char* target;
    const char* name;
    Access need;
  };
  const Row rows[] = {
      {http::verb::get, "/health", "health", Access::kPublic},
      {http::verb::post, "/api/auth/login", "login", Access::kPublic},
      {http::verb::get, "/api/alerts/history", "history", Access::kViewer},
      {http::verb::get, "/api/config", "config-get", Access::kViewer},
      {http::verb::post, "/api/alerts/5/resolve", "resolve", Access::kOperator},
      {http::verb::post, "/api/config", "config", Access::kAdmin},
  };
  const std::pair<const char*, int> tokens[] = {{"", -1},      {"bogus", -1},   {"none", 0},
                                                {"viewer", 1}, {"operator", 2}, {"admin", 3}};
  for (const auto& row : rows) {
    for (const auto& [tok, level] : tokens) {
      ran_.clear();
      auto r = call(row.m, row.target, tok, row.m == http::verb::post ? "{}" : "");
      unsigned want = row.need == Access::kPublic          ? 200u
                      : level < 0                          ? 401u
                      : level < static_cast<int>(row.need) ? 403u
                                                           : 200u;
      EXPECT_EQ(r.status, want) << row.target << " token=" << tok << " " << r.body;
      EXPECT_EQ(ran_.count(row.name) == 1, want == 200u) << row.target << " token=" << tok;
      if (want == 200u && row.need != Access::kPublic) EXPECT_EQ(ran_[row.name], tok);
    }
  }
}

TEST_F(AccessFixture, UnknownApiPathsAndWrongMethodsAnswerOnlyWithAToken) {
  EXPECT_EQ(call(http::verb::get, "/api/nope").status, 401u);
  EXPECT_EQ(call(http::verb::get, "/api/nope", "viewer").status, 404u);
  EXPECT_EQ(call(http::verb::delete_, "/api/config", "").status, 401u);
  EXPECT_EQ(call(http::verb::delete_, "/api/config", "viewer").status, 405u);
  EXPECT_EQ(call(http::verb::get, "/api/auth/login").status, 405u);  // a public path
}

TEST_F(AccessFixture, BrowserProtections) {
  EXPECT_EQ(call(http::verb::post, "/api/config", "admin", "{}", "text/plain").status, 415u);
  EXPECT_EQ(call(http::verb::post, "/api/config", "admin", "{}", "").status, 415u);
  EXPECT_EQ(call(http::verb::post, "/api/auth/login", "", "{}", "application/x-www-form-urlencoded")
                .status,
            415u);
  EXPECT_EQ(call(http::verb::post, "/api/config", "admin", "{}", "application/json",
                 "https://evil.example")
                .status,
            403u);
  EXPECT_EQ(call(http::verb::get, "/health", "", "", "", "null").status, 403u);
  EXPECT_EQ(call(http::verb::post, "/api/config", "admin", "{}", "application/json",
                 "http://127.0.0.1:8080")
                .status,
            200u);
  EXPECT_EQ(call(http::verb::post, "/api/config", "admin", "{}", "application/json",
                 "https://dash.example")
                .status,
            200u);
  for (const char* host : {"evil.example", "evil.example:8080", "", "sensor.example.evil"}) {
    EXPECT_EQ(call(http::verb::get, "/health", "", "", "", "", host).status, 421u) << host;
  }
  for (const char* host :
       {"localhost:8080", "sensor.example", "SENSOR.example:443", "[::1]:8080", "10.1.2.3"}) {
    EXPECT_EQ(call(http::verb::get, "/health", "", "", "", "", host).status, 200u) << host;
  }
  ran_.clear();
  auto r = call(http::verb::post, "/api/config", "admin",
                R"({"whitelist":[],"whitelist":["0.0.0.0/0"]})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("whitelist"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("duplicate_key"), std::string::npos) << r.body;
  EXPECT_TRUE(ran_.empty());
}

// POST /api/analyze takes a capture file: admin only, its own media types (a JSON body is
// refused, and a capture type is refused on a JSON route), and the bytes are not JSON-checked.
TEST_F(AccessFixture, CaptureUploadRoute) {
  constexpr std::string_view kPcap = "application/vnd.tcpdump.pcap";
  const std::pair<const char*, unsigned> tokens[] = {{"", 401u},         {"bogus", 401u},
                                                     {"none", 403u},     {"viewer", 403u},
                                                     {"operator", 403u}, {"admin", 200u}};
  for (const auto& [tok, want] : tokens) {
    ran_.clear();
    auto r = call(http::verb::post, "/api/analyze", tok, "\xd4\xc3\xb2\xa1", kPcap);
    EXPECT_EQ(r.status, want) << tok << " " << r.body;
    EXPECT_EQ(ran_.count("analyze") == 1, want == 200u) << tok;
  }
  for (const char* t : {"//api/analyze", "/api/./analyze", "/api/analyze/"}) {
    EXPECT_EQ(call(http::verb::post, t, "", "x", kPcap).status, 401u) << t;
  }
  EXPECT_EQ(call(http::verb::post, "/api/analyze", "admin", "x", "application/octet-stream").status,
            200u);
  // No route matches: the JSON rule applies (415 before 404, as for any unknown path).
  EXPECT_EQ(call(http::verb::post, "/API/analyze", "admin", "x", kPcap).status, 415u);
  EXPECT_EQ(call(http::verb::post, "/API/analyze", "admin", "{}").status, 404u);
  EXPECT_EQ(call(http::verb::get, "/api/analyze", "admin").status, 405u);
  EXPECT_EQ(call(http::verb::post, "/api/analyze", "admin", "{}", "application/json").status, 415u);
  EXPECT_EQ(call(http::verb::post, "/api/analyze", "admin", "x", "text/plain").status, 415u);
  EXPECT_EQ(call(http::verb::post, "/api/analyze", "admin", "x", "").status, 415u);
  EXPECT_EQ(call(http::verb::post, "/api/config", "admin", "{}", kPcap).status, 415u);
  EXPECT_EQ(
      call(http::verb::post, "/api/analyze", "admin", "x", kPcap, "https://evil.example").status,
      403u);
  // Before the body: the same decision, without running the handler.
  ran_.clear();
  auto headers = [](std::string_view auth) {
    return HttpIn{http::verb::post, "/api/analyze",   "", auth,
                  "127.0.0.1",      "127.0.0.1:8080", "", "application/vnd.tcpdump.pcap"};
  };
  EXPECT_FALSE(d_.refusal(headers("Bearer admin")));
  EXPECT_EQ(d_.refusal(headers("Bearer operator"))->status, 403u);
  EXPECT_EQ(d_.refusal(headers(""))->status, 401u);
  EXPECT_TRUE(ran_.empty());
  // Bytes that look like JSON with a duplicate key are a capture's bytes here.
  EXPECT_EQ(call(http::verb::post, "/api/analyze", "admin", R"({"a":1,"a":2})", kPcap).status,
            200u);
  EXPECT_EQ(ran_.count("analyze"), 1u);
}
