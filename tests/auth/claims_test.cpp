// HS256 verification and claim checks.
#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "test_keys.h"

namespace securenet::auth {
namespace {

using testing::claims_json;
using testing::make_hs256;

constexpr int64_t kNow = 1'780'000'000;
constexpr char kSecret[] = "super-secret-jwt-token-with-at-least-32-characters-long";
constexpr char kHeader[] = R"({"alg":"HS256","typ":"JWT"})";

Verifier hs_verifier(AuthConfig cfg = {}) {
  cfg.hs256_secret = kSecret;
  auto v = Verifier::create(cfg);
  EXPECT_TRUE(v.ok()) << v.error().message;
  return *v;
}

std::string payload(std::string_view fields) { return "{" + std::string(fields) + "}"; }

std::string base_fields(int64_t exp = kNow + 3600) {
  return R"("aud":"authenticated","sub":"u1","role":"authenticated","exp":)" + std::to_string(exp);
}

TEST(Claims, ValidHs256TokenYieldsClaims) {
  auto v = hs_verifier();
  auto c = v.verify(make_hs256(kHeader, claims_json(kNow), kSecret), kNow);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sub, "6f1c2b8e-1d7a-4c55-9a0e-3c8f2d9b7a11");
  EXPECT_EQ(c->role, "authenticated");
  EXPECT_EQ(c->email, "a@example.com");
  EXPECT_EQ(c->aud, "authenticated");
  EXPECT_EQ(c->exp, kNow + 3600);
  EXPECT_EQ(c->iat, kNow);
  EXPECT_EQ(c->json, claims_json(kNow));
}

// app_metadata.securenet_role: absent = viewer; an unknown value or shape = no role.
TEST(Claims, AppRoleFromAppMetadata) {
  auto v = hs_verifier();
  auto role = [&](std::string_view extra) {
    auto c =
        v.verify(make_hs256(kHeader, payload(base_fields() + std::string(extra)), kSecret), kNow);
    EXPECT_TRUE(c.ok()) << extra;
    return c.ok() ? c->app_role : AppRole::kAdmin;
  };
  EXPECT_EQ(role(""), AppRole::kViewer);
  EXPECT_EQ(role(R"(,"app_metadata":{"provider":"email"})"), AppRole::kViewer);
  EXPECT_EQ(role(R"(,"app_metadata":{"securenet_role":"viewer"})"), AppRole::kViewer);
  EXPECT_EQ(role(R"(,"app_metadata":{"securenet_role":"operator"})"), AppRole::kOperator);
  EXPECT_EQ(role(R"(,"app_metadata":{"securenet_role":"admin"})"), AppRole::kAdmin);
  EXPECT_EQ(role(R"(,"app_metadata":{"securenet_role":"Admin"})"), AppRole::kNone);
  EXPECT_EQ(role(R"(,"app_metadata":{"securenet_role":"root"})"), AppRole::kNone);
  EXPECT_EQ(role(R"(,"app_metadata":{"securenet_role":3})"), AppRole::kNone);
  EXPECT_EQ(role(R"(,"app_metadata":"admin")"), AppRole::kNone);
  EXPECT_EQ(role(R"(,"user_metadata":{"securenet_role":"admin"})"),
            AppRole::kViewer);  // user-editable: ignored
  MintOptions m;
  m.sub = "u1";
  m.app_role = "operator";
  auto c = v.verify(mint_hs256(kSecret, m, kNow), kNow);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->app_role, AppRole::kOperator);
}

TEST(Claims, ExpiredTokenRefusedBeyondLeeway) {
  auto v = hs_verifier();
  auto token = make_hs256(kHeader, payload(base_fields(kNow - 10)), kSecret);
  EXPECT_TRUE(v.verify(token, kNow).ok());        // within the 30 s leeway
  EXPECT_FALSE(v.verify(token, kNow + 21).ok());  // 31 s after exp
  auto old = make_hs256(kHeader, payload(base_fields(kNow - 3600)), kSecret);
  auto r = v.verify(old, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("expired"), std::string::npos);
}

