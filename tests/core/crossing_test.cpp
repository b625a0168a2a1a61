// Issue 17: the dataplane's crossings. A sender's sliding-second count (shm::rate_step) and
// the crossings ring: no crossing from a sender that never has more than N packets in any
// second; a crossing, at or before the packet that takes it over, from one with more than N
// in half a second; one blacklist crossing per host and epoch; the ring's loss count.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <vector>

#include "core_test_util.h"
#include "pipeline/crossing_ring.h"
#include "pipeline/packet_counter.h"

namespace securenet {
namespace {

constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;
constexpr uint64_t kSecond = 1'000'000'000ULL;
constexpr uint64_t kN = 50;  // the trigger: more than 50 packets in one second

class CrossingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = test::make_segment("cross", 1, 4096);
    ASSERT_TRUE(s) << s.error().message;
    seg_.emplace(std::move(*s));
    auto r = ShmReader::open(seg_->name(), true);
    ASSERT_TRUE(r) << r.error().message;
    reader_.emplace(std::move(*r));
    shm::ControlBlock& cb = *reader_->control();
    cb.proto_blacklist[0].store(1ULL << 1);  // ICMP
    cb.traffic_trigger.store(kN);
    cb.generation.store(1, std::memory_order_release);
    pc_.emplace(*seg_, 0);
  }
  // One packet per timestamp (each its own burst, so crossings are seen per packet).
  std::vector<Crossing> feed(const pkt::Frame& f, const std::vector<uint64_t>& ts) {
    std::vector<Crossing> out;
    for (uint64_t t : ts) {
      PacketView v = test::view(f, t);
      pc_->poll_control();
      pc_->process(&v, 1);
    }
    reader_->read_crossings(cursors_, out);
    return out;
  }
  std::optional<Segment> seg_;
  std::optional<ShmReader> reader_;
  std::optional<PacketCounter> pc_;
  std::vector<uint64_t> cursors_;
};

size_t in_window(const std::vector<uint64_t>& ts, uint64_t from, uint64_t to) {  // (from, to]
  return std::count_if(ts.begin(), ts.end(), [&](uint64_t t) { return t > from && t <= to; });
}

TEST(RateStep, CountsTwoEpochsAndSaturates) {
  uint64_t w = 0;
  for (int i = 0; i < 3; ++i) w = shm::rate_step(w, 7);
  EXPECT_EQ(shm::rate_sum(w), 3u);
  w = shm::rate_step(w | shm::kRateTrafficPushed, 8);  // the next epoch: 3 move to previous
  EXPECT_EQ(shm::rate_sum(w), 4u);
  EXPECT_FALSE(w & shm::kRateTrafficPushed);  // flags are per epoch
  w = shm::rate_step(w, 10);                  // two epochs on: all gone
  EXPECT_EQ(shm::rate_sum(w), 1u);
  uint64_t s = 0;
  for (uint64_t i = 0; i < shm::kRateCountMax + 5; ++i) s = shm::rate_step(s, 1);
  EXPECT_EQ(shm::rate_sum(s), shm::kRateCountMax);
  // The epoch number wraps: kRateEpochMask + 1 epochs later is not "the same epoch" + 0.
  EXPECT_EQ(shm::rate_sum(shm::rate_step(shm::rate_step(0, 5), 6 + shm::kRateEpochMask + 1)), 2u);
}

TEST_F(CrossingTest, ExactlyOneOverCrossesAtThatPacket) {
  const auto f = test::udp4("10.0.0.1", "10.0.0.2", 4000, 53);
  std::vector<uint64_t> ts;
  for (uint64_t i = 0; i < kN; ++i) ts.push_back(kT0 + i * 1'000'000);  // 50 in 50 ms
  EXPECT_TRUE(feed(f, ts).empty()) << "N packets are not more than N";
  auto c = feed(f, {kT0 + 60'000'000});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].rule, shm::CrossingRule::kTraffic);
  EXPECT_EQ(c[0].value, kN + 1);
  EXPECT_EQ(c[0].ts_ns, kT0 + 60'000'000);
  EXPECT_EQ(ip_text(c[0].key), "10.0.0.1");
  EXPECT_EQ(c[0].ip_proto, 17);
  EXPECT_TRUE(feed(f, {kT0 + 61'000'000, kT0 + 62'000'000}).empty()) << "once per epoch";
  // The receiver never crosses (the rule is about what a host sends).
  EXPECT_EQ(ip_text(reader_->hosts(0)[c[0].slot].key), "10.0.0.1");
}

