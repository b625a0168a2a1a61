// POST /api/auth/login and /api/auth/refresh through the real Router, against a real
// PostgreSQL 15; the access token is checked with the real Verifier.
#include "http/routes_auth.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "auth_store.h"
#include "login_limiter.h"
#include "pg_cluster.h"

using namespace securenet;
using boost::beast::http::verb;

namespace {

constexpr const char* kSecret = "test-secret-0123456789abcdef0123456789";

struct Harness {
  std::unique_ptr<store::Session> session;
  store::LoginRateLimiter limiter;  // default limits (login_limiter.h)
  control::Router router;
  int64_t now = 1'800'000'000;
  std::string addr = "192.0.2.7";

  explicit Harness(const std::string& url)
      : session(std::make_unique<store::Session>(store::db_config_from(url))) {
    control::AuthRouteDeps d;
    d.session = session.get();
    d.limiter = &limiter;
    d.hs256_secret = kSecret;
    d.issuer = "securenet-test";
    d.client_addr = [this](const control::Request&) { return addr; };
    d.now_s = [this] { return now; };
    control::register_auth_routes(router, d);
  }

  control::Response post(const std::string& path, const std::string& body) {
    auto m = router.match(verb::post, path);
    EXPECT_NE(m.handler, nullptr) << path;
    control::Request req;
    req.method = verb::post;
    req.path = path;
    req.body = body;
    return (*m.handler)(req);
  }
};

std::string field(const std::string& json, const std::string& key) {
  const auto k = "\"" + key + "\":\"";
  const auto p = json.find(k);
  if (p == std::string::npos) return "";
  const auto e = json.find('"', p + k.size());
  return json.substr(p + k.size(), e - p - k.size());
}

}  // namespace

TEST(AuthRoutes, LoginRefreshAndRateLimit) {
  SN_MIGRATED_DB_OR_SKIP(url, "routes");
  Harness h(url);
  auto u = store::create_user(*h.session, "ops@example.com", "ops-password-1");
  ASSERT_TRUE(u);

  auto ok = h.post("/api/auth/login", R"({"email":"ops@example.com","password":"ops-password-1"})");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_NE(ok.body.find("\"token_type\":\"bearer\""), std::string::npos);
  EXPECT_NE(ok.body.find("\"expires_in\":900"), std::string::npos);  // 15 min default
  const auto access = field(ok.body, "access_token");
  const auto refresh = field(ok.body, "refresh_token");
  ASSERT_FALSE(access.empty());
  ASSERT_EQ(refresh.size(), 64u);

  auth::AuthConfig ac;
  ac.hs256_secret = kSecret;
  ac.issuer = "securenet-test";
  auto v = auth::Verifier::create(ac);
  ASSERT_TRUE(v);
  auto claims = v->verify(access, h.now);
  ASSERT_TRUE(claims) << claims.error().message;
  EXPECT_EQ(claims->sub, u->id);
  EXPECT_EQ(claims->role, "authenticated");
  EXPECT_FALSE(v->verify(access, h.now + 900 + 31));  // expired access token refused

  // Refresh: works once, then the same token is refused.
  auto r1 = h.post("/api/auth/refresh", "{\"refresh_token\":\"" + refresh + "\"}");
  ASSERT_EQ(r1.status, 200u) << r1.body;
  EXPECT_NE(field(r1.body, "refresh_token"), refresh);
  auto r2 = h.post("/api/auth/refresh", "{\"refresh_token\":\"" + refresh + "\"}");
  EXPECT_EQ(r2.status, 401u);

  // Bad input.
  EXPECT_EQ(h.post("/api/auth/login", "not json").status, 400u);
  EXPECT_EQ(h.post("/api/auth/login", R"({"email":"ops@example.com"})").status, 400u);
  EXPECT_EQ(h.post("/api/auth/login", R"({"email":1,"password":"x"})").status, 400u);

  // Wrong passwords: 401 until the pair's allowance (3 free, a 4th attempt), then 429 with
  // Retry-After (2 s, doubling), even for the right one.
  h.addr = "198.51.100.9";
  for (int i = 0; i < 4; ++i) {
    auto bad = h.post("/api/auth/login", R"({"email":"ops@example.com","password":"nope"})");
    EXPECT_EQ(bad.status, 401u) << bad.body;
  }
  auto limited =
      h.post("/api/auth/login", R"({"email":"ops@example.com","password":"ops-password-1"})");
  EXPECT_EQ(limited.status, 429u);
  bool retry_after = false;
  for (const auto& [k, val] : limited.headers) retry_after |= k == "Retry-After" && val == "2";
  EXPECT_TRUE(retry_after);
  h.addr = "203.0.113.1";  // another address is not affected
  EXPECT_EQ(h.post("/api/auth/login", R"({"email":"ops@example.com","password":"ops-password-1"})")
                .status,
            200u);
  h.addr = "198.51.100.9";
  h.now += 2;  // the back-off has passed
  EXPECT_EQ(h.post("/api/auth/login", R"({"email":"ops@example.com","password":"ops-password-1"})")
                .status,
            200u);
}
