// Issue 13's per-host counters: blacklisted packets against their sender only (not ICMP
// errors), reflection-port UDP against its receiver, the scan sketches of a source's
// probes (TCP of any flags, UDP, ICMP echo) and their windows; src == dst is one host.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core_test_util.h"
#include "pipeline/packet_counter.h"

namespace securenet {
namespace {

constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;

void set_bit(shm::Counter* bits, unsigned n) {
  bits[n / 64].store(bits[n / 64].load() | (1ULL << (n % 64)));
}

int bits_set(uint64_t b) { return __builtin_popcountll(b); }

class DirectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = test::make_segment("dir", 1, 4096);
    ASSERT_TRUE(s) << s.error().message;
    seg_.emplace(std::move(*s));
    auto r = ShmReader::open(seg_->name(), true);
    ASSERT_TRUE(r) << r.error().message;
    reader_.emplace(std::move(*r));
    set_bit(reader_->control()->proto_blacklist, 1);  // ICMP
    set_bit(reader_->control()->proto_blacklist, 2);  // IGMP
    reader_->control()->generation.store(1, std::memory_order_release);
    pc_.emplace(*seg_, 0);
  }
  void feed(const std::vector<pkt::Frame>& frames, uint64_t ts = kT0) {
    std::vector<PacketView> v;
    for (const auto& f : frames) v.push_back(test::view(f, ts));
    pc_->poll_control();
    pc_->process(v.data(), static_cast<uint32_t>(v.size()));
  }
  std::optional<HostCounters> host(const std::string& ip) {
    for (const auto& h : reader_->merge_hosts()) {
      if (ip_text(h.key) == ip) return h;
    }
    return std::nullopt;
  }
  std::optional<Segment> seg_;
  std::optional<ShmReader> reader_;
  std::optional<PacketCounter> pc_;
};

pkt::Frame icmp_error4(const char* src, const char* dst, uint8_t type) {
  using namespace pkt;
  return Builder()
      .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
      .ipv4(ip4(src), ip4(dst))
      .icmp(type, 3)
      .payload(28)
      .build();
}

TEST_F(DirectionTest, APingSweepCountsBlacklistedPacketsAgainstTheSenderOnly) {
  std::vector<pkt::Frame> sweep;
  for (int i = 1; i <= 254; ++i)
    sweep.push_back(test::icmp4("10.0.0.9", ("10.1.2." + std::to_string(i)).c_str()));
  feed(sweep);
  auto s = host("10.0.0.9");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->blacklisted_sent, 254u);
  EXPECT_EQ(s->blacklisted_packets, 254u);
  auto d = host("10.1.2.7");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->blacklisted_sent, 0u);
  EXPECT_EQ(d->blacklisted_packets, 1u);  // still shown in the receiver's host view
  // The sweep is a host fan-out of 254 probes: the host sketch is close to full, the port
  // sketch empty (ICMP has no ports).
  EXPECT_GT(bits_set(s->scan_host_bits), 56);  // 254 hosts into 64 bits: about 63 set
  EXPECT_EQ(bits_set(s->scan_port_bits), 0);
  EXPECT_EQ(s->scan_window, kT0 / shm::kScanWindowNs + 1);
}

TEST_F(DirectionTest, IcmpAnswersAreNotCountedAgainstTheirSender) {
  using namespace pkt;
  const Frame reply = Builder()
                          .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
                          .ipv4(ip4("10.0.0.2"), ip4("10.0.0.9"))
                          .icmp_echo(1, 1, false)
                          .payload(32)
                          .build();
  feed({icmp_error4("10.0.0.2", "10.0.0.9", 3), icmp_error4("10.0.0.2", "10.0.0.9", 11), reply,
        test::icmp4("10.0.0.2", "10.0.0.9")});
  auto s = host("10.0.0.2");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->blacklisted_packets, 4u);
  EXPECT_EQ(s->blacklisted_sent, 1u);  // the echo request only
}

TEST_F(DirectionTest, SourceEqualToDestinationIsOneHostCountedOnce) {
  feed({test::icmp4("10.0.0.5", "10.0.0.5"), test::udp4("10.0.0.5", "10.0.0.5", 53, 53)});
  auto h = host("10.0.0.5");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->packets_sent, 2u);
  EXPECT_EQ(h->packets_recv, 0u);
  EXPECT_EQ(h->blacklisted_sent, 1u);
  EXPECT_EQ(h->blacklisted_packets, 1u);
  EXPECT_EQ(h->reflection_recv, 0u);
  EXPECT_EQ(reader_->merge_hosts().size(), 1u);
}

