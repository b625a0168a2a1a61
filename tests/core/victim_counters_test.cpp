// Issue 13 item 2's per-host counters: TCP SYNs received (syn_recv) and SYN+ACKs sent
// (synack_sent), and the destination's fan-in sketch of hashed sources (1 in 16 sampled,
// linear counting) with its accuracy over thousands of distinct sources and its window.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>

#include "core_test_util.h"
#include "pipeline/packet_counter.h"

namespace securenet {
namespace {

constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;
constexpr uint8_t kSyn = 0x02, kAck = 0x10, kRst = 0x04;

// The control plane's estimate (sampler/scan_window.h), written out here: the dataplane's
// bits must give it within its bounds.
double fanin_estimate(const std::array<uint64_t, 4>& b) {
  constexpr double m = shm::kFaninSketchBits;
  int set = 0;
  for (uint64_t w : b) set += __builtin_popcountll(w);
  if (set >= static_cast<int>(m)) return m * std::log(m) * shm::kFaninSampleOneIn;
  return -m * std::log((m - set) / m) * shm::kFaninSampleOneIn;
}

std::string source(uint32_t i) {  // 100.64.0.0/10: distinct addresses for i < 2^22
  const uint32_t a = (100u << 24) | (64u << 16) | i;
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

class VictimCountersTest : public ::testing::Test {
 protected:
  void open(uint64_t hosts) {
    auto s = test::make_segment("victim", 1, hosts);
    ASSERT_TRUE(s) << s.error().message;
    seg_.emplace(std::move(*s));
    auto r = ShmReader::open(seg_->name(), true);
    ASSERT_TRUE(r) << r.error().message;
    reader_.emplace(std::move(*r));
    pc_.emplace(*seg_, 0);
  }
  void feed(const std::vector<pkt::Frame>& frames, uint64_t ts = kT0) {
    std::vector<PacketView> v;
    for (const auto& f : frames) v.push_back(test::view(f, ts));
    pc_->process(v.data(), static_cast<uint32_t>(v.size()));
  }
  std::optional<HostCounters> host(const std::string& ip) {
    for (const auto& h : reader_->merge_hosts()) {
      if (ip_text(h.key) == ip) return h;
    }
    return std::nullopt;
  }
  // n distinct sources send one UDP packet each to `dst` at `ts`.
  void fan_in(uint32_t from, uint32_t n, const char* dst, uint64_t ts = kT0) {
    std::vector<pkt::Frame> f;
    for (uint32_t i = from; i < from + n; ++i) {
      f.push_back(test::udp4(source(i).c_str(), dst, 40000, 53));
      if (f.size() == 256 || i + 1 == from + n) {
        feed(f, ts);
        f.clear();
      }
    }
  }
  std::optional<Segment> seg_;
  std::optional<ShmReader> reader_;
  std::optional<PacketCounter> pc_;
};

TEST_F(VictimCountersTest, SynsAreCountedAgainstTheirReceiverAndSynAcksAgainstTheirSender) {
  open(1024);
  feed({test::tcp4("10.0.0.1", "10.0.0.2", 40000, 80, kSyn),
        test::tcp4("10.0.0.1", "10.0.0.2", 40001, 80, kSyn),
        test::tcp4("10.0.0.2", "10.0.0.1", 80, 40000, kSyn | kAck),
        test::tcp4("10.0.0.1", "10.0.0.2", 40000, 80, kAck),
        test::tcp4("10.0.0.2", "10.0.0.1", 80, 40001, kRst | kAck),
        test::udp4("10.0.0.1", "10.0.0.2", 40000, 53)});
  auto a = host("10.0.0.1"), b = host("10.0.0.2");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->syn_sent, 2u);
  EXPECT_EQ(b->syn_recv, 2u);
  EXPECT_EQ(b->synack_sent, 1u);
  EXPECT_EQ(a->syn_recv, 0u);  // a SYN+ACK is an answer, not a SYN
  EXPECT_EQ(a->synack_sent, 0u);
  EXPECT_EQ(b->syn_sent, 0u);
}

TEST_F(VictimCountersTest, ALandSynIsCountedOnceAsSent) {
  open(1024);
  feed({test::tcp4("10.0.0.5", "10.0.0.5", 80, 80, kSyn)});
  auto h = host("10.0.0.5");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->syn_sent, 1u);
  EXPECT_EQ(h->syn_recv, 0u);
}

TEST_F(VictimCountersTest, TheFanInSketchEstimatesDistinctSourcesWithin25Percent) {
  open(1 << 17);
  const char* dst = "10.200.0.99";
  uint32_t fed = 0;
  for (uint32_t n : {2000u, 5000u, 10000u, 15000u}) {
    fan_in(fed, n - fed, dst);
    fed = n;
    auto h = host(dst);
    ASSERT_TRUE(h);
    const double est = fanin_estimate(h->fanin_bits);
    EXPECT_GT(est, 0.75 * n) << n << " sources";
    EXPECT_LT(est, 1.25 * n) << n << " sources";
    EXPECT_EQ(h->fanin_window, kT0 / shm::kScanWindowNs + 1);
  }
  // The same sources again add nothing: distinct, not packets.
  const auto before = host(dst)->fanin_bits;
  fan_in(0, 15000, dst);
  EXPECT_EQ(host(dst)->fanin_bits, before);
}

TEST_F(VictimCountersTest, FewSourcesStayFarBelowAFloodAndOneSourceSetsAtMostOneBit) {
  open(1 << 14);
  std::vector<pkt::Frame> f;
  for (int i = 0; i < 500; ++i) f.push_back(test::udp4("10.0.0.1", "10.0.0.2", 40000, 53));
  feed(f);
  const auto h = host("10.0.0.2");
  ASSERT_TRUE(h);
  int set = 0;
  for (uint64_t w : h->fanin_bits) set += __builtin_popcountll(w);
  EXPECT_LE(set, 1);
  fan_in(0, 100, "10.0.0.3");
  EXPECT_LT(fanin_estimate(host("10.0.0.3")->fanin_bits), 1000);
}

TEST_F(VictimCountersTest, ANewWindowClearsTheFanInSketch) {
  open(1 << 15);
  fan_in(0, 3000, "10.0.0.9");
  auto h = host("10.0.0.9");
  ASSERT_TRUE(h);
  EXPECT_GT(fanin_estimate(h->fanin_bits), 2000);
  fan_in(3000, 400, "10.0.0.9", kT0 + shm::kScanWindowNs);
  h = host("10.0.0.9");
  EXPECT_EQ(h->fanin_window, kT0 / shm::kScanWindowNs + 2);
  EXPECT_LT(fanin_estimate(h->fanin_bits), 1500);  // only the new window's 400 sources
}

// shm::fanin_hash is MurmurHash3's fmix64 shortened to what a slot needs: for every slot of
// the largest table (2^24) it samples the same sources and picks the same bit.
TEST(FaninHash, SamplesAndPicksTheBitsOfFmix64ForEverySlot) {
  const auto fmix64 = [](uint64_t v) {
    v ^= v >> 33;
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    v *= 0xc4ceb9fe1a85ec53ULL;
    return v ^ (v >> 33);
  };
  uint64_t differ = 0, sampled = 0;
  for (uint64_t slot = 0; slot < (uint64_t{1} << 24); ++slot) {
    const uint64_t a = shm::fanin_hash(slot), b = fmix64(slot);
    differ +=
        shm::fanin_sampled(a) != shm::fanin_sampled(b) || shm::fanin_bit(a) != shm::fanin_bit(b);
    sampled += shm::fanin_sampled(a);
  }
  EXPECT_EQ(differ, 0u);
  EXPECT_NEAR(static_cast<double>(sampled), (1 << 24) / 16.0, 4096);  // 1 in 16
}

}  // namespace
}  // namespace securenet