// Random bursty senders: every crossing is a true "more than N in one second" at its packet,
// and every half second holding more than N packets has a crossing at or before its end.
TEST_F(CrossingTest, SlidingSecondIsSoundAndFindsEveryDenseHalfSecond) {
  std::mt19937_64 rng(17);
  size_t total_crossings = 0, dense = 0, quiet_runs = 0;
  for (int run = 0; run < 40; ++run) {
    char src[32];
    std::snprintf(src, sizeof src, "10.1.%d.%d", run / 200, run % 200 + 1);
    const auto f = test::udp4(src, "10.0.0.2", 4000, 53);
    std::vector<uint64_t> ts;
    uint64_t t = kT0 + static_cast<uint64_t>(run) * 100 * kSecond + rng() % kSecond;
    for (int burst = 0; burst < 12; ++burst) {  // bursts of 5..40 packets, gaps up to 0.8 s
      const int n = 5 + static_cast<int>(rng() % 36);
      for (int i = 0; i < n; ++i) ts.push_back(t += 1 + rng() % 3'000'000);
      t += rng() % (8 * kSecond / 10);
    }
    const auto crossings = feed(f, ts);
    total_crossings += crossings.size();
    quiet_runs += crossings.empty();
    for (const auto& c : crossings) {
      ASSERT_EQ(c.rule, shm::CrossingRule::kTraffic);
      EXPECT_GT(in_window(ts, c.ts_ns - kSecond, c.ts_ns), kN) << "a false crossing, run " << run;
      EXPECT_LE(c.value, in_window(ts, c.ts_ns - kSecond, c.ts_ns));
    }
    for (size_t i = 0; i < ts.size(); ++i) {  // the half second ending at packet i
      if (in_window(ts, ts[i] - kSecond / 2, ts[i]) <= kN) continue;
      ++dense;
      const bool found = std::any_of(crossings.begin(), crossings.end(), [&](const Crossing& c) {
        return c.ts_ns <= ts[i] && c.ts_ns > ts[i] - kSecond;
      });
      EXPECT_TRUE(found) << "a dense half second without a crossing, run " << run;
    }
  }
  EXPECT_GT(total_crossings, 0u);  // the streams cover both sides of the limit
  EXPECT_GT(dense, 0u);
  EXPECT_GT(quiet_runs, 0u);
}

TEST_F(CrossingTest, NoCrossingUnderTheLimitInEverySecond) {
  const auto f = test::udp4("10.0.0.7", "10.0.0.2", 4000, 53);
  std::vector<uint64_t> ts;  // 50 packets per second, 10 s, in bursts at each second's start
  for (uint64_t s = 0; s < 10; ++s)
    for (uint64_t i = 0; i < kN; ++i) ts.push_back(kT0 + s * kSecond + 1 + i * 1000);
  EXPECT_TRUE(feed(f, ts).empty());
}

// A host that ages out leaves a zero rate word to the next host of its slot.
TEST(CrossingAgeing, EvictionClearsTheRateWord) {
  auto seg = test::make_segment("cross-age", 1, 64);
  ASSERT_TRUE(seg) << seg.error().message;
  HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0), 1'000'000'000ULL);
  const shm::IpKey k = test::key("10.0.0.1");
  shm::HostEntry* e = t.find_or_insert(k, t.slot_of(k));
  ASSERT_NE(e, nullptr);
  e->rate_window.store(shm::rate_step(0, 1) | shm::kRateTrafficPushed);
  for (uint64_t now = kT0; now < kT0 + 20 * kSecond; now += kSecond / 10) t.age(now);
  EXPECT_EQ(shm::read(e->rate_window), 0u);
  EXPECT_NE(shm::host_tag(shm::read(e->state)), shm::kHostOccupied);
}

