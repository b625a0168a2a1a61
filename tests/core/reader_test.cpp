// Counting through PacketCounter and reading back through ShmReader: totals summed over
// workers, hosts merged across workers, the sample ring.
#include <gtest/gtest.h>

#include <algorithm>

#include "core_test_util.h"
#include "pipeline/packet_counter.h"

namespace securenet {
namespace {

using test::key;

const HostCounters* find(const std::vector<HostCounters>& hs, const char* ip) {
  const shm::IpKey k = key(ip);
  auto it = std::find_if(hs.begin(), hs.end(),
                         [&](const HostCounters& h) { return key_equal(h.key, k); });
  return it == hs.end() ? nullptr : &*it;
}

TEST(Counting, CountsHostsAndProtocolsOfOneBurst) {
  auto seg = test::make_segment("cnt-burst");
  ASSERT_TRUE(seg) << seg.error().message;
  PacketCounter pc(*seg, 0);
  const std::vector<pkt::Frame> frames = {
      test::tcp4("10.0.0.1", "10.0.0.2", 1000, 80, pkt::kSyn),
      test::tcp4("10.0.0.2", "10.0.0.1", 80, 1000, pkt::kSyn | pkt::kAck),
      test::udp4("10.0.0.1", "10.0.0.3", 5000, 53, 20),
      test::icmp4("10.0.0.3", "10.0.0.1"),
      test::tcp6("2001:db8::1", "2001:db8::2", 1, 2, pkt::kSyn),
  };
  std::vector<PacketView> v;
  for (size_t i = 0; i < frames.size(); ++i) v.push_back(test::view(frames[i], 100 + i));
  pc.process(v.data(), static_cast<uint32_t>(v.size()));

  auto r = ShmReader::open(seg->name());
  ASSERT_TRUE(r) << r.error().message;
  const GlobalCounters g = r->totals();
  EXPECT_EQ(g.packets, 5u);
  EXPECT_EQ(g.ipv4_packets, 4u);
  EXPECT_EQ(g.ipv6_packets, 1u);
  EXPECT_EQ(g.tcp_syn, 2u);  // SYN+ACK is not a connection attempt
  EXPECT_EQ(g.proto_class_packets[0], 3u);
  EXPECT_EQ(g.proto_class_packets[1], 1u);
  EXPECT_EQ(g.proto_class_packets[2], 1u);
  EXPECT_EQ(g.ip_proto_packets[6], 3u);
  EXPECT_EQ(g.ip_proto_packets[17], 1u);
  EXPECT_EQ(g.ip_proto_packets[1], 1u);
  EXPECT_EQ(g.hosts_in_table, 5u);
  uint64_t bytes = 0;
  for (auto& f : frames) bytes += f.wire_len;
  EXPECT_EQ(g.bytes, bytes);

  const auto hosts = r->merge_hosts();
  ASSERT_EQ(hosts.size(), 5u);
  const HostCounters* h1 = find(hosts, "10.0.0.1");
  ASSERT_NE(h1, nullptr);
  EXPECT_EQ(h1->packets_sent, 2u);
  EXPECT_EQ(h1->packets_recv, 2u);
  EXPECT_EQ(h1->bytes_sent, frames[0].wire_len + frames[2].wire_len);
  EXPECT_EQ(h1->bytes_recv, frames[1].wire_len + frames[3].wire_len);
  EXPECT_EQ(h1->syn_sent, 1u);
  EXPECT_EQ(h1->proto_class_packets[0], 2u);  // TCP sent + received
  EXPECT_EQ(h1->proto_class_packets[1], 1u);
  EXPECT_EQ(h1->proto_class_packets[2], 1u);
  EXPECT_EQ(h1->first_seen_ns, 100u);
  EXPECT_EQ(h1->last_seen_ns, 103u);
  const HostCounters* h2 = find(hosts, "10.0.0.2");
  ASSERT_NE(h2, nullptr);
  EXPECT_EQ(h2->syn_sent, 0u);
  EXPECT_EQ(find(hosts, "2001:db8::1")->syn_sent, 1u);
}

TEST(Counting, MalformedPacketsAreCountedByReason) {
  auto seg = test::make_segment("cnt-malformed");
  ASSERT_TRUE(seg) << seg.error().message;
  PacketCounter pc(*seg, 0);
  using namespace pkt;
  Ipv4Opts bad_ihl;
  bad_ihl.ihl = 4;
  const std::vector<Frame> frames = {
      Builder()
          .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
          .ipv4(ip4("10.9.0.1"), ip4("10.9.0.2"), bad_ihl)
          .udp(1, 2)
          .build(),
      Builder()
          .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
          .ipv4(ip4("10.9.0.1"), ip4("10.9.0.2"))
          .tcp(1, 2, kAck)
          .payload(50)
          .snap(40)
          .build(),
      Frame{Bytes(6, 0xff), 6},
  };
  std::vector<PacketView> v;
  for (const auto& f : frames) v.push_back(test::view(f));
  pc.process(v.data(), static_cast<uint32_t>(v.size()));
  auto r = ShmReader::open(seg->name());
  ASSERT_TRUE(r) << r.error().message;
  const GlobalCounters g = r->totals();
  EXPECT_EQ(g.packets, 3u);
  EXPECT_EQ(g.parse_errors[static_cast<size_t>(shm::ParseError::kBadIpv4Ihl)], 1u);
  EXPECT_EQ(g.parse_errors[static_cast<size_t>(shm::ParseError::kTruncatedTcp)], 1u);
  EXPECT_EQ(g.parse_errors[static_cast<size_t>(shm::ParseError::kTruncatedEthernet)], 1u);
  // Only the packet with usable addresses reached the host table.
  EXPECT_EQ(g.hosts_in_table, 2u);
  EXPECT_EQ(g.proto_class_packets[0], 1u);
}

TEST(ShmReader, SumsWorkersAndMergesTheSameHost) {
  auto seg = test::make_segment("rd-sum", 3);
  ASSERT_TRUE(seg) << seg.error().message;
  const pkt::Frame f = test::udp4("10.0.0.1", "10.0.0.2", 1, 2, 10);
  for (unsigned w = 0; w < 3; ++w) {
    PacketCounter pc(*seg, w);
    std::vector<PacketView> v(w + 1, test::view(f, 10 * (w + 1)));
    pc.process(v.data(), static_cast<uint32_t>(v.size()));
    seg->counters(w).heartbeat_ns.store(1000 + w);
  }
  auto r = ShmReader::open(seg->name());
  ASSERT_TRUE(r) << r.error().message;
  const GlobalCounters g = r->totals();
  EXPECT_EQ(g.packets, 6u);
  EXPECT_EQ(g.bytes, 6u * f.wire_len);
  EXPECT_EQ(g.hosts_in_table, 6u);  // two hosts in each of three tables
  EXPECT_EQ(g.oldest_heartbeat_ns, 1000u);
  int visits = 0;
  r->for_each_host([&](const HostCounters&) { ++visits; });
  EXPECT_EQ(visits, 6);
  const auto hosts = r->merge_hosts();
  ASSERT_EQ(hosts.size(), 2u);
  const HostCounters* s = find(hosts, "10.0.0.1");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->packets_sent, 6u);
  EXPECT_EQ(s->bytes_sent, 6u * f.wire_len);
  EXPECT_EQ(s->first_seen_ns, 10u);
  EXPECT_EQ(s->last_seen_ns, 30u);
  EXPECT_EQ(find(hosts, "10.0.0.2")->packets_recv, 6u);
}

// The count loop skips the sampler in a burst where the countdown cannot reach 0 (it moves
// once after the loop): the same packets are sampled as one by one, for rates below, at and
// above the burst size, with ARP frames (no addresses: not counted down) mixed in.
TEST(SampleRing, OneInNAcrossBurstsSkipsFramesWithoutAddresses) {
  for (const uint64_t n : {1u, 3u, 63u, 64u, 65u, 100u, 150u}) {
    SCOPED_TRACE(n);
    auto seg = test::make_segment("ringskip", 1, 1024, 1024);
    ASSERT_TRUE(seg) << seg.error().message;
    auto rw = ShmReader::open(seg->name(), true);
    ASSERT_TRUE(rw) << rw.error().message;
    rw->control()->sample_one_in.store(n);
    rw->control()->generation.store(1, std::memory_order_release);

    using namespace pkt;
    const Frame arp = Builder()
                          .eth(mac("02:00:00:00:00:01"), mac("ff:ff:ff:ff:ff:ff"))
                          .arp(1, mac("02:00:00:00:00:01"), ip4("10.0.0.1"), Mac{}, ip4("10.0.0.2"))
                          .build();
    std::vector<Frame> frames;
    std::vector<uint16_t> expected;  // sport of every n-th packet with addresses
    uint64_t addressed = 0;
    for (int i = 0; i < 400; ++i) {
      if (i % 7 == 3) {
        frames.push_back(arp);
        continue;
      }
      const auto sport = static_cast<uint16_t>(2000 + i);
      frames.push_back(test::udp4("10.0.0.1", "10.0.0.2", sport, 53));
      if (++addressed % n == 0) expected.push_back(sport);
    }
    std::vector<PacketView> v;
    for (size_t i = 0; i < frames.size(); ++i) v.push_back(test::view(frames[i], 100 + i));
    PacketCounter pc(*seg, 0);
    pc.poll_control();
    // Bursts of uneven sizes (process() cuts anything above 64).
    size_t pos = 0;
    for (const size_t k : {64u, 10u, 100u, 1u, 64u, 37u, 124u}) {
      pc.process(v.data() + pos, static_cast<uint32_t>(k));
      pos += k;
    }
    ASSERT_EQ(pos, v.size());

    std::vector<uint64_t> cursors;
    std::vector<shm::SampleRecord> out;
    EXPECT_EQ(rw->read_samples(cursors, out), 0u);
    ASSERT_EQ(out.size(), expected.size());
    for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i].sport, expected[i]) << i;
    EXPECT_EQ(seg->counters(0).sampled_packets.load(), expected.size());
  }
}

