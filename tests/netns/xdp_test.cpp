// AF_XDP specifics and start-up errors: a stale program of ours left by a crash is replaced,
// a foreign program is refused with a clear message, the program is detached on SIGINT,
// bad interfaces fail with one line, and the generator stops at an exact count.
#include "live_fixture.h"

namespace securenet::netns_test {
namespace {

class XdpTest : public LiveFixture {
 protected:
  void SetUp() override {
    if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
    LiveFixture::SetUp();
  }
  bool xdp_attached() {
    return sh_out("ip link show " + env_->capture_if()).find(" xdp") != std::string::npos;
  }
};

TEST_F(XdpTest, StaleProgramFromACrashIsReplacedAndDetachedOnSigint) {
  const Case c{"", "afxdp", "native", "live"};
  if (!start_dataplane(c)) GTEST_SKIP() << skip_;
  ASSERT_TRUE(xdp_attached());
  EXPECT_EQ(promiscuity(), 1);
  dp_->stop(SIGKILL, 5s);  // a crash: nothing detaches the program
  EXPECT_EQ(promiscuity(), 0) << "a crash must not leave the interface promiscuous";
  shm_unlink(("/securenet-" + instance_).c_str());
  ASSERT_TRUE(xdp_attached()) << "expected the crashed dataplane's program to stay attached";
  ASSERT_TRUE(start_dataplane(c)) << skip_;
  const uint64_t n = mix_.size() * 10;
  ASSERT_EQ(send(c, n), n);
  EXPECT_EQ(wait_for(n).packets, n);
  EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
  EXPECT_FALSE(xdp_attached()) << "XDP program left attached after SIGINT";
}

TEST_F(XdpTest, ForeignProgramIsRefusedWithAClearMessage) {
  const std::string obj = std::string(SN_BPF_DIR) + "/gen_tx.bpf.o";
  ASSERT_EQ(sh("ip link set dev " + env_->capture_if() + " xdpgeneric obj " + obj + " sec xdp"), 0);
  ChildProcess dp(
      {SN_DATAPLANE, "--source", "afxdp", "--target", env_->capture_if(), "--instance", instance_},
      dir_ + "sn-netns-" + instance_ + "-foreign.log");
  const int rc = dp.stop(0, 10s);  // signal 0: just wait for it to exit
  EXPECT_NE(rc, 0);
  EXPECT_NE(dp.log().find("already has XDP program 'sn_gen_tx'"), std::string::npos) << dp.log();
  EXPECT_TRUE(xdp_attached()) << "the foreign program must be left alone";
  sh("ip link set dev " + env_->capture_if() + " xdpgeneric off");
}

TEST_F(XdpTest, GeneratorStopsAtAnExactCountInBothModes) {
  const Case c{"", "afxdp", "native", "live"};
  if (!start_dataplane(c)) GTEST_SKIP() << skip_;
  const uint64_t live = mix_.size() * 37 + 7, packet = mix_.size() * 11 + 3;  // not multiples
  ASSERT_EQ(send(c, live, 0), live);                                          // as fast as possible
  EXPECT_EQ(wait_for(live).packets, live);
  ASSERT_EQ(send(Case{"", "afxdp", "native", "packet"}, packet), packet);
  const GlobalCounters t = wait_for(live + packet);
  EXPECT_EQ(t.packets + t.source_drops, live + packet);
  EXPECT_EQ(t.source_drops, 0u);
  EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
}

TEST_F(XdpTest, EveryFrameIsCountedOrReportedAsDropped) {
  // A tiny ring and an unpaced generator: the sensor may fall behind, but every frame the
  // generator sent is either counted or reported in source_drops (XDP_STATISTICS).
  const Case c{"", "afxdp", "native", "live"};
  if (!start_dataplane(c, "", {"--ring-size", "64"})) GTEST_SKIP() << skip_;
  expect_every_frame_accounted(c, 300000);
}

TEST_F(XdpTest, AfPacketCountsOrReportsEveryFrameFromTheLiveGenerator) {
  // A pass program on the capture end gives the veth the NAPI that live frames need; the
  // frames then reach the AF_PACKET ring (4 blocks of 256 KiB): counted or in tp_drops.
  const std::string obj = std::string(SN_BPF_DIR) + "/xsk_capture.bpf.o";
  ASSERT_EQ(sh("ip link set dev " + env_->capture_if() + " xdpdrv obj " + obj + " sec xdp"), 0);
  const Case c{"", "afpacket", "", "live"};
  if (!start_dataplane(c, "", {"--ring-size", "64"})) GTEST_SKIP() << skip_;
  expect_every_frame_accounted(c, 300000);
}

// The RX ring and the UMEM are sized from a buffering time (--buffer-ms at --expected-pps per
// queue), rounded up to a power of two, and the start-up line shows what they cost.
TEST_F(XdpTest, RingsAreSizedFromTheBufferTimeAndShownAtStart) {
  const Case c{"", "afxdp", "native", "live"};
  if (!start_dataplane(c)) GTEST_SKIP() << skip_;
  std::string log = dp_->log();
  EXPECT_NE(log.find("RX ring 131072, UMEM 256 MiB per queue"), std::string::npos) << log;
  EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
  shm_unlink(("/securenet-" + instance_).c_str());
  ASSERT_TRUE(start_dataplane(c, "", {"--buffer-ms", "5", "--expected-pps", "1000000"})) << skip_;
  log = dp_->log();
  EXPECT_NE(log.find("RX ring 8192, UMEM 16 MiB per queue"), std::string::npos) << log;
  const uint64_t n = mix_.size() * 20;
  ASSERT_EQ(send(c, n), n);
  EXPECT_EQ(wait_for(n).packets, n);
  EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
}

// --sched-fifo puts every worker thread in SCHED_FIFO (what a CPU hog at normal priority cannot
// preempt); --busy-poll-us either takes effect or says in one line why not, and the counts stay
// exact either way.
TEST_F(XdpTest, SchedFifoWorkersAndBusyPollKeepExactCounts) {
  const Case c{"", "afxdp", "native", "live"};
  if (!start_dataplane(c, "", {"--sched-fifo", "5", "--busy-poll-us", "20"})) GTEST_SKIP() << skip_;
  const std::string pid = std::to_string(dp_->pid());
  // Field 41 of /proc/<tid>/stat is the policy: 1 = SCHED_FIFO; the main thread stays 0. The
  // workers set theirs as they start, which may be just after the segment is ready.
  std::string policies;
  test::wait_until(
      [&] {
        policies = sh_out("for t in /proc/" + pid + "/task/*; do awk '{print $41}' $t/stat; done");
        return policies.find('1') != std::string::npos ||
               dp_->log().find("not applied") != std::string::npos;
      },
      10s, 10ms);
  if (dp_->log().find("not applied: Operation not permitted") != std::string::npos)
    GTEST_SKIP() << "this machine refuses SCHED_FIFO to root (no real-time budget in its cgroup)";
  EXPECT_NE(policies.find('1'), std::string::npos) << policies << dp_->log();
  EXPECT_NE(policies.find('0'), std::string::npos) << policies;
  const std::string log = dp_->log();
  EXPECT_EQ(log.find("--sched-fifo 5 not applied"), std::string::npos) << log;
  const uint64_t n = mix_.size() * 20;
  ASSERT_EQ(send(c, n), n);
  EXPECT_EQ(wait_for(n).packets, n);
  EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
}

class TwoQueueXdpTest : public XdpTest {
 protected:
  void SetUp() override {
    queues_ = 2;
    XdpTest::SetUp();
  }
};

TEST_F(TwoQueueXdpTest, FewerWorkersThanQueuesIsRefused) {
  const std::string out =
      sh_out(std::string(SN_DATAPLANE) + " --source afxdp --workers 1 --target " +
             env_->capture_if() + " --instance q-" + instance_ + " 2>&1");
  EXPECT_NE(out.find("has 2 RX queue(s) but 1 worker(s)"), std::string::npos) << out;
  EXPECT_FALSE(xdp_attached());
}

TEST(StartErrors, NoSuchInterfaceFailsWithOneLine) {
  for (const char* src : {"afpacket", "afxdp"}) {
    if (std::string(src) == "afxdp" && !SN_HAVE_AFXDP) continue;
    const std::string log = ::testing::TempDir() + "sn-noif-" + std::to_string(getpid()) + ".log";
    ChildProcess dp({SN_DATAPLANE, "--source", src, "--target", "sn-no-such0", "--instance",
                     "noif-" + std::to_string(getpid())},
                    log);
    EXPECT_EQ(dp.stop(0, 10s), 1) << src;
    const std::string out = dp.log();
    EXPECT_NE(out.find("no such interface 'sn-no-such0'"), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    unlink(log.c_str());
  }
}

TEST(StartErrors, BufferAndSchedulingOptionsRefuseBadValues) {
  const std::string dp = std::string(SN_DATAPLANE) + " --instance opt-" + std::to_string(getpid());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--source afxdp --target x --buffer-ms 0", "--buffer-ms"},
      {"--source afxdp --target x --buffer-ms 1001", "--buffer-ms"},
      {"--source afxdp --target x --buffer-ms 5x", "--buffer-ms"},
      {"--source afxdp --target x --expected-pps 999", "--expected-pps"},
      {"--source afxdp --target x --expected-pps 100000001", "--expected-pps"},
      {"--source afxdp --target x --busy-poll-us 1001", "--busy-poll-us"},
      {"--source afxdp --target x --busy-poll-us -1", "--busy-poll-us"},
      {"--source afxdp --target x --sched-fifo 0", "--sched-fifo"},
      {"--source afxdp --target x --sched-fifo 100", "--sched-fifo"},
      {"--source afxdp --target x --buffer-ms 10 --ring-size 4096", "--buffer-ms"},
      {"--source afpacket --target x --expected-pps 5000", "--expected-pps"},
      {"--source pcap --target x --busy-poll-us 10", "--busy-poll-us"},
      {"--source pcap --target x --inline eth9", "--inline"},  // issue 16 item 4b
      {"--source afpacket --target x --inline eth9", "--inline"},
      {"--source afxdp --target x --inline ''", "--inline"},
      {"--source afxdp --target x --inline a234567890123456", "--inline"},
      {"--source afxdp --target x --inline a,b", "--inline"},
      {"--source afxdp --target x,y --inline z", "--inline"}};
  for (const auto& [args, opt] : bad) {
    const std::string out = sh_out(dp + " " + args + " 2>&1; echo rc=$?");
    EXPECT_NE(out.find("rc=2"), std::string::npos) << args << ": " << out;
    EXPECT_NE(out.find(opt), std::string::npos) << args << ": " << out;
  }
}

TEST(StartErrors, AfXdpRefusesLoopback) {
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  const std::string out =
      sh_out(std::string(SN_DATAPLANE) + " --source afxdp --target lo --instance lo-" +
             std::to_string(getpid()) + " 2>&1");
  EXPECT_NE(out.find("refusing to capture 'lo'"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

using StartErrorsOnVeth = LiveFixture;

TEST_F(StartErrorsOnVeth, NoPermissionFailsWithOneLine) {
  for (const char* src : {"afpacket", "afxdp"}) {
    if (std::string(src) == "afxdp" && !SN_HAVE_AFXDP) continue;
    const std::string out =
        sh_out(std::string("setpriv --reuid=nobody --regid=nogroup --clear-groups "
                           "--inh-caps=-all ") +
               SN_DATAPLANE + " --source " + src + " --target " + env_->capture_if() +
               " --instance noperm-" + std::to_string(getpid()) + " 2>&1");
    EXPECT_NE(out.find("no permission"), std::string::npos) << src << ": " << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  }
}

// --inline (issue 16 item 4b) names another, existing interface: one line otherwise, and the
// capture interface is left without our program.
TEST_F(StartErrorsOnVeth, InlineToTheCaptureInterfaceOrANonexistentOneIsRefused) {
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  for (const std::string& out_if : {env_->capture_if(), std::string("sn-no-such1")}) {
    const std::string out =
        sh_out(std::string(SN_DATAPLANE) + " --source afxdp --target " + env_->capture_if() +
               " --inline " + out_if + " --instance inl-" + std::to_string(getpid()) + " 2>&1");
    EXPECT_NE(out.find("--inline: '" + out_if + "' must be an existing interface other than"),
              std::string::npos)
        << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
    EXPECT_EQ(sh_out("ip link show " + env_->capture_if()).find(" xdp"), std::string::npos);
  }
}

}  // namespace
}  // namespace securenet::netns_test
