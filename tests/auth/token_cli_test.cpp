// securenet-token mints tokens the Verifier accepts.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

#include "auth/jwt.h"
#include "child_process.h"
#include "test_keys.h"

namespace securenet::auth {
namespace {

std::string run_stdout(const std::string& cmd, int& status) {
  std::string out = test::sh_out(cmd, &status);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(TokenCli, MintsFromSecretFileAndEnv) {
  const std::string secret = "cli-secret-cli-secret-cli-secret-0123";
  std::string file = testing::write_temp_file("secret", secret + "\n");
  AuthConfig cfg;
  cfg.hs256_secret = secret;
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok());
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  int status = 0;
  auto token = run_stdout(
      std::string(SECURENET_TOKEN_BIN) + " --user u-123 --email e@x.org --secret-file " + file,
      status);
  ASSERT_EQ(status, 0);
  auto c = v->verify(token, now);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->sub, "u-123");
  EXPECT_EQ(c->email, "e@x.org");

  auto env_token = run_stdout("SECURENET_JWT_SECRET=" + secret + " " + SECURENET_TOKEN_BIN +
                                  " --user u-9 --role service_role --ttl 60",
                              status);
  ASSERT_EQ(status, 0);
  auto c2 = v->verify(env_token, now);
  ASSERT_TRUE(c2.ok()) << c2.error().message;
  EXPECT_EQ(c2->role, "service_role");
  EXPECT_FALSE(v->verify(env_token, now + 120).ok());
}

TEST(TokenCli, RefusesMissingUserOrSecret) {
  int status = 0;
  run_stdout(
      std::string("env -u SECURENET_JWT_SECRET ") + SECURENET_TOKEN_BIN + " --user u 2>/dev/null",
      status);
  EXPECT_NE(status, 0);
  run_stdout(std::string("SECURENET_JWT_SECRET=x ") + SECURENET_TOKEN_BIN + " 2>/dev/null", status);
  EXPECT_NE(status, 0);
}

}  // namespace
}  // namespace securenet::auth
