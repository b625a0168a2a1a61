// ES256/RS256 against a JWKS file; kid handling; key confusion.
#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "base64url.h"
#include "jwk.h"
#include "test_keys.h"

namespace securenet::auth {
namespace {

using namespace testing;

constexpr int64_t kNow = 1'780'000'000;

class JwksFile : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ec_ = new TestKey(make_ec_key("ec-1"));
    rsa_ = new TestKey(make_rsa_key("rsa-1"));
  }
  static void TearDownTestSuite() {
    delete ec_;
    delete rsa_;
  }
  Verifier verifier(const std::string& jwks, AuthConfig cfg = {}) {
    cfg.jwks_file = write_temp_file("jwks.json", jwks);
    auto v = Verifier::create(cfg);
    EXPECT_TRUE(v.ok()) << v.error().message;
    return *v;
  }
  static std::string header(std::string_view alg, std::string_view kid) {
    return R"({"alg":")" + std::string(alg) + R"(","kid":")" + std::string(kid) +
           R"(","typ":"JWT"})";
  }
  static TestKey* ec_;
  static TestKey* rsa_;
};
TestKey* JwksFile::ec_ = nullptr;
TestKey* JwksFile::rsa_ = nullptr;

TEST_F(JwksFile, Es256AndRs256Verify) {
  auto v = verifier(jwks_of({ec_, rsa_}));
  auto es = v.verify(make_token(header("ES256", "ec-1"), claims_json(kNow), *ec_), kNow);
  ASSERT_TRUE(es.ok()) << es.error().message;
  EXPECT_EQ(es->role, "authenticated");
  auto rs = v.verify(make_token(header("RS256", "rsa-1"), claims_json(kNow), *rsa_), kNow);
  ASSERT_TRUE(rs.ok()) << rs.error().message;
}

TEST_F(JwksFile, TokenWithoutKidTriesKeysOfItsAlg) {
  auto v = verifier(jwks_of({ec_, rsa_}));
  EXPECT_TRUE(v.verify(make_token(R"({"alg":"ES256"})", claims_json(kNow), *ec_), kNow).ok());
}

