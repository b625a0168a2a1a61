// Compares a segment's counters with what a Mix holds (GoogleTest assertions).
#pragma once

#include <gtest/gtest.h>

#include <numeric>

#include "mix.h"
#include "securenet/shm_reader.h"

namespace securenet::test {

// DPDK's net_af_packet joins a PACKET_FANOUT group with PACKET_FANOUT_FLAG_DEFRAG, so the
// kernel hands it the two IPv4 fragments as one reassembled datagram.
enum class Fragments { kAsSent, kReassembled };

inline void expect_counts(const ShmReader& reader, const Mix& m,
                          Fragments frag = Fragments::kAsSent) {
  using shm::ProtoClass;
  const GlobalCounters g = reader.totals();
  auto cls = [&](ProtoClass c) { return g.proto_class_packets[static_cast<size_t>(c)]; };
  const bool joined = frag == Fragments::kReassembled;
  const uint64_t packets = m.frames.size() - (joined ? m.fragments - 1 : 0);
  const uint64_t fragments = joined ? 0 : m.fragments;
  EXPECT_EQ(g.packets, packets);
  EXPECT_EQ(g.bytes, joined ? m.bytes - m.fragment_bytes + m.reassembled_bytes : m.bytes);
  EXPECT_EQ(g.ipv6_packets, m.ipv6);
  const uint64_t ipv4 = m.ipv4 - (m.fragments - fragments) + (joined ? 1 : 0);
  EXPECT_GE(g.ipv4_packets, ipv4);
  EXPECT_LE(g.ipv4_packets, ipv4 + m.malformed);
  EXPECT_EQ(g.arp_packets, m.arp);
  EXPECT_EQ(g.vlan_packets, m.vlan);
  EXPECT_EQ(g.tcp_syn, m.syn);
  EXPECT_EQ(g.fragments, fragments);
  EXPECT_EQ(cls(ProtoClass::kTcp), m.tcp);
  EXPECT_EQ(cls(ProtoClass::kIcmp), m.icmp);
  EXPECT_EQ(cls(ProtoClass::kIgmp), m.igmp);
  EXPECT_GE(cls(ProtoClass::kUdp), m.udp_min);
  EXPECT_LE(cls(ProtoClass::kUdp), m.udp_min + fragments + (joined ? 1 : 0));
  EXPECT_EQ(std::accumulate(g.parse_errors.begin(), g.parse_errors.end(), uint64_t{0}),
            m.malformed);
  EXPECT_EQ(g.source_drops, 0u);
  EXPECT_EQ(g.source_errors, 0u);

  size_t matched = 0;
  for (const HostCounters& h : reader.merge_hosts()) {
    auto it = m.hosts.find(ip_text(h.key));
    if (it == m.hosts.end()) continue;
    ++matched;
    const HostExpect& e = it->second;
    SCOPED_TRACE(it->first);
    EXPECT_EQ(h.packets_sent, e.sent);
    EXPECT_EQ(h.packets_recv, e.recv);
    EXPECT_EQ(h.bytes_sent, e.bytes_sent);
    EXPECT_EQ(h.bytes_recv, e.bytes_recv);
    EXPECT_EQ(h.syn_sent, e.syn);
  }
  EXPECT_EQ(matched, m.hosts.size()) << "hosts of the mix missing from the segment";
}

}  // namespace securenet::test