TEST(SampleRing, DeliversOneInNAndReportsLoss) {
  auto seg = test::make_segment("ring", 1, 1024, 16);
  ASSERT_TRUE(seg) << seg.error().message;
  auto rw = ShmReader::open(seg->name(), true);
  ASSERT_TRUE(rw) << rw.error().message;
  rw->control()->sample_one_in.store(2);
  rw->control()->generation.store(1, std::memory_order_release);

  PacketCounter pc(*seg, 0);
  std::vector<pkt::Frame> frames;
  for (int i = 0; i < 20; ++i)
    frames.push_back(
        test::tcp4("10.0.0.1", "10.0.0.2", static_cast<uint16_t>(1000 + i), 80, pkt::kAck));
  std::vector<PacketView> v;
  for (size_t i = 0; i < frames.size(); ++i) v.push_back(test::view(frames[i], 500 + i));
  pc.poll_control();
  pc.process(v.data(), 10);

  std::vector<uint64_t> cursors;
  std::vector<shm::SampleRecord> out;
  EXPECT_EQ(rw->read_samples(cursors, out), 0u);
  ASSERT_EQ(out.size(), 5u);  // packets 2, 4, 6, 8, 10
  EXPECT_EQ(out[0].sport, 1001);
  EXPECT_EQ(out[4].sport, 1009);
  EXPECT_EQ(out[0].ip_version, 4);
  EXPECT_EQ(out[0].ip_proto, 6);
  EXPECT_EQ(out[0].dport, 80);
  EXPECT_EQ(out[0].ts_ns.load(), 501u);
  EXPECT_EQ(ip_text(out[0].src), "10.0.0.1");
  EXPECT_EQ(cursors[0], 5u);
  EXPECT_EQ(seg->counters(0).sampled_packets.load(), 5u);

  // 40 more samples into a 16-slot ring: the reader lost 24 of them.
  for (int k = 0; k < 8; ++k) pc.process(v.data(), 10);
  out.clear();
  EXPECT_EQ(rw->read_samples(cursors, out), 24u);
  EXPECT_EQ(out.size(), 16u);
  EXPECT_EQ(cursors[0], 45u);
  out.clear();
  EXPECT_EQ(rw->read_samples(cursors, out), 0u);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace securenet