TEST_F(JwksFile, WrongKidRefused) {
  auto v = verifier(jwks_of({ec_, rsa_}));
  auto r = v.verify(make_token(header("ES256", "ec-2"), claims_json(kNow), *ec_), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no key"), std::string::npos);
  // The kid of another key: its alg does not match, so that key is never tried.
  EXPECT_FALSE(v.verify(make_token(header("ES256", "rsa-1"), claims_json(kNow), *ec_), kNow).ok());
}

TEST_F(JwksFile, SignatureByUnlistedKeyRefused) {
  auto v = verifier(jwks_of({ec_, rsa_}));
  TestKey other = make_ec_key("ec-1");
  EXPECT_FALSE(v.verify(make_token(header("ES256", "ec-1"), claims_json(kNow), other), kNow).ok());
  auto good = make_token(header("ES256", "ec-1"), claims_json(kNow), *ec_);
  auto forged = make_token(header("ES256", "ec-1"), claims_json(kNow, R"("x":1)"), *ec_);
  EXPECT_FALSE(
      v.verify(forged.substr(0, forged.rfind('.')) + good.substr(good.rfind('.')), kNow).ok());
}

TEST_F(JwksFile, RsaPublicKeyAsHmacSecretRefused) {
  // The classic confusion attack: HS256 "signed" with the public key's bytes.
  auto v = verifier(jwks_of({ec_, rsa_}));
  for (const std::string& secret :
       {rsa_->public_pem(), rsa_->jwk(), ec_->public_pem(), ec_->jwk()}) {
    auto r = v.verify(make_hs256(header("HS256", "rsa-1"), claims_json(kNow), secret), kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("HS256"), std::string::npos);
  }
}

TEST_F(JwksFile, AlgSwapBetweenKeyTypesRefused) {
  auto v = verifier(jwks_of({ec_, rsa_}));
  // RS256 header but EC signature over the same input, with the EC key's kid.
  EXPECT_FALSE(v.verify(make_token(header("RS256", "ec-1"), claims_json(kNow), *ec_), kNow).ok());
  EXPECT_FALSE(v.verify(make_token(header("ES256", "rsa-1"), claims_json(kNow), *rsa_), kNow).ok());
  for (const char* alg : {"ES384", "PS256", "RS512", "EdDSA", "HS512", "hs256"}) {
    EXPECT_FALSE(v.verify(make_token(header(alg, "ec-1"), claims_json(kNow), *ec_), kNow).ok())
        << alg;
  }
}

TEST_F(JwksFile, AlgNoneRefusedWithAndWithoutSignature) {
  AuthConfig cfg;
  cfg.hs256_secret = "super-secret-jwt-token-with-at-least-32-characters-long";
  auto v = verifier(jwks_of({ec_, rsa_}), cfg);
  std::string input =
      base64url_encode(R"({"alg":"none","typ":"JWT"})") + '.' + base64url_encode(claims_json(kNow));
  EXPECT_FALSE(v.verify(input + ".", kNow).ok());
  EXPECT_FALSE(v.verify(input, kNow).ok());
  EXPECT_FALSE(v.verify(input + "." + base64url_encode("sig"), kNow).ok());
  EXPECT_FALSE(
      v.verify(make_hs256(R"({"alg":"none"})", claims_json(kNow), cfg.hs256_secret), kNow).ok());
  EXPECT_FALSE(
      v.verify(make_hs256(R"({"alg":"None"})", claims_json(kNow), cfg.hs256_secret), kNow).ok());
}

TEST_F(JwksFile, Hs256OffWithoutSecretAndCritRefused) {
  auto v = verifier(jwks_of({ec_}));
  EXPECT_FALSE(v.verify(make_hs256(R"({"alg":"HS256"})", claims_json(kNow), "x"), kNow).ok());
  EXPECT_FALSE(v.verify(make_token(R"({"alg":"ES256","kid":"ec-1","crit":["b64"],"b64":false})",
                                   claims_json(kNow), *ec_),
                        kNow)
                   .ok());
}

TEST_F(JwksFile, ClaimsStillCheckedForPublicKeyTokens) {
  auto v = verifier(jwks_of({ec_, rsa_}));
  auto expired = make_token(header("ES256", "ec-1"), claims_json(kNow - 7200), *ec_);
  EXPECT_FALSE(v.verify(expired, kNow).ok());
}

TEST(Jwks, ParsesSkipsAndRejects) {
  TestKey ec = make_ec_key("a");
  auto ok = parse_jwks(jwks_of({&ec}));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->size(), 1u);
  EXPECT_EQ((*ok)[0].kid, "a");
  EXPECT_FALSE(parse_jwks("{").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys":{}})").ok());
  EXPECT_FALSE(parse_jwks(R"({"keys":[]})").ok());
  // Symmetric keys and encryption keys are never verification keys.
  EXPECT_FALSE(parse_jwks(R"({"keys":[{"kty":"oct","k":"c2VjcmV0","alg":"HS256"}]})").ok());
  std::string enc = ec.jwk();
  enc.replace(enc.find("\"use\":\"sig\""), 11, "\"use\":\"enc\"");
  EXPECT_FALSE(parse_jwks("{\"keys\":[" + enc + "]}").ok());
  // A point that is not on the curve.
  std::string bad = ec.jwk();
  size_t y = bad.find("\"y\":\"") + 5;
  bad[y] = bad[y] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(parse_jwks("{\"keys\":[" + bad + "]}").ok());
}

TEST(Jwks, ShortRsaKeyRejected) {
  TestKey small = make_rsa_key("small", 1024);
  EXPECT_FALSE(parse_jwks(jwks_of({&small})).ok());
}

}  // namespace
}  // namespace securenet::auth
