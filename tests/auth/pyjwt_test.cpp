// Cross-check with an independent implementation: PyJWT (Debian python3-jwt).
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <sstream>
#include <vector>

#include "auth/jwt.h"
#include "child_process.h"
#include "test_keys.h"

namespace securenet::auth {
namespace {

using namespace testing;

constexpr char kSecret[] = "pyjwt-cross-check-secret-at-least-32-bytes";

// Runs a command, returns its stdout lines and exit status.
std::vector<std::string> run(const std::string& cmd, int& status) {
  std::istringstream out(test::sh_out(cmd, &status));
  std::vector<std::string> lines;
  for (std::string line; std::getline(out, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// The Debian interpreter first (a python3 earlier on PATH may lack python3-jwt).
const std::string& python() {
  static const std::string found = [] {
    for (const char* candidate : {"/usr/bin/python3", "python3"}) {
      int status = 0;
      run(std::string(candidate) + " -c 'import jwt, cryptography' 2>/dev/null", status);
      if (status == 0) return std::string(candidate);
    }
    return std::string();
  }();
  return found;
}

bool have_pyjwt() { return !python().empty(); }

constexpr char kSignScript[] = R"(import sys, jwt
ec, rsa, secret, now = open(sys.argv[1]).read(), open(sys.argv[2]).read(), sys.argv[3], int(sys.argv[4])
claims = {"iss": "https://ref.supabase.co/auth/v1", "aud": "authenticated", "exp": now + 3600,
          "iat": now, "sub": "8d0f8a5e-2f7b-4a51-9d5b-0f3e9c1d2a33", "email": "py@example.com",
          "role": "authenticated", "aal": "aal1", "session_id": "s", "is_anonymous": False}
print(jwt.encode(claims, secret, algorithm="HS256"))
print(jwt.encode(claims, ec, algorithm="ES256", headers={"kid": "ec-py"}))
print(jwt.encode(claims, rsa, algorithm="RS256", headers={"kid": "rsa-py"}))
)";

constexpr char kVerifyScript[] = R"(import sys, jwt
c = jwt.decode(sys.argv[1], sys.argv[2], algorithms=["HS256"], audience="authenticated")
print(c["sub"]); print(c["role"]); print(c["email"])
)";

TEST(PyJwt, TokensSignedByPyJwtVerify) {
  if (!have_pyjwt())
    GTEST_SKIP() << "python3-jwt/python3-cryptography not installed (apt-get install -y "
                    "python3-jwt python3-cryptography)";
  TestKey ec = make_ec_key("ec-py");
  TestKey rsa = make_rsa_key("rsa-py");
  std::string script = write_temp_file("sign.py", kSignScript);
  std::string ec_pem = write_temp_file("ec.pem", ec.private_pem());
  std::string rsa_pem = write_temp_file("rsa.pem", rsa.private_pem());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int status = 0;
  auto tokens = run(python() + " " + script + " " + ec_pem + " " + rsa_pem + " " + kSecret + " " +
                        std::to_string(now),
                    status);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(tokens.size(), 3u);

  AuthConfig cfg;
  cfg.hs256_secret = kSecret;
  cfg.issuer = "https://ref.supabase.co/auth/v1";
  cfg.jwks_file = write_temp_file("py-jwks.json", jwks_of({&ec, &rsa}));
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok()) << v.error().message;
  for (const auto& t : tokens) {
    auto c = v->verify(t, now);
    ASSERT_TRUE(c.ok()) << c.error().message << " for " << t;
    EXPECT_EQ(c->sub, "8d0f8a5e-2f7b-4a51-9d5b-0f3e9c1d2a33");
    EXPECT_EQ(c->email, "py@example.com");
    EXPECT_FALSE(v->verify(t, now + 3600 + 31).ok());  // expired
  }
}

TEST(PyJwt, MintedTokenVerifiesWithPyJwt) {
  if (!have_pyjwt())
    GTEST_SKIP() << "python3-jwt/python3-cryptography not installed (apt-get install -y "
                    "python3-jwt python3-cryptography)";
  std::string script = write_temp_file("verify.py", kVerifyScript);
  MintOptions o;
  o.sub = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6";
  o.email = "mint@example.com";
  auto token = mint_hs256(kSecret, o, static_cast<int64_t>(std::time(nullptr)));
  int status = 0;
  auto out = run(python() + " " + script + " " + token + " " + kSecret, status);
  ASSERT_EQ(status, 0);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0], o.sub);
  EXPECT_EQ(out[1], "authenticated");
  EXPECT_EQ(out[2], o.email);
  // The cross-check can fail: PyJWT refuses the same token under another secret.
  run(python() + " " + script + " " + token + " wrong-secret-wrong-secret-wrong 2>/dev/null",
      status);
  EXPECT_NE(status, 0);
}

}  // namespace
}  // namespace securenet::auth
