// Several interfaces in one dataplane (--target A,B): two veth pairs, a different number of
// frames sent into each, and the per-interface counters in the segment and in the report
// must equal exactly what each interface was sent. Hostile lists start nothing.
#include <fstream>
#include <sstream>

#include "live_fixture.h"

namespace securenet::netns_test {
namespace {

class MultiInterfaceTest : public LiveFixture, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    LiveFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    env2_ = std::make_unique<VethNetns>("m" + tag_, 1);
    if (!env2_->ok())
      GTEST_SKIP() << "cannot create a second netns + veth pair: " << env2_->error();
  }
  void TearDown() override {
    dp_.reset();
    env2_.reset();
    LiveFixture::TearDown();
  }

  uint64_t send_to(const VethNetns& env, const Case& c, uint64_t count) {
    const std::string cmd = env.exec_prefix() + SN_GEN + " --dev " + env.gen_if() + " --pcap " +
                            pcap_ + " --count " + std::to_string(count) + " --pps 50000 --mode " +
                            c.gen_mode + " 2>&1";
    const std::string out = sh_out(cmd);
    const auto pos = out.find("sent=");
    EXPECT_NE(pos, std::string::npos) << cmd << "\n" << out;
    return pos == std::string::npos ? 0 : std::stoull(out.substr(pos + 5));
  }

  uint64_t mix_bytes(uint64_t times) const {
    uint64_t b = 0;
    for (const MixFrame& f : mix_) b += f.frame.wire_len * times;
    return b;
  }

  std::unique_ptr<VethNetns> env2_;
};

TEST_P(MultiInterfaceTest, EachInterfaceCountsExactlyWhatItWasSent) {
  const Case& c = GetParam();
  if (std::string(c.source) == "afxdp" && !SN_HAVE_AFXDP)
    GTEST_SKIP()
        << "AF_XDP support not built (SECURENET_WITH_AFXDP off or libbpf/libxdp/clang missing)";
  const std::string a = env_->capture_if(), b = env2_->capture_if();
  const std::string json = dir_ + "sn-netns-" + instance_ + ".json";
  if (!start_dataplane(c, a + "," + b, {"--stats-json", json})) GTEST_SKIP() << skip_;

  auto r = ShmReader::open("securenet-" + instance_);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->header().num_workers, 2 * c.workers);  // --workers is per interface
  for (unsigned w = 0; w < 2 * c.workers; ++w)
    EXPECT_EQ(r->worker_source(w), w < c.workers ? a : b) << w;

  constexpr uint64_t kTimesA = 300, kTimesB = 700;
  const uint64_t count_a = mix_.size() * kTimesA, count_b = mix_.size() * kTimesB;
  ASSERT_EQ(send_to(*env_, c, count_a), count_a);
  ASSERT_EQ(send_to(*env2_, c, count_b), count_b);
  const GlobalCounters t = wait_for(count_a + count_b);
  EXPECT_EQ(t.packets, count_a + count_b);

  auto r2 = ShmReader::open("securenet-" + instance_);
  ASSERT_TRUE(r2) << r2.error().message;
  const auto ifaces = r2->interfaces();
  ASSERT_EQ(ifaces.size(), 2u);
  EXPECT_EQ(ifaces[0].name, a);
  EXPECT_EQ(ifaces[1].name, b);
  EXPECT_EQ(ifaces[0].workers, c.workers);
  EXPECT_EQ(ifaces[1].workers, c.workers);
  EXPECT_EQ(ifaces[0].totals.packets, count_a);
  EXPECT_EQ(ifaces[1].totals.packets, count_b);
  EXPECT_EQ(ifaces[0].totals.bytes, mix_bytes(kTimesA));
  EXPECT_EQ(ifaces[1].totals.bytes, mix_bytes(kTimesB));
  EXPECT_EQ(ifaces[0].totals.source_drops, 0u);
  EXPECT_EQ(ifaces[1].totals.source_drops, 0u);

  // Both interfaces' hosts add up: every host of the mix counted kTimesA + kTimesB times.
  const auto expect = expected_hosts(mix_, kTimesA + kTimesB);
  std::map<std::string, HostCounters> seen;
  for (const HostCounters& h : r2->merge_hosts()) seen[ip_text(h.key)] = h;
  for (const auto& [ip, e] : expect) {
    SCOPED_TRACE(ip);
    ASSERT_TRUE(seen.count(ip)) << "host not counted";
    EXPECT_EQ(seen[ip].packets_sent, e.sent);
    EXPECT_EQ(seen[ip].packets_recv, e.recv);
  }

  ASSERT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
  std::stringstream s;
  s << std::ifstream(json).rdbuf();
  const std::string w = std::to_string(c.workers);
  EXPECT_NE(s.str().find("{\"name\":\"" + a + "\",\"workers\":" + w +
                         ",\"packets\":" + std::to_string(count_a) + ","),
            std::string::npos)
      << s.str();
  EXPECT_NE(s.str().find("{\"name\":\"" + b + "\",\"workers\":" + w +
                         ",\"packets\":" + std::to_string(count_b) + ","),
            std::string::npos)
      << s.str();
  unlink(json.c_str());
  if (std::string(c.source) == "afxdp") {
    EXPECT_EQ(sh_out("ip link show " + a).find(" xdp"), std::string::npos) << "XDP left on " << a;
    EXPECT_EQ(sh_out("ip link show " + b).find(" xdp"), std::string::npos) << "XDP left on " << b;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sources, MultiInterfaceTest,
    ::testing::Values(Case{"AfPacket", "afpacket", "", "packet"},
                      Case{"AfPacketTwoWorkersEach", "afpacket", "", "packet", 2},
                      Case{"AfXdpNative", "afxdp", "native", "packet"}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

// A list naming a missing interface starts nothing: one line naming it, no segment, and the
// interface that does exist is left as it was (not promiscuous, no XDP program).
class MultiInterfaceRefused : public LiveFixture {};

TEST_F(MultiInterfaceRefused, HostileListsStartNothing) {
  const std::string a = env_->capture_if();
  struct Bad {
    std::string target;
    int rc;
    std::string says;
  };
  const Bad bad[] = {
      {a + ",snnosuchif0", 1, "no such interface 'snnosuchif0'"},
      {a + "," + a, 2, "names '" + a + "' twice"},
      {a + ",," + a, 2, "empty item"},
      {a + ",", 2, "empty item"},
      {a + ",abcdefghijklmnop", 2, "'abcdefghijklmnop' is longer than 15"},
      {"a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q", 2, "more than 16"},
  };
  for (const char* source : {"afpacket", "afxdp"}) {
    if (std::string(source) == "afxdp" && !SN_HAVE_AFXDP) continue;
    for (const Bad& x : bad) {
      SCOPED_TRACE(std::string(source) + " " + x.target);
      ChildProcess dp(
          {SN_DATAPLANE, "--source", source, "--target", x.target, "--instance", instance_},
          dir_ + "sn-netns-" + instance_ + ".log");
      EXPECT_EQ(dp.stop(0, 30s), x.rc) << dp.log();
      const std::string log = dp.log();
      EXPECT_NE(log.find(x.says), std::string::npos) << log;
      EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << log;
      EXPECT_NE(access(("/dev/shm/securenet-" + instance_).c_str(), F_OK), 0)
          << "a segment was created";
      EXPECT_EQ(promiscuity(), 0);
      EXPECT_EQ(sh_out("ip link show " + a).find(" xdp"), std::string::npos);
    }
  }
}

}  // namespace
}  // namespace securenet::netns_test