TEST(Claims, MissingOrNonNumericExpRefused) {
  auto v = hs_verifier();
  EXPECT_FALSE(
      v.verify(make_hs256(kHeader, R"({"aud":"authenticated","sub":"u","role":"authenticated"})",
                          kSecret),
               kNow)
          .ok());
  EXPECT_FALSE(
      v.verify(make_hs256(
                   kHeader,
                   R"({"aud":"authenticated","sub":"u","role":"authenticated","exp":"9999999999"})",
                   kSecret),
               kNow)
          .ok());
}

TEST(Claims, NotYetValidRefused) {
  auto v = hs_verifier();
  auto nbf = make_hs256(kHeader, payload(base_fields() + ",\"nbf\":" + std::to_string(kNow + 120)),
                        kSecret);
  EXPECT_FALSE(v.verify(nbf, kNow).ok());
  EXPECT_TRUE(v.verify(nbf, kNow + 120).ok());
  auto iat = make_hs256(kHeader, payload(base_fields() + ",\"iat\":" + std::to_string(kNow + 600)),
                        kSecret);
  EXPECT_FALSE(v.verify(iat, kNow).ok());
  auto iat_ok =
      make_hs256(kHeader, payload(base_fields() + ",\"iat\":" + std::to_string(kNow + 5)), kSecret);
  EXPECT_TRUE(v.verify(iat_ok, kNow).ok());
}

TEST(Claims, WrongAudienceRefused) {
  auto v = hs_verifier();
  std::string exp =
      ",\"sub\":\"u\",\"role\":\"authenticated\",\"exp\":" + std::to_string(kNow + 60);
  EXPECT_FALSE(v.verify(make_hs256(kHeader, "{\"aud\":\"anon\"" + exp + "}", kSecret), kNow).ok());
  EXPECT_FALSE(
      v.verify(make_hs256(kHeader, "{\"aud\":[\"a\",\"b\"]" + exp + "}", kSecret), kNow).ok());
  EXPECT_FALSE(v.verify(make_hs256(kHeader, "{\"aud\":5" + exp + "}", kSecret), kNow).ok());
  EXPECT_FALSE(v.verify(make_hs256(kHeader, "{\"x\":1" + exp + "}", kSecret), kNow).ok());
  auto arr = v.verify(
      make_hs256(kHeader, "{\"aud\":[\"x\",\"authenticated\"]" + exp + "}", kSecret), kNow);
  ASSERT_TRUE(arr.ok()) << arr.error().message;
  EXPECT_EQ(arr->aud, "authenticated");
}

TEST(Claims, RoleMustBeAllowed) {
  auto v = hs_verifier();
  std::string rest = R"("aud":"authenticated","sub":"u","exp":)" + std::to_string(kNow + 60);
  EXPECT_FALSE(
      v.verify(make_hs256(kHeader, payload(rest + ",\"role\":\"anon\""), kSecret), kNow).ok());
  EXPECT_FALSE(v.verify(make_hs256(kHeader, payload(rest), kSecret), kNow).ok());
  EXPECT_FALSE(v.verify(make_hs256(kHeader, payload(rest + ",\"role\":7"), kSecret), kNow).ok());
  EXPECT_TRUE(
      v.verify(make_hs256(kHeader, payload(rest + ",\"role\":\"service_role\""), kSecret), kNow)
          .ok());
  AuthConfig only_auth;
  only_auth.allowed_roles = {"authenticated"};
  auto strict = hs_verifier(only_auth);
  EXPECT_FALSE(
      strict
          .verify(make_hs256(kHeader, payload(rest + ",\"role\":\"service_role\""), kSecret), kNow)
          .ok());
}