TEST_F(DirectionTest, ReflectionPortsCountOnTheReceiver) {
  std::vector<pkt::Frame> f;
  for (uint16_t port : {53, 123, 161, 389, 1900, 11211, 19, 17, 137, 3702, 5353}) {
    f.push_back(test::udp4("192.0.2.1", "10.0.0.7", port, 40000, 400));
  }
  f.push_back(test::udp4("192.0.2.1", "10.0.0.7", 54, 40000));  // not a reflector port
  f.push_back(test::udp4("10.0.0.7", "192.0.2.1", 40000, 53));  // the query, sent
  feed(f);
  EXPECT_EQ(host("10.0.0.7")->reflection_recv, 11u);
  EXPECT_EQ(host("192.0.2.1")->reflection_recv, 0u);  // its query came from port 40000
}

TEST_F(DirectionTest, ProbesOfEveryKindFillTheSketchesAndRepliesDoNot) {
  std::vector<pkt::Frame> f;
  for (uint16_t p = 1; p <= 40; ++p)
    f.push_back(test::tcp4("10.0.0.9", "10.0.0.20", 40000, p, 0x29));  // XMAS
  for (uint16_t p = 41; p <= 80; ++p)
    f.push_back(test::tcp4("10.0.0.9", "10.0.0.20", 40000, p, 0x00));  // NULL
  for (uint16_t p = 81; p <= 120; ++p) f.push_back(test::udp4("10.0.0.9", "10.0.0.20", 40000, p));
  // A server's replies: from its low port to the clients' ephemeral ports, with ACK.
  for (uint16_t p = 0; p < 100; ++p)
    f.push_back(test::tcp4("10.0.0.20", "10.0.0.9", 80, 50000 + p, 0x12));
  for (uint16_t p = 0; p < 100; ++p)
    f.push_back(test::udp4("10.0.0.20", "10.0.0.9", 53, 50000 + p));
  feed(f);
  auto s = host("10.0.0.9");
  EXPECT_GT(bits_set(s->scan_port_bits), 45);  // 120 ports into 64 bits: about 54 set
  EXPECT_EQ(bits_set(s->scan_host_bits), 1);
  auto r = host("10.0.0.20");
  EXPECT_EQ(bits_set(r->scan_port_bits), 0);
  EXPECT_EQ(bits_set(r->scan_host_bits), 0);
  // Layout 7: a sender's window starts at its first packet, probe or not (empty sketches).
  EXPECT_EQ(r->scan_window, s->scan_window);
}

TEST_F(DirectionTest, ALaterWindowClearsTheSketchesAnEarlierOneDoesNot) {
  feed({test::udp4("10.0.0.9", "10.0.0.20", 40000, 1)}, kT0);
  const uint64_t w0 = host("10.0.0.9")->scan_window;
  feed({test::udp4("10.0.0.9", "10.0.0.21", 40000, 2)}, kT0 + shm::kScanWindowNs);
  auto h = host("10.0.0.9");
  EXPECT_EQ(h->scan_window, w0 + 1);
  EXPECT_EQ(bits_set(h->scan_host_bits), 1);
  feed({test::udp4("10.0.0.9", "10.0.0.22", 40000, 3)}, kT0);  // reordered: counts into the current
  h = host("10.0.0.9");
  EXPECT_EQ(h->scan_window, w0 + 1);
  EXPECT_GE(bits_set(h->scan_host_bits), 1);
  EXPECT_LE(bits_set(h->scan_host_bits), 2);
}

