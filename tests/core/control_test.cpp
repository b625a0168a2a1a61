// The control block as the worker sees it: blacklist bitmaps, generation, reset requests.
#include <gtest/gtest.h>

#include <optional>

#include "core/packet_counter.h"
#include "core_test_util.h"

namespace securenet {
namespace {

void set_bit(shm::Counter* bits, unsigned n) { bits[n / 64].store(bits[n / 64].load() | (1ULL << (n % 64))); }

class ControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = test::make_segment("ctl");
    ASSERT_TRUE(s) << s.error().message;
    seg_.emplace(std::move(*s));
    auto r = ShmReader::open(seg_->name(), true);
    ASSERT_TRUE(r) << r.error().message;
    reader_.emplace(std::move(*r));
  }
  shm::ControlBlock& cb() { return *reader_->control(); }
  void publish() { cb().generation.store(cb().generation.load() + 1, std::memory_order_release); }
  void feed(PacketCounter& pc, const std::vector<pkt::Frame>& frames) {
    std::vector<PacketView> v;
    for (const auto& f : frames) v.push_back(test::view(f));
    pc.poll_control();
    pc.process(v.data(), static_cast<uint32_t>(v.size()));
  }
  uint64_t host_blacklisted(const char* ip) {
    for (const auto& h : reader_->merge_hosts()) {
      if (format_ip(h.key) == ip) return h.blacklisted_packets;
    }
    return ~0ULL;
  }
  std::optional<Segment> seg_;
  std::optional<ShmReader> reader_;
};

TEST_F(ControlTest, BlacklistedProtocolsAndPortsAreMarked) {
  set_bit(cb().proto_blacklist, 1);      // ICMP
  set_bit(cb().tcp_port_blacklist, 23);  // telnet, either side
  set_bit(cb().udp_port_blacklist, 69);  // tftp
  publish();
  PacketCounter pc(*seg_, 0);
  feed(pc, {test::icmp4("10.0.0.1", "10.0.0.2"), test::tcp4("10.0.0.1", "10.0.0.3", 40000, 23, pkt::kSyn),
            test::tcp4("10.0.0.3", "10.0.0.1", 23, 40000, pkt::kAck), test::tcp4("10.0.0.1", "10.0.0.3", 40000, 22, 0),
            test::udp4("10.0.0.4", "10.0.0.1", 69, 5000), test::udp4("10.0.0.4", "10.0.0.1", 23, 5000)});
  EXPECT_EQ(reader_->totals().blacklisted_packets, 4u);
  EXPECT_EQ(host_blacklisted("10.0.0.1"), 4u);  // on both ends of every blacklisted packet
  EXPECT_EQ(host_blacklisted("10.0.0.2"), 1u);
  EXPECT_EQ(host_blacklisted("10.0.0.3"), 2u);
  EXPECT_EQ(host_blacklisted("10.0.0.4"), 1u);  // UDP 23 is not TCP 23
  EXPECT_EQ(seg_->counters(0).control_generation.load(), 1u);
}

TEST_F(ControlTest, ChangesApplyOnlyAfterTheGenerationMoves) {
  PacketCounter pc(*seg_, 0);
  set_bit(cb().proto_blacklist, 1);  // written but not yet published
  feed(pc, {test::icmp4("10.0.0.1", "10.0.0.2")});
  EXPECT_EQ(reader_->totals().blacklisted_packets, 0u);
  publish();
  feed(pc, {test::icmp4("10.0.0.1", "10.0.0.2")});
  EXPECT_EQ(reader_->totals().blacklisted_packets, 1u);
  cb().proto_blacklist[0].store(0);
  publish();
  feed(pc, {test::icmp4("10.0.0.1", "10.0.0.2")});
  EXPECT_EQ(reader_->totals().blacklisted_packets, 1u);
  EXPECT_EQ(seg_->counters(0).control_generation.load(), 2u);
}

TEST_F(ControlTest, ResetRequestClearsTheWorkersTable) {
  PacketCounter pc(*seg_, 0);
  feed(pc, {test::udp4("10.0.0.1", "10.0.0.2", 1, 2)});
  EXPECT_EQ(reader_->merge_hosts().size(), 2u);
  cb().reset_request.store(1);
  publish();
  feed(pc, {test::udp4("10.0.0.7", "10.0.0.8", 1, 2)});
  const auto hosts = reader_->merge_hosts();
  ASSERT_EQ(hosts.size(), 2u);
  for (const auto& h : hosts) EXPECT_TRUE(format_ip(h.key) == "10.0.0.7" || format_ip(h.key) == "10.0.0.8");
  EXPECT_EQ(pc.control().resets_applied(), 1u);
  EXPECT_EQ(reader_->totals().hosts_in_table, 2u);
  EXPECT_EQ(reader_->totals().packets, 2u);  // global counters are not reset
}

}  // namespace
}  // namespace securenet
