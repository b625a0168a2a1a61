// Receive offloads: GRO merges TCP segments (and a NIC's LRO and VLAN stripping merge or
// strip frames) before the sensor sees them, so the dataplane turns them off on the capture
// interface while it runs and puts them back at exit. A veth has GRO to toggle.
#include <cerrno>
#include <cstring>

#include "live_fixture.h"
#include "sources/offloads.h"

namespace securenet::netns_test {
namespace {

class OffloadTest : public LiveFixture, public ::testing::WithParamInterface<Case> {};

TEST_P(OffloadTest, GroIsOffWhileCapturingAndRestoredAtExit) {
  const Case& c = GetParam();
  if (std::string(c.source) == "afxdp" && !SN_HAVE_AFXDP)
    GTEST_SKIP() << "AF_XDP support not built";
  uint32_t on = 1;
  if (!ethtool_value_call(env_->capture_if(), ETHTOOL_SGRO, on))
    GTEST_SKIP() << "this kernel cannot turn GRO on for a veth: " << std::strerror(errno);
  auto before = read_offloads(env_->capture_if());
  ASSERT_TRUE(before) << before.error().message;
  ASSERT_TRUE(before->gro);

  if (!start_dataplane(c)) GTEST_SKIP() << skip_;
  auto during = read_offloads(env_->capture_if());
  ASSERT_TRUE(during) << during.error().message;
  EXPECT_FALSE(during->gro) << "GRO left on while capturing";
  EXPECT_NE(dp_->log().find("turned off gro"), std::string::npos) << dp_->log();
  const uint64_t n = mix_.size() * 10;
  ASSERT_EQ(send(c, n), n);
  EXPECT_EQ(wait_for(n).packets, n);

  EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
  auto after = read_offloads(env_->capture_if());
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_TRUE(after->gro) << "GRO not restored at exit";
}

INSTANTIATE_TEST_SUITE_P(Sources, OffloadTest,
                         ::testing::Values(Case{"AfPacket", "afpacket", "", "packet"},
                                           Case{"AfXdpGeneric", "afxdp", "generic", "packet"}),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.name);
                         });

}  // namespace
}  // namespace securenet::netns_test
