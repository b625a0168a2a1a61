// The pieces of POST /api/analyze below HTTP: the child runner's limits (deadline, stdout
// cap, empty environment, no inherited descriptors) with real programs, and the reading of
// securenet-analyze's output, hostile output included.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>

#include "analyze/capture_analysis.h"
#include "analyze/child_run.h"

using namespace securenet::control;
using namespace std::chrono_literals;

TEST(ChildRun, ExitCodeOutputAndEmptyEnvironment) {
  ::setenv("SECURENET_DATABASE_URL", "postgres://secret@db/x", 1);  // never handed down
  auto r = run_child(
      {"/bin/sh", "-c", "echo out; echo err >&2; echo ${SECURENET_DATABASE_URL:-unset}; exit 3"},
      {});
  ::unsetenv("SECURENET_DATABASE_URL");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->out, "out\nunset\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST(ChildRun, NoDescriptorOfOursIsInherited) {
  // Without O_CLOEXEC on purpose, and numbered above what ls itself opens.
  const int low = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(low, 0);
  const int fd = ::fcntl(low, F_DUPFD, 200);
  ::close(low);
  ASSERT_GE(fd, 200);
  auto r = run_child({"/bin/sh", "-c", "ls /proc/self/fd"}, {});
  ::close(fd);
  ASSERT_TRUE(r);
  // 0, 1, 2 and the one ls opens to list the folder.
  EXPECT_EQ(r->out.find(std::to_string(fd) + "\n"), std::string::npos) << r->out;
}

TEST(ChildRun, DeadlineKillsTheChild) {
  ChildLimits lim;
  lim.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = run_child({"/bin/sh", "-c", "exec sleep 60"}, lim);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);  // killed
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

TEST(ChildRun, CancelKillsTheChild) {
  std::atomic<bool> cancel{true};  // shutdown already under way
  ChildLimits lim;
  lim.cancel = &cancel;
  auto r = run_child({"/bin/sh", "-c", "exec sleep 60"}, lim);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->cancelled);
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, -1);
  EXPECT_LT(r->elapsed, 30s);
}

TEST(ChildRun, StdoutCapKillsTheChild) {
  ChildLimits lim;
  lim.max_stdout = 100000;
  auto r = run_child({"/usr/bin/yes"}, lim);
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->stdout_capped);
  EXPECT_EQ(r->out.size(), 100000u);
  EXPECT_EQ(r->exit_code, -1);
}

TEST(ChildRun, AMissingProgramIsAnError) {
  EXPECT_FALSE(run_child({"/nonexistent/securenet-analyze"}, {}));
  EXPECT_FALSE(run_child({}, {}));
}

TEST(AnalysisJson, LastStateOfEachAlertInOpeningOrder) {
  const std::string out =
      R"({"event":"open","alert":{"id":"a","kind":"port_scan","severity":"LOW"}})"
      "\n"
      R"({"event":"open","alert":{"id":"b","kind":"icmp","severity":"HIGH"}})"
      "\n"
      R"({"event":"update","alert":{"id":"a","kind":"port_scan","severity":"HIGH"}})"
      "\n"
      R"({"event":"summary","packets":12,"bytes":900,"alerts":2,"seconds":0.5})"
      "\n";
  uint64_t packets = 0, alerts = 0;
  const std::string j = analysis_json(out, 7, 1234, packets, alerts);
  EXPECT_EQ(packets, 12u);
  EXPECT_EQ(alerts, 2u);
  EXPECT_EQ(j, R"({"alerts":[{"id":"a","kind":"port_scan","severity":"HIGH"},)"
               R"({"id":"b","kind":"icmp","severity":"HIGH"}],)"
               R"("summary":{"packets":12,"bytes":900,"alerts":2,"seconds":0.5},)"
               R"("packets":12,"duration_ms":7,"file_bytes":1234})");
}

TEST(AnalysisJson, OutputThatIsNotTheToolsIsRefused) {
  uint64_t p = 0, a = 0;
  for (const char* bad : {
           "",                                                    // nothing
           "not json\n",                                          // garbage
           R"({"event":"open","alert":{"id":"a"}})",              // no summary
           R"({"packets":1})",                                    // no event
           R"({"event":"open","alert":{"kind":"x"}})",            // an alert without id
           R"({"event":"summary","packets":"many"})",             // a wrong type
           "{\"event\":\"summary\",\"packets\":1}\n{\"event\":",  // cut short
       }) {
    EXPECT_EQ(analysis_json(bad, 0, 0, p, a), "") << bad;
  }
}
