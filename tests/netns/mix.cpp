#include "mix.h"

namespace securenet::netns_test {

using namespace securenet::pkt;
using shm::ProtoClass;

std::vector<MixFrame> build_mix() {
  const Mac m1 = mac("02:00:00:00:01:01"), m2 = mac("02:00:00:00:01:02");
  const Ip4 a = ip4("10.1.0.1"), b = ip4("10.1.0.2"), c = ip4("10.1.0.3");
  const Ip4 bad1 = ip4("10.9.9.9"), bad2 = ip4("10.9.9.8");
  const Ip6 a6 = ip6("2001:db8::a"), b6 = ip6("2001:db8::b");
  std::vector<MixFrame> m;
  auto add = [&m](std::string what, const Builder& bld, std::string src, std::string dst,
                  ProtoClass cls) {
    MixFrame f;
    f.what = std::move(what);
    f.frame = bld.build();
    f.src = std::move(src);
    f.dst = std::move(dst);
    f.cls = cls;
    m.push_back(std::move(f));
    return &m.back();
  };
  add("ipv4 tcp syn", Builder().eth(m1, m2).ipv4(a, b).tcp(40000, 80, kSyn), "10.1.0.1", "10.1.0.2",
      ProtoClass::kTcp)
      ->syn = true;
  add("ipv4 tcp syn-ack", Builder().eth(m2, m1).ipv4(b, a).tcp(80, 40000, kSyn | kAck), "10.1.0.2",
      "10.1.0.1", ProtoClass::kTcp);
  add("ipv4 udp dns", Builder().eth(m1, m2).ipv4(a, c).udp(5353, 53).payload(32), "10.1.0.1",
      "10.1.0.3", ProtoClass::kUdp);
  add("ipv4 icmp echo", Builder().eth(m2, m1).ipv4(c, a).icmp_echo(1, 1).payload(56), "10.1.0.3",
      "10.1.0.1", ProtoClass::kIcmp);
  add("ipv6 tcp syn", Builder().eth(m1, m2).ipv6(a6, b6).tcp(40001, 443, kSyn), "2001:db8::a",
      "2001:db8::b", ProtoClass::kTcp)
      ->syn = true;
  add("ipv6 udp", Builder().eth(m2, m1).ipv6(b6, a6).udp(123, 123).payload(48), "2001:db8::b",
      "2001:db8::a", ProtoClass::kUdp);
  add("ipv6 icmpv6 echo", Builder().eth(m1, m2).ipv6(a6, b6).icmpv6_echo(7, 1).payload(16),
      "2001:db8::a", "2001:db8::b", ProtoClass::kIcmp);
  add("vlan ipv4 udp", Builder().eth(m1, m2).vlan(100).ipv4(b, c).udp(1000, 2000).payload(10),
      "10.1.0.2", "10.1.0.3", ProtoClass::kUdp)
      ->vlan = true;
  add("qinq ipv6 tcp ack", Builder().eth(m1, m2).qinq(10, 20).ipv6(b6, a6).tcp(1, 2, kAck),
      "2001:db8::b", "2001:db8::a", ProtoClass::kTcp)
      ->vlan = true;
  Ipv4Opts first;
  first.more_fragments = true;
  add("ipv4 first fragment", Builder().eth(m1, m2).ipv4(a, b, first).udp(9, 9).payload(64),
      "10.1.0.1", "10.1.0.2", ProtoClass::kUdp)
      ->fragment = true;
  Ipv4Opts later;
  later.frag_offset = 9;
  later.proto = kProtoUdp;
  add("ipv4 last fragment", Builder().eth(m1, m2).ipv4(a, b, later).payload(40), "10.1.0.1",
      "10.1.0.2", ProtoClass::kUdp)
      ->fragment = true;
  add("ipv6 first fragment",
      Builder().eth(m1, m2).ipv6(a6, b6).ipv6_fragment(0, true).udp(9, 9).payload(64),
      "2001:db8::a", "2001:db8::b", ProtoClass::kUdp)
      ->fragment = true;
  add("arp request", Builder().eth(m1, mac("ff:ff:ff:ff:ff:ff")).arp(1, m1, a, Mac{}, b), "", "",
      ProtoClass::kOther);
  Ipv4Opts bad_ihl;
  bad_ihl.ihl = 4;
  add("malformed: ipv4 ihl 4", Builder().eth(m1, m2).ipv4(bad1, bad2, bad_ihl).payload(30), "", "",
      ProtoClass::kOther)
      ->malformed = true;
  add("malformed: ipv4 total length beyond the frame",
      Builder().eth(m1, m2).ipv4(bad1, bad2).tcp(5, 6, kAck).truncate(14 + 20 + 10), "", "",
      ProtoClass::kOther)
      ->malformed = true;
  return m;
}

std::map<std::string, HostExpect> expected_hosts(const std::vector<MixFrame>& mix, uint64_t times) {
  std::map<std::string, HostExpect> h;
  for (const MixFrame& f : mix) {
    if (f.malformed || f.src.empty()) continue;
    const uint64_t len = f.frame.wire_len;
    HostExpect& s = h[f.src];
    HostExpect& d = h[f.dst];
    s.sent += times;
    s.bytes_sent += len * times;
    d.recv += times;
    d.bytes_recv += len * times;
    if (f.syn) s.syn_sent += times;
    s.cls[static_cast<size_t>(f.cls)] += times;
    d.cls[static_cast<size_t>(f.cls)] += times;
  }
  return h;
}

}  // namespace securenet::netns_test
