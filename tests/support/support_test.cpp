// The harness itself: exit statuses, environment and working directory, the SIGKILL after an
// ignored SIGTERM, waits that end when the child exits, and the control launcher's arguments.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "child_process.h"
#include "control_launcher.h"

namespace securenet::test {
namespace {

std::string temp_log(const char* name) {
  return ::testing::TempDir() + "sn-support-" + std::to_string(::getpid()) + "-" + name + ".log";
}

TEST(ChildProcess, ExitStatusIsTheCodeOr128PlusTheSignal) {
  ChildProcess code({"/bin/sh", "-c", "exit 3"}, "");
  EXPECT_EQ(code.wait(), 3);
  ChildProcess killed({"/bin/sh", "-c", "kill -9 $$"}, "");
  EXPECT_EQ(killed.wait(), 128 + SIGKILL);
  ChildProcess missing({"/nonexistent/securenet-binary"}, "");
  EXPECT_FALSE(missing.started());
  EXPECT_EQ(missing.wait(), -1);
}

TEST(ChildProcess, EnvironmentWorkingDirectoryAndLogReachTheChild) {
  ChildProcess c(SpawnOptions{{"/bin/sh", "-c", "echo \"$SN_SUPPORT_X\"; pwd; echo err >&2"},
                              temp_log("env"),
                              {"SN_SUPPORT_X=hello"},
                              "/"});
  ASSERT_TRUE(c.started());
  EXPECT_EQ(c.wait(), 0);
  EXPECT_EQ(c.log(), "hello\n/\nerr\n");
}

TEST(ChildProcess, StopKillsAChildThatIgnoresTheSignal) {
  ChildProcess c({"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.1; done"},
                 temp_log("stop"));
  ASSERT_TRUE(c.wait_for([&] { return c.log() == "ready\n"; }, 60s)) << c.log();
  EXPECT_EQ(c.stop(SIGTERM, 300ms), -1);  // outlived the grace: killed
  EXPECT_FALSE(c.running());
}

TEST(ChildProcess, WaitForEndsWhenTheChildExits) {
  ChildProcess c({"/bin/true"}, "");
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(c.wait_for([] { return false; }, 120s));
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 60s);
  EXPECT_EQ(c.wait(), 0);
}

TEST(ControlLauncher, ArgumentsFollowTheOptions) {
  ControlOptions o;
  o.binary = "/bin/securenet-control";
  o.instance = "i1";
  o.state_dir = "/tmp/s";
  const auto plain = control_argv(o);
  auto has = [](const std::vector<std::string>& a, const std::string& k, const std::string& v) {
    auto it = std::find(a.begin(), a.end(), k);
    return it != a.end() && it + 1 != a.end() && it[1] == v;
  };
  EXPECT_EQ(plain.front(), "/bin/securenet-control");
  EXPECT_TRUE(has(plain, "--instance", "i1"));
  EXPECT_TRUE(has(plain, "--port-file", "/tmp/s/port"));
  EXPECT_TRUE(has(plain, "--jwt-secret-file", "/tmp/s/jwt-secret"));
  EXPECT_TRUE(has(plain, "--tick-ms", "200"));
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "--db"), 0);
  EXPECT_EQ(std::count(plain.begin(), plain.end(), "--metrics-every"), 0);
  o.db = "postgresql://x";
  o.owner_email = "a@example.com";
  o.metrics_every = 1;
  o.extra = {"--foo"};
  const auto full = control_argv(o);
  EXPECT_TRUE(has(full, "--db", "postgresql://x"));
  EXPECT_TRUE(has(full, "--owner-email", "a@example.com"));
  EXPECT_TRUE(has(full, "--metrics-every", "1"));
  EXPECT_EQ(full.back(), "--foo");
}

}  // namespace
}  // namespace securenet::test