// Layout 7: a sender's rate epoch tells the worker when its scan window changes (a window is
// 30 epochs), so any packet it sends in a later window restarts its sketches, and later
// epochs of the same window keep them. kT0 is 5 s into its 15 s window.
TEST_F(DirectionTest, AnyPacketOfALaterWindowRestartsTheSketchesALaterEpochDoesNot) {
  constexpr uint64_t kSec = 1'000'000'000ULL;
  ASSERT_EQ(kT0 % shm::kScanWindowNs, 5 * kSec);
  feed({test::udp4("10.0.0.9", "10.0.0.20", 40000, 1)}, kT0);  // a probe
  auto h = host("10.0.0.9");
  const uint64_t w0 = h->scan_window, ports0 = h->scan_port_bits, hosts0 = h->scan_host_bits;
  EXPECT_EQ(w0, kT0 / shm::kScanWindowNs + 1);
  EXPECT_EQ(bits_set(ports0), 1);
  EXPECT_EQ(bits_set(hosts0), 1);
  EXPECT_EQ(host("10.0.0.20")->scan_window, 0u);  // it only received
  // 9.9 s on: a later rate epoch of the same window. The bits stay and grow.
  feed({test::udp4("10.0.0.9", "10.0.0.21", 40000, 2)}, kT0 + 9'900'000'000ULL);
  h = host("10.0.0.9");
  EXPECT_EQ(h->scan_window, w0);
  EXPECT_EQ(h->scan_port_bits & ports0, ports0);
  EXPECT_EQ(h->scan_host_bits & hosts0, hosts0);
  // 10 s on: the next window. A server's SYN+ACK (not a probe) restarts the sketches.
  feed({test::tcp4("10.0.0.9", "10.0.0.30", 80, 50000, 0x12)}, kT0 + 10 * kSec);
  h = host("10.0.0.9");
  EXPECT_EQ(h->scan_window, w0 + 1);
  EXPECT_EQ(h->scan_port_bits, 0u);
  EXPECT_EQ(h->scan_host_bits, 0u);
  feed({test::udp4("10.0.0.9", "10.0.0.22", 40000, 3)}, kT0 + 11 * kSec);
  h = host("10.0.0.9");
  EXPECT_EQ(h->scan_window, w0 + 1);
  EXPECT_EQ(bits_set(h->scan_port_bits), 1);
  EXPECT_EQ(bits_set(h->scan_host_bits), 1);
}

// A sender's first packet gets its window even in the first windows of packet time (small
// timestamps, as a capture written with a zero epoch has), where the epochs since its
// (empty) rate word do not reach back to another window.
TEST_F(DirectionTest, AFirstPacketNearTimeZeroGetsItsWindow) {
  constexpr uint64_t kSec = 1'000'000'000ULL;
  feed({test::udp4("10.0.0.9", "10.0.0.20", 40000, 1)}, 1 * kSec);
  auto h = host("10.0.0.9");
  EXPECT_EQ(h->scan_window, 1u);
  EXPECT_EQ(bits_set(h->scan_port_bits), 1);
  feed({test::udp4("10.0.0.9", "10.0.0.20", 40000, 2)}, 16 * kSec);
  h = host("10.0.0.9");
  EXPECT_EQ(h->scan_window, 2u);
  EXPECT_EQ(bits_set(h->scan_port_bits), 1);  // port 2 only: port 1's window is over
}

TEST_F(DirectionTest, MulticastDestinationsAreNotHostsOfASweep) {
  using namespace pkt;
  std::vector<pkt::Frame> f;
  for (const char* g : {"224.0.0.1", "239.255.255.250", "255.255.255.255", "224.0.0.251"}) {
    f.push_back(Builder()
                    .eth(mac("02:00:00:00:00:01"), mac("01:00:5e:00:00:01"))
                    .ipv4(ip4("10.0.0.3"), ip4(g))
                    .udp(40000, 1900)
                    .build());
  }
  feed(f);
  EXPECT_EQ(bits_set(host("10.0.0.3")->scan_host_bits), 0);
  EXPECT_TRUE(shm::is_group_address(test::key("ff02::1")));
  EXPECT_TRUE(shm::is_group_address(test::key("224.0.0.22")));
  EXPECT_FALSE(shm::is_group_address(test::key("223.255.255.255")));
  EXPECT_FALSE(shm::is_group_address(test::key("fe80::1")));
  // The v4-mapped prefix must match whole: 224.x after any other 12 bytes is not IPv4.
  EXPECT_TRUE(shm::is_group_address(test::key("255.255.255.255")));
  EXPECT_TRUE(shm::is_group_address(test::key("240.0.0.1")));
  EXPECT_FALSE(shm::is_group_address(test::key("::e000:1")));
  EXPECT_FALSE(shm::is_group_address(test::key("::1:ffff:e000:1")));
  EXPECT_FALSE(shm::is_group_address(test::key("1::ffff:e000:1")));
}

}  // namespace
}  // namespace securenet
