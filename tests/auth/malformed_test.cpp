// Malformed tokens: part counts, base64url, JSON.
#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "base64url.h"
#include "test_keys.h"

namespace securenet::auth {
namespace {

constexpr int64_t kNow = 1'780'000'000;
constexpr char kSecret[] = "super-secret-jwt-token-with-at-least-32-characters-long";

Verifier make() {
  AuthConfig cfg;
  cfg.hs256_secret = kSecret;
  return *Verifier::create(cfg);
}

TEST(Malformed, PartCounts) {
  auto v = make();
  auto good = testing::make_hs256(R"({"alg":"HS256"})", testing::claims_json(kNow), kSecret);
  ASSERT_TRUE(v.verify(good, kNow).ok());
  for (std::string t :
       {std::string(), std::string("."), std::string(".."), std::string("..."), std::string("abc"),
        good + ".", good + ".x", "." + good, good.substr(0, good.rfind('.'))}) {
    EXPECT_FALSE(v.verify(t, kNow).ok()) << t;
  }
  EXPECT_FALSE(v.verify(std::string(20000, 'a'), kNow).ok());
}

TEST(Malformed, Base64) {
  auto v = make();
  auto good = testing::make_hs256(R"({"alg":"HS256"})", testing::claims_json(kNow), kSecret);
  std::string padded = good + "=";
  EXPECT_FALSE(v.verify(padded, kNow).ok());
  std::string plus = good;
  plus[3] = '+';
  EXPECT_FALSE(v.verify(plus, kNow).ok());
  std::string space = good;
  space.insert(5, " ");
  EXPECT_FALSE(v.verify(space, kNow).ok());
}

TEST(Malformed, Json) {
  auto v = make();
  for (const char* header : {"", "[]", "{", R"({"alg":5})", R"({"typ":"JWT"})", "null",
                             R"({"alg":"HS256","alg":"HS256"})", R"({"alg":"HS256","kid":1})"}) {
    EXPECT_FALSE(
        v.verify(testing::make_hs256(header, testing::claims_json(kNow), kSecret), kNow).ok())
        << header;
  }
  for (const char* payload : {"", "[]", "{", "\"s\"", "{\"a\":1}x"}) {
    EXPECT_FALSE(v.verify(testing::make_hs256(R"({"alg":"HS256"})", payload, kSecret), kNow).ok())
        << payload;
  }
}

}  // namespace
}  // namespace securenet::auth