TEST_F(CrossingTest, OffWithoutATrigger) {
  reader_->control()->traffic_trigger.store(0);
  reader_->control()->generation.store(2, std::memory_order_release);
  const auto f = test::udp4("10.0.0.8", "10.0.0.2", 4000, 53);
  std::vector<uint64_t> ts;
  for (uint64_t i = 0; i < 500; ++i) ts.push_back(kT0 + i);
  EXPECT_TRUE(feed(f, ts).empty());
}

TEST_F(CrossingTest, BlacklistOncePerHostAndEpoch) {
  const auto f = test::icmp4("10.0.0.9", "10.0.0.2");
  auto c = feed(f, {kT0 + 1, kT0 + 2, kT0 + 3});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].rule, shm::CrossingRule::kBlacklist);
  EXPECT_EQ(c[0].ip_proto, 1);
  EXPECT_EQ(c[0].value, 1u);
  EXPECT_EQ(feed(f, {kT0 + shm::kRateEpochNs + 5}).size(), 1u) << "again in the next epoch";
}

TEST_F(CrossingTest, RingReportsWhatItLost) {
  CrossingWriter w(&seg_->crossing_ring(0), seg_->crossing_records(0));
  const uint64_t n = shm::kCrossingRingCapacity + 100;
  for (uint64_t i = 0; i < n; ++i)
    w.push(test::key("10.9.9.9"), i, shm::CrossingRule::kTraffic, i, 17, kT0 + i);
  std::vector<Crossing> out;
  EXPECT_EQ(reader_->read_crossings(cursors_, out), 100u);
  ASSERT_EQ(out.size(), shm::kCrossingRingCapacity);
  EXPECT_EQ(out.front().value, 100u);
  EXPECT_EQ(out.back().value, n - 1);
  out.clear();
  EXPECT_EQ(reader_->read_crossings(cursors_, out), 0u);
  EXPECT_TRUE(out.empty());
}

// Connection rate (issue 17): a sender's entry with more SYNs than the trigger is pushed
// once per epoch, with its lifetime SYNs; SYN-ACKs and other packets never push; the traffic
// and SYN flags of one epoch are independent; off at 0.
TEST_F(CrossingTest, SynSendersArePushedOncePerEpochPastTheTrigger) {
  constexpr uint64_t kSyn = 20;
  reader_->control()->syn_trigger.store(kSyn);
  reader_->control()->generation.store(2, std::memory_order_release);
  const auto syn = test::tcp4("10.0.0.9", "10.0.0.2", 40000, 80, 0x02);
  const auto synack = test::tcp4("10.0.0.9", "10.0.0.2", 40000, 80, 0x12);
  std::vector<uint64_t> ts;
  for (uint64_t i = 0; i < kSyn; ++i) ts.push_back(kT0 + i * 1'000'000);
  EXPECT_TRUE(feed(syn, ts).empty()) << "N SYNs are not more than N";
  EXPECT_TRUE(feed(synack, {kT0 + 30'000'000, kT0 + 31'000'000}).empty()) << "not SYNs";
  auto c = feed(syn, {kT0 + 40'000'000, kT0 + 41'000'000, kT0 + 42'000'000});
  ASSERT_EQ(c.size(), 1u) << "once per epoch";
  EXPECT_EQ(c[0].rule, shm::CrossingRule::kSyn);
  EXPECT_EQ(c[0].value, kSyn + 1);
  EXPECT_EQ(c[0].ts_ns, kT0 + 40'000'000);
  EXPECT_EQ(ip_text(c[0].key), "10.0.0.9");
  EXPECT_EQ(c[0].ip_proto, 6);
  c = feed(syn, {kT0 + kSecond / 2 + 1, kT0 + kSecond / 2 + 2});  // the next epoch
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].value, kSyn + 4);
  reader_->control()->syn_trigger.store(0);
  reader_->control()->generation.store(3, std::memory_order_release);
  EXPECT_TRUE(feed(syn, {kT0 + 2 * kSecond, kT0 + 3 * kSecond}).empty()) << "off";
}

}  // namespace
}  // namespace securenet
