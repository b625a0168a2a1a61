// The packet mix the DPDK tests send, with the counts it must produce, worked out by
// construction (not by running the parser): well-formed IPv4/IPv6 TCP/UDP/ICMP/IGMP, VLAN
// and ARP frames between known hosts, plus IPv4 fragments and malformed frames.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tools/packet_builder.h"

namespace securenet::test {

struct HostExpect {
  uint64_t sent = 0, recv = 0, bytes_sent = 0, bytes_recv = 0, syn = 0;
};

struct Mix {
  std::vector<pkt::Frame> frames;
  uint64_t bytes = 0, ipv4 = 0, ipv6 = 0, arp = 0, vlan = 0, syn = 0;
  uint64_t tcp = 0, icmp = 0, igmp = 0, udp_min = 0;  // udp: fragments may add to it
  uint64_t fragments = 0, malformed = 0;
  uint64_t fragment_bytes = 0;              // wire bytes of the fragments
  uint64_t reassembled_bytes = 0;           // the one datagram they make, as a whole frame
  std::map<std::string, HostExpect> hosts;  // only hosts of well-formed, unfragmented packets
};

inline Mix make_mix() {
  using namespace pkt;
  Mix m;
  const Mac a = mac("02:00:00:00:00:01"), b = mac("02:00:00:00:00:02");
  auto add = [&](Frame f) {
    m.bytes += f.wire_len;
    m.frames.push_back(std::move(f));
  };
  auto host = [&](const std::string& src, const std::string& dst, uint32_t len) {
    m.hosts[src].sent++;
    m.hosts[src].bytes_sent += len;
    m.hosts[dst].recv++;
    m.hosts[dst].bytes_recv += len;
  };
  for (int i = 1; i <= 20; ++i) {  // IPv4 TCP: one SYN, then two ACK segments per host
    const std::string src = "10.1.0." + std::to_string(i), dst = "10.2.0.1";
    for (int k = 0; k < 3; ++k) {
      const uint8_t flags = k == 0 ? kSyn : kAck;
      Frame f = Builder()
                    .eth(a, b)
                    .ipv4(ip4(src.c_str()), ip4(dst.c_str()))
                    .tcp(static_cast<uint16_t>(40000 + i), 80, flags)
                    .payload(k * 10)
                    .build();
      host(src, dst, f.wire_len);
      if (k == 0) m.hosts[src].syn++, m.syn++;
      m.ipv4++, m.tcp++;
      add(std::move(f));
    }
  }
  for (int i = 1; i <= 30; ++i) {  // IPv4 UDP, every third one VLAN-tagged
    const std::string src = "10.3.0." + std::to_string(i), dst = "10.4.0." + std::to_string(i % 4);
    Builder bl;
    bl.eth(a, b);
    if (i % 3 == 0) bl.vlan(100), m.vlan++;
    Frame f = bl.ipv4(ip4(src.c_str()), ip4(dst.c_str())).udp(5353, 53).payload(i).build();
    host(src, dst, f.wire_len);
    m.ipv4++, m.udp_min++;
    add(std::move(f));
  }
  for (int i = 1; i <= 7; ++i) {  // ICMP echo and IGMP
    const std::string src = "10.5.0." + std::to_string(i);
    Frame f = Builder().eth(a, b).ipv4(ip4(src.c_str()), ip4("10.6.0.1")).icmp_echo(1, i).build();
    host(src, "10.6.0.1", f.wire_len);
    m.ipv4++, m.icmp++;
    add(std::move(f));
    Frame g = Builder()
                  .eth(a, b)
                  .ipv4(ip4(src.c_str()), ip4("224.0.0.22"))
                  .igmp(0x16, ip4("239.1.1.1"))
                  .build();
    host(src, "224.0.0.22", g.wire_len);
    m.ipv4++, m.igmp++;
    add(std::move(g));
  }
  for (int i = 1; i <= 12; ++i) {  // IPv6 TCP SYN, UDP, ICMPv6 echo
    const std::string src = "2001:db8::" + std::to_string(i), dst = "2001:db8:1::1";
    Builder bl;
    bl.eth(a, b).ipv6(ip6(src.c_str()), ip6(dst.c_str()));
    if (i % 3 == 0)
      bl.tcp(1000, 443, kSyn), m.tcp++, m.syn++, m.hosts[src].syn++;
    else if (i % 3 == 1)
      bl.udp(1000, 53).payload(8), m.udp_min++;
    else
      bl.icmpv6_echo(7, i), m.icmp++;
    Frame f = bl.build();
    host(src, dst, f.wire_len);
    m.ipv6++;
    add(std::move(f));
  }
  for (int i = 1; i <= 5; ++i) {  // ARP requests
    add(Builder()
            .eth(a, mac("ff:ff:ff:ff:ff:ff"))
            .arp(1, a, ip4("10.9.9.1"), Mac{}, ip4(("10.9.9." + std::to_string(i + 1)).c_str()))
            .build());
    m.arp++;
  }
  {  // an IPv4 UDP datagram in two fragments
    Ipv4Opts first;
    first.more_fragments = true;
    add(Builder()
            .eth(a, b)
            .ipv4(ip4("10.7.0.1"), ip4("10.7.0.2"), first)
            .udp(9, 9)
            .payload(24)
            .build());
    Ipv4Opts second;
    second.frag_offset = 4;
    second.proto = kProtoUdp;
    add(Builder().eth(a, b).ipv4(ip4("10.7.0.1"), ip4("10.7.0.2"), second).payload(16).build());
    m.ipv4 += 2, m.fragments += 2;
    m.fragment_bytes = m.frames[m.frames.size() - 2].wire_len + m.frames.back().wire_len;
    m.reassembled_bytes = 14 + 20 + 8 + 24 + 16;
  }
  {  // malformed: IPv4 cut inside its header; a version-5 header under ethertype IPv4
    add(Builder().eth(a, b).ipv4(ip4("10.8.0.1"), ip4("10.8.0.2")).udp(1, 2).truncate(24).build());
    Ipv4Opts bad;
    bad.version = 5;
    add(Builder().eth(a, b).ipv4(ip4("10.8.0.3"), ip4("10.8.0.4"), bad).udp(1, 2).build());
    m.malformed += 2;
  }
  return m;
}

}  // namespace securenet::test
