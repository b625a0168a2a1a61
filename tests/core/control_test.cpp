// The control block as the worker sees it: blacklist bitmaps, generation, and the
// sequence lock between the control plane's writes and the workers' copies.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "core_test_util.h"
#include "pipeline/packet_counter.h"

namespace securenet {
namespace {

void set_bit(shm::Counter* bits, unsigned n) {
  bits[n / 64].store(bits[n / 64].load() | (1ULL << (n % 64)));
}

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
      if (ip_text(h.key) == ip) return h.blacklisted_packets;
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
  feed(pc, {test::icmp4("10.0.0.1", "10.0.0.2"),
            test::tcp4("10.0.0.1", "10.0.0.3", 40000, 23, pkt::kSyn),
            test::tcp4("10.0.0.3", "10.0.0.1", 23, 40000, pkt::kAck),
            test::tcp4("10.0.0.1", "10.0.0.3", 40000, 22, 0),
            test::udp4("10.0.0.4", "10.0.0.1", 69, 5000),
            test::udp4("10.0.0.4", "10.0.0.1", 23, 5000)});
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

// A block whose sequence lock is odd (the control plane is writing) is not applied: the
// worker keeps its previous config and takes the new one at the first poll after the write.
TEST_F(ControlTest, AWriteUnderWayIsNotApplied) {
  PacketCounter pc(*seg_, 0);
  const uint64_t seq = cb().seq.load();
  cb().seq.store(seq | 1);  // the writer's first step
  set_bit(cb().proto_blacklist, 1);
  publish();
  feed(pc, {test::icmp4("10.0.0.1", "10.0.0.2")});
  EXPECT_EQ(reader_->totals().blacklisted_packets, 0u);
  EXPECT_EQ(seg_->counters(0).control_generation.load(), 0u);
  cb().seq.store((seq | 1) + 1, std::memory_order_release);  // the writer's last step
  feed(pc, {test::icmp4("10.0.0.1", "10.0.0.2")});
  EXPECT_EQ(reader_->totals().blacklisted_packets, 1u);
  EXPECT_EQ(seg_->counters(0).control_generation.load(), 1u);
}

// One thread publishes configs whose every word is derived from their generation while
// another copies the block: no copy that try_read_control accepts mixes two configs.
TEST(ControlSeqlock, AReaderNeverSeesATornConfig) {
  auto cb = std::make_unique<shm::ControlBlock>();
  auto in = std::make_unique<shm::ControlConfig>();
  auto out = std::make_unique<shm::ControlConfig>();
  auto word = [](uint64_t gen, uint64_t i) { return gen * 0x9E3779B97F4A7C15ULL + i; };
  auto fill = [&](shm::ControlConfig& c, uint64_t gen) {
    c.generation = gen;
    c.sample_one_in = word(gen, 0);
    for (uint64_t i = 0; i < 4; ++i) c.proto_blacklist[i] = word(gen, 1 + i);
    for (uint64_t i = 0; i < 1024; ++i) c.tcp_port_blacklist[i] = word(gen, 5 + i);
    for (uint64_t i = 0; i < 1024; ++i) c.udp_port_blacklist[i] = word(gen, 1029 + i);
  };
  auto whole = [&](const shm::ControlConfig& c) {
    const uint64_t g = c.generation;
    bool ok = c.sample_one_in == word(g, 0);
    for (uint64_t i = 0; i < 4; ++i) ok &= c.proto_blacklist[i] == word(g, 1 + i);
    for (uint64_t i = 0; i < 1024; ++i) ok &= c.tcp_port_blacklist[i] == word(g, 5 + i);
    for (uint64_t i = 0; i < 1024; ++i) ok &= c.udp_port_blacklist[i] == word(g, 1029 + i);
    return ok;
  };
  fill(*in, 1);
  shm::write_control(*cb, *in);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> published{1};
  std::thread writer([&] {
    auto c = std::make_unique<shm::ControlConfig>();
    for (uint64_t g = 2; !stop.load(std::memory_order_relaxed); ++g) {
      fill(*c, g);
      shm::write_control(*cb, *c);
      published.store(g, std::memory_order_relaxed);
    }
  });
  uint64_t accepted = 0, rejected = 0, torn = 0, distinct = 0, last = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  // Until the reader has accepted 200 different configs while the writer was running.
  while (distinct < 200 && std::chrono::steady_clock::now() < deadline) {
    if (!shm::try_read_control(*cb, *out)) {
      ++rejected;
      continue;
    }
    ++accepted;
    if (!whole(*out)) ++torn;
    if (out->generation != last) ++distinct, last = out->generation;
  }
  stop = true;
  writer.join();
  EXPECT_EQ(torn, 0u) << "accepted " << accepted << ", rejected " << rejected;
  EXPECT_GE(distinct, 200u) << "the reader saw too few configs within 60 s";
  EXPECT_GT(published.load(), 200u);
  ASSERT_TRUE(shm::try_read_control(*cb, *out));  // the writer stopped: a read succeeds
  EXPECT_TRUE(whole(*out));
  EXPECT_EQ(out->generation, published.load());
}

}  // namespace
}  // namespace securenet