TEST(Claims, MissingOrEmptySubRefused) {
  auto v = hs_verifier();
  std::string rest =
      R"("aud":"authenticated","role":"authenticated","exp":)" + std::to_string(kNow + 60);
  EXPECT_FALSE(v.verify(make_hs256(kHeader, payload(rest), kSecret), kNow).ok());
  EXPECT_FALSE(v.verify(make_hs256(kHeader, payload(rest + ",\"sub\":\"\""), kSecret), kNow).ok());
  EXPECT_FALSE(v.verify(make_hs256(kHeader, payload(rest + ",\"sub\":42"), kSecret), kNow).ok());
}

TEST(Claims, IssuerCheckedWhenConfigured) {
  AuthConfig cfg;
  cfg.issuer = "https://ref.supabase.co/auth/v1";
  auto v = hs_verifier(cfg);
  EXPECT_TRUE(v.verify(make_hs256(kHeader, claims_json(kNow), kSecret), kNow).ok());
  EXPECT_FALSE(v.verify(make_hs256(kHeader, payload(base_fields()), kSecret), kNow).ok());
  EXPECT_FALSE(
      v.verify(make_hs256(kHeader, payload(base_fields() + ",\"iss\":\"https://evil/auth/v1\""),
                          kSecret),
               kNow)
          .ok());
}

TEST(Claims, BadSignatureAndTamperedPayloadRefused) {
  auto v = hs_verifier();
  auto other = make_hs256(kHeader, claims_json(kNow), "another-secret-of-sufficient-length-000");
  EXPECT_FALSE(v.verify(other, kNow).ok());
  auto good = make_hs256(kHeader, claims_json(kNow), kSecret);
  auto forged = make_hs256(kHeader, claims_json(kNow, R"("x":1)"), kSecret);
  // Keep the good signature, swap in another payload.
  std::string tampered = forged.substr(0, forged.rfind('.')) + good.substr(good.rfind('.'));
  auto r = v.verify(tampered, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("signature"), std::string::npos);
  std::string truncated = good.substr(0, good.size() - 2);
  EXPECT_FALSE(v.verify(truncated, kNow).ok());
}

TEST(Claims, DuplicateClaimNamesRefused) {
  auto v = hs_verifier();
  auto dup = make_hs256(kHeader, payload(base_fields() + R"(,"role":"service_role")"), kSecret);
  EXPECT_FALSE(v.verify(dup, kNow).ok());
}

TEST(Claims, MintedTokenVerifies) {
  auto v = hs_verifier();
  MintOptions o;
  o.sub = "0b9b7e7c-3a55-4c8e-8f2e-1f4e6f0d2a10";
  o.email = "ops\"quote@example.com";
  o.session_id = "s-1";
  o.ttl_s = 600;
  auto token = mint_hs256(kSecret, o, kNow);
  auto c = v.verify(token, kNow + 599);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sub, o.sub);
  EXPECT_EQ(c->email, o.email);
  EXPECT_EQ(c->role, "authenticated");
  EXPECT_EQ(c->exp, kNow + 600);
  EXPECT_NE(c->json.find("\"session_id\":\"s-1\""), std::string::npos);
  EXPECT_FALSE(v.verify(token, kNow + 600 + 31).ok());
  EXPECT_FALSE(v.verify(mint_hs256("wrong-secret-wrong-secret-wrong-secret", o, kNow), kNow).ok());
}

TEST(Claims, CreateRefusesEmptyConfig) {
  EXPECT_FALSE(Verifier::create(AuthConfig{}).ok());
  AuthConfig bad_url;
  bad_url.jwks_url = "ftp://example/jwks.json";
  EXPECT_FALSE(Verifier::create(bad_url).ok());
  AuthConfig missing;
  missing.jwks_file = "/nonexistent/securenet/jwks.json";
  EXPECT_FALSE(Verifier::create(missing).ok());
}

}  // namespace
}  // namespace securenet::auth
