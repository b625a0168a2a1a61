// Live capture end to end: securenet-gen sends a known mix into a veth pair, the real
// securenet-dataplane captures it from the other end (AF_PACKET, AF_XDP native, AF_XDP
// generic), and the counters in shared memory must equal exactly what was sent.
#include "live_fixture.h"

namespace securenet::netns_test {
namespace {

class CaptureTest : public LiveFixture, public ::testing::WithParamInterface<Case> {
 protected:
  void SetUp() override {
    queues_ = GetParam().workers;
    LiveFixture::SetUp();
  }
};

TEST_P(CaptureTest, CountersEqualWhatWasSent) {
  const Case& c = GetParam();
  if (std::string(c.source) == "afxdp" && !SN_HAVE_AFXDP)
    GTEST_SKIP()
        << "AF_XDP support not built (SECURENET_WITH_AFXDP off or libbpf/libxdp/clang missing)";
  if (!start_dataplane(c)) GTEST_SKIP() << skip_;
  // A SPAN port's mirrored frames are addressed to other machines: capture must be promiscuous.
  EXPECT_GE(promiscuity(), 1)
      << "capture interface not promiscuous";  // one hold per AF_PACKET socket
  const uint64_t count = mix_.size() * kTimes;
  ASSERT_EQ(send(c, count), count);
  const GlobalCounters t = wait_for(count);

  uint64_t bytes = 0, vlan = 0, frags = 0, syn = 0, malformed = 0, arp = 0;
  for (const MixFrame& f : mix_) {
    bytes += f.frame.wire_len * kTimes;
    vlan += f.vlan * kTimes;
    frags += f.fragment * kTimes;
    syn += f.syn * kTimes;
    malformed += f.malformed * kTimes;
    arp += (f.what.rfind("arp", 0) == 0) * kTimes;
  }
  EXPECT_EQ(t.packets, count);
  EXPECT_EQ(t.bytes, bytes);
  EXPECT_EQ(t.vlan_packets, vlan);
  EXPECT_EQ(t.fragments, frags);
  EXPECT_EQ(t.tcp_syn, syn);
  EXPECT_EQ(t.arp_packets, arp);
  uint64_t parse_errors = 0;
  for (uint64_t e : t.parse_errors) parse_errors += e;
  EXPECT_EQ(parse_errors, malformed);
  EXPECT_EQ(t.source_drops, 0u);

  auto reader = ShmReader::open("securenet-" + instance_);
  ASSERT_TRUE(reader) << reader.error().message;
  const auto expect = expected_hosts(mix_, kTimes);
  std::map<std::string, HostCounters> seen;
  for (const HostCounters& h : reader->merge_hosts()) seen[ip_text(h.key)] = h;
  for (const auto& [ip, e] : expect) {
    SCOPED_TRACE(ip);
    ASSERT_TRUE(seen.count(ip)) << "host not counted";
    const HostCounters& h = seen[ip];
    EXPECT_EQ(h.packets_sent, e.sent);
    EXPECT_EQ(h.bytes_sent, e.bytes_sent);
    EXPECT_EQ(h.packets_recv, e.recv);
    EXPECT_EQ(h.bytes_recv, e.bytes_recv);
    EXPECT_EQ(h.syn_sent, e.syn_sent);
    for (size_t k = 0; k < shm::kProtoClassCount; ++k)
      EXPECT_EQ(h.proto_class_packets[k], e.cls[k]) << "class " << k;
  }
  for (const auto& [ip, h] : seen)  // nothing but the mix's hosts (and the malformed pair)
    EXPECT_TRUE(expect.count(ip) || ip.rfind("10.9.9.", 0) == 0) << "unexpected host " << ip;

  EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
  EXPECT_EQ(promiscuity(), 0) << "promiscuous mode left on after SIGINT";
  if (std::string(c.source) == "afxdp") {
    EXPECT_EQ(sh_out("ip link show " + env_->capture_if()).find(" xdp"), std::string::npos)
        << "XDP program left attached after SIGINT";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Sources, CaptureTest,
    ::testing::Values(Case{"AfPacket", "afpacket", "", "packet"},
                      Case{"AfXdpNative", "afxdp", "native", "live"},
                      Case{"AfXdpNativePacketGen", "afxdp", "native", "packet"},
                      Case{"AfXdpGeneric", "afxdp", "generic", "packet"},
                      Case{"AfPacketTwoWorkersFanout", "afpacket", "", "packet", 2},
                      Case{"AfXdpNativeTwoQueues", "afxdp", "native", "packet", 2},
                      Case{"AfXdpNativeTwoQueuesLiveGen", "afxdp", "native", "live", 2}),
    [](const ::testing::TestParamInfo<Case>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace securenet::netns_test
