#include "parser_fixtures.h"

namespace securenet::testing {
namespace {

using namespace securenet::pkt;
using shm::ParseError;
using shm::ProtoClass;

const Mac kMacA = mac("02:00:00:00:00:0a");
const Mac kMacB = mac("02:00:00:00:00:0b");
constexpr const char* kS4 = "192.0.2.1";
constexpr const char* kD4 = "198.51.100.2";
constexpr const char* kS6 = "2001:db8::1";
constexpr const char* kD6 = "2001:db8:ffff::2";

Builder eth() { return Builder().eth(kMacA, kMacB); }
Builder eth4(Ipv4Opts o = {}) { return eth().ipv4(ip4(kS4), ip4(kD4), std::move(o)); }
Builder eth6(Ipv6Opts o = {}) { return eth().ipv6(ip6(kS6), ip6(kD6), o); }

ProtoClass class_of(uint8_t proto) {
  switch (proto) {
    case kProtoTcp:
      return ProtoClass::kTcp;
    case kProtoUdp:
      return ProtoClass::kUdp;
    case kProtoIcmp:
    case kProtoIcmpv6:
      return ProtoClass::kIcmp;
    case kProtoIgmp:
      return ProtoClass::kIgmp;
    default:
      return ProtoClass::kOther;
  }
}
// Expected result of a valid IPv4/IPv6 packet whose L4 header (if any) starts at l4.
Expect v4(uint8_t proto, uint16_t l4, uint8_t vlans = 0) {
  Expect e;
  e.l3 = L3::kIpv4;
  e.ethertype = kEthIpv4;
  e.vlan_tags = vlans;
  e.src = kS4;
  e.dst = kD4;
  e.ip_proto = proto;
  e.proto_class = class_of(proto);
  e.l4_offset = l4;
  return e;
}
Expect v6(uint8_t proto, uint16_t l4, uint8_t exts = 0, uint8_t vlans = 0) {
  Expect e = v4(proto, l4, vlans);
  e.l3 = L3::kIpv6;
  e.ethertype = kEthIpv6;
  e.src = kS6;
  e.dst = kD6;
  e.ipv6_ext_headers = exts;
  return e;
}
Expect ports(Expect e, uint16_t s, uint16_t d, uint8_t flags = 0) {
  e.l4_parsed = true;
  e.sport = s;
  e.dport = d;
  e.tcp_flags = flags;
  return e;
}
Expect icmp(Expect e, uint8_t type) {
  e.l4_parsed = true;
  e.icmp_type = type;
  return e;
}
Expect err(Expect e, ParseError why) {
  e.error = why;
  e.l4_parsed = false;
  return e;
}
// An error found before any address was decoded.
// l3 is the family the ethertype names (kOther when there is none), as counted.
Expect early(ParseError why, uint16_t ethertype = 0, uint8_t vlans = 0) {
  Expect e;
  e.error = why;
  e.l3 = ethertype == kEthIpv4   ? L3::kIpv4
         : ethertype == kEthIpv6 ? L3::kIpv6
         : ethertype == kEthArp  ? L3::kArp
                                 : L3::kOther;
  e.ethertype = ethertype;
  e.vlan_tags = vlans;
  return e;
}

struct Table {
  std::vector<Fixture> v;
  void add(std::string name, const Builder& b, const Expect& e) {
    v.push_back({std::move(name), b.build(), e});
  }
};

void valid_l2(Table& t) {
  t.add("arp_request",
        Builder()
            .eth(kMacA, mac("ff:ff:ff:ff:ff:ff"))
            .arp(1, kMacA, ip4(kS4), {}, ip4(kD4))
            .pad_to(60),
        [] {
          Expect e;
          e.l3 = L3::kArp;
          e.ethertype = kEthArp;
          return e;
        }());
  t.add("vlan_arp_reply", eth().vlan(7).arp(2, kMacA, ip4(kS4), kMacB, ip4(kD4)), [] {
    Expect e;
    e.l3 = L3::kArp;
    e.ethertype = kEthArp;
    e.vlan_tags = 1;
    return e;
  }());
  t.add("other_ethertype_lldp", Builder().eth(kMacA, kMacB, 0x88CC).payload(40), [] {
    Expect e;
    e.l3 = L3::kOther;
    e.ethertype = 0x88CC;
    return e;
  }());
  t.add("qinq_other_ethertype", eth().qinq(10, 20).payload(10), [] {
    Expect e;
    e.l3 = L3::kOther;
    e.ethertype = 0x88B5;
    e.vlan_tags = 2;
    return e;
  }());
  t.add("old_qinq_tpid_9100_ipv4_udp",
        eth().vlan(1, 0, 0x9100).vlan(2).ipv4(ip4(kS4), ip4(kD4)).udp(1, 2),
        ports(v4(kProtoUdp, 42, 2), 1, 2));
}

void valid_ipv4(Table& t) {
  t.add("ipv4_tcp_syn_64B", eth4().tcp(40000, 443, kSyn).pad_to(60),
        ports(v4(kProtoTcp, 34), 40000, 443, kSyn));
  t.add("ipv4_tcp_options_both",
        eth4({.options = {0x94, 0x04, 0, 0}})
            .tcp(80, 1025, kSyn | kAck, {.options = {2, 4, 0x05, 0xb4, 1, 3, 3, 7}})
            .payload(100),
        ports(v4(kProtoTcp, 38), 80, 1025, kSyn | kAck));
  t.add("ipv4_tcp_all_flags", eth4().tcp(1, 2, 0xFF).payload(1),
        ports(v4(kProtoTcp, 34), 1, 2, 0xFF));
  t.add("ipv4_tcp_snapped_payload", eth4().tcp(5, 6, kAck | kPsh).payload(1400).snap(54),
        ports(v4(kProtoTcp, 34), 5, 6, kAck | kPsh));
  t.add("ipv4_tcp_options_cut_by_snap",
        eth4().tcp(5, 6, kSyn, {.options = std::vector<uint8_t>(40, 1)}).snap(60),
        ports(v4(kProtoTcp, 34), 5, 6, kSyn));
  t.add("ipv4_udp_dns", eth4().udp(5353, 53).payload(29), ports(v4(kProtoUdp, 34), 5353, 53));
  t.add("ipv4_udp_padded_to_60", eth4().udp(1, 2).pad_to(60), ports(v4(kProtoUdp, 34), 1, 2));
  t.add("ipv4_udp_max_ihl_options", eth4({.options = std::vector<uint8_t>(40, 1)}).udp(9, 10),
        ports(v4(kProtoUdp, 74), 9, 10));
  t.add("ipv4_icmp_echo", eth4().icmp_echo(7, 1).payload(56), icmp(v4(kProtoIcmp, 34), 8));
  t.add("ipv4_icmp_unreachable", eth4().icmp(3, 3).payload(28), icmp(v4(kProtoIcmp, 34), 3));
  t.add("ipv4_igmp_report", eth4({.ttl = 1}).igmp(0x16, ip4("239.1.2.3")).pad_to(60), [] {
    Expect e = v4(kProtoIgmp, 34);
    e.l4_parsed = true;
    return e;
  }());
  t.add("ipv4_gre_other_proto", eth4({.proto = 47}).payload(24), v4(47, 34));
  t.add("ipv4_no_payload_proto_253", eth4(), v4(253, 34));
  t.add("ipv4_icmpv6_number_in_ipv4", eth4({.proto = kProtoIcmpv6}).payload(8),
        icmp(v4(kProtoIcmpv6, 34), 0));
  {
    Expect e = ports(v4(kProtoUdp, 34), 4000, 4001);
    e.fragment = e.first_fragment = true;
    t.add("ipv4_first_fragment_udp", eth4({.more_fragments = true}).udp(4000, 4001).payload(32), e);
    t.add("ipv4_first_fragment_udp_length_covers_datagram",
          eth4({.more_fragments = true}).udp(4000, 4001, {.length = 1480}).payload(32), e);
  }
  {
    Expect e = v4(kProtoTcp, 0);
    e.fragment = true;
    t.add("ipv4_later_fragment_tcp",
          eth4({.more_fragments = true, .frag_offset = 185, .proto = kProtoTcp}).payload(64), e);
    t.add("ipv4_last_fragment_tcp_dont_parse_garbage",
          eth4({.frag_offset = 3, .proto = kProtoTcp}).payload(3), e);
  }
  t.add("vlan_ipv4_udp", eth().vlan(100, 5).ipv4(ip4(kS4), ip4(kD4)).udp(1000, 2000).payload(4),
        ports(v4(kProtoUdp, 38, 1), 1000, 2000));
  t.add("qinq_ipv4_tcp", eth().qinq(200, 300).ipv4(ip4(kS4), ip4(kD4)).tcp(22, 50000, kAck),
        ports(v4(kProtoTcp, 42, 2), 22, 50000, kAck));
  t.add("err_bad_ipv4_total_above_wire_snapped",
        eth4({.total_length = 1500}).tcp(1, 2, kRst).snap(40),
        err(v4(kProtoTcp, 0), ParseError::kBadIpv4TotalLength));  // the wire has only 54 bytes
}

void valid_ipv6(Table& t) {
  t.add("ipv6_tcp_syn", eth6().tcp(50001, 443, kSyn), ports(v6(kProtoTcp, 54), 50001, 443, kSyn));
  t.add("ipv6_udp", eth6().udp(546, 547).payload(6), ports(v6(kProtoUdp, 54), 546, 547));
  t.add("ipv6_icmpv6_echo", eth6().icmpv6_echo(1, 2), icmp(v6(kProtoIcmpv6, 54), 128));
  t.add("ipv6_icmpv6_neighbor_solicit", eth6().icmpv6(135, 0).payload(16),
        icmp(v6(kProtoIcmpv6, 54), 135));
  t.add("ipv6_no_next_header", eth6(), v6(kProtoNoNext, 54));
  t.add("ipv6_hbh_dstopts_udp", eth6().ipv6_hop_by_hop().ipv6_dest_opts().udp(7, 7),
        ports(v6(kProtoUdp, 70, 2), 7, 7));
  t.add("ipv6_ext_chain_all_kinds_tcp",
        eth6()
            .ipv6_hop_by_hop({5, 2, 0, 0})
            .ipv6_routing(0, 1, std::vector<uint8_t>(16, 0xAA))
            .ipv6_ah()
            .ipv6_dest_opts()
            .tcp(3, 4, kFin | kAck),
        ports(v6(kProtoTcp, 54 + 8 + 24 + 24 + 8, 4), 3, 4, kFin | kAck));
  {
    Builder b = eth6();
    for (int i = 0; i < kMaxIpv6ExtHeaders; ++i) b.ipv6_dest_opts();
    t.add("ipv6_max_ext_headers_udp", b.udp(1, 1),
          ports(v6(kProtoUdp, 54 + 8 * kMaxIpv6ExtHeaders, kMaxIpv6ExtHeaders), 1, 1));
  }
  {
    Expect e = ports(v6(kProtoUdp, 62, 1), 6000, 6001);
    e.fragment = e.first_fragment = true;
    t.add("ipv6_first_fragment_udp", eth6().ipv6_fragment(0, true).udp(6000, 6001).payload(16), e);
    t.add("ipv6_first_fragment_udp_length_covers_datagram",
          eth6().ipv6_fragment(0, true).udp(6000, 6001, {.length = 3000}).payload(16), e);
  }
  {
    Expect e = v6(kProtoUdp, 0, 1);
    e.fragment = true;
    // Later fragment: the bytes after the fragment header are data, never decoded.
    t.add("ipv6_later_fragment_udp", eth6().ipv6_fragment(3, false).udp(1, 2).payload(16), e);
    Expect g = v6(kProtoDestOpts, 0, 1);
    g.fragment = true;
    t.add("ipv6_later_fragment_no_walk_into_payload",
          eth6().ipv6_fragment(3, true).ipv6_dest_opts().ipv6_dest_opts().payload(8), g);
  }
  t.add("vlan_ipv6_udp", eth().vlan(5).ipv6(ip6(kS6), ip6(kD6)).udp(123, 123).payload(48),
        ports(v6(kProtoUdp, 58, 0, 1), 123, 123));
  t.add("qinq_ipv6_icmpv6", eth().qinq(1, 2).ipv6(ip6(kS6), ip6(kD6)).icmpv6(1, 4).payload(48),
        icmp(v6(kProtoIcmpv6, 62, 0, 2), 1));
}

void errors_l2(Table& t) {
  t.add("err_truncated_ethernet", eth4().tcp(1, 2, kSyn).truncate(13),
        early(ParseError::kTruncatedEthernet));
  t.add("err_empty_frame", eth().truncate(0), early(ParseError::kTruncatedEthernet));
  t.add("err_truncated_vlan", eth().vlan(1).ipv4(ip4(kS4), ip4(kD4)).snap(17),
        early(ParseError::kTruncatedVlan));
  t.add("err_truncated_inner_vlan", eth().qinq(1, 2).ipv4(ip4(kS4), ip4(kD4)).truncate(20),
        early(ParseError::kTruncatedVlan, 0, 1));
  t.add("err_too_many_vlan_tags",
        eth().vlan(1).vlan(2).vlan(3).vlan(4).vlan(5).ipv4(ip4(kS4), ip4(kD4)).udp(1, 2),
        early(ParseError::kTooManyVlanTags, 0, 4));
  t.add("four_vlan_tags_ipv4_udp",
        eth()
            .vlan(1)
            .vlan(2, 0, 0x88A8)
            .vlan(3, 0, 0x9100)
            .vlan(4)
            .ipv4(ip4(kS4), ip4(kD4))
            .udp(1, 2),
        ports(v4(kProtoUdp, 14 + 16 + 20, 4), 1, 2));
  t.add("err_truncated_arp", eth().arp(1, kMacA, ip4(kS4), {}, ip4(kD4)).truncate(14 + 27),
        early(ParseError::kTruncatedArp, kEthArp));
}

void errors_ipv4(Table& t) {
  t.add("err_truncated_ipv4", eth4().udp(1, 2).snap(14 + 19),
        early(ParseError::kTruncatedIpv4, kEthIpv4));
  t.add("err_bad_ipv4_version_6", eth4({.version = 6}).udp(1, 2),
        early(ParseError::kBadIpv4Version, kEthIpv4));
  t.add("err_bad_ipv4_version_0", eth4({.version = 0}).udp(1, 2),
        early(ParseError::kBadIpv4Version, kEthIpv4));
  t.add("err_bad_ipv4_ihl_4", eth4({.ihl = 4}).udp(1, 2), early(ParseError::kBadIpv4Ihl, kEthIpv4));
  t.add("err_bad_ipv4_ihl_beyond_caplen", eth4({.ihl = 15}).udp(1, 2),
        early(ParseError::kBadIpv4Ihl, kEthIpv4));
  t.add("err_bad_ipv4_total_below_ihl", eth4({.total_length = 19}).udp(1, 2),
        err(v4(kProtoUdp, 0), ParseError::kBadIpv4TotalLength));
  t.add("err_bad_ipv4_total_above_wire", eth4({.total_length = 29}).udp(1, 2),
        err(v4(kProtoUdp, 0), ParseError::kBadIpv4TotalLength));
  t.add("err_bad_ipv4_total_frame_truncated", eth4().tcp(1, 2, kSyn).truncate(50),
        err(v4(kProtoTcp, 0), ParseError::kBadIpv4TotalLength));
}

void errors_ipv6(Table& t) {
  t.add("err_truncated_ipv6", eth6().udp(1, 2).snap(14 + 39),
        early(ParseError::kTruncatedIpv6, kEthIpv6));
  t.add("err_bad_ipv6_version", eth6({.version = 4}).udp(1, 2),
        early(ParseError::kBadIpv6Version, kEthIpv6));
  t.add("err_bad_ipv6_payload_length", eth6({.payload_length = 9}).udp(1, 2),
        err(v6(kProtoUdp, 0), ParseError::kBadIpv6PayloadLength));
  t.add("err_truncated_ipv6_ext_snap",
        eth6().ipv6_hop_by_hop(std::vector<uint8_t>(30, 1)).udp(1, 2).snap(14 + 40 + 16),
        err(v6(kProtoHopByHop, 0), ParseError::kTruncatedIpv6ExtHeader));
  t.add("err_truncated_ipv6_ext_fixed_part", eth6().ipv6_routing().udp(1, 2).snap(14 + 40 + 4),
        err(v6(kProtoRouting, 0), ParseError::kTruncatedIpv6ExtHeader));
  t.add("err_truncated_ipv6_ext_beyond_payload_length",
        eth6({.payload_length = 8}).ipv6_dest_opts(std::vector<uint8_t>(14, 1)).udp(1, 2),
        err(v6(kProtoDestOpts, 0), ParseError::kTruncatedIpv6ExtHeader));
  t.add("err_truncated_ipv6_fragment_header",
        eth6().ipv6_fragment(0, true).udp(1, 2).snap(14 + 40 + 7),
        err(v6(kProtoFragment, 0), ParseError::kTruncatedIpv6ExtHeader));
  {
    Builder b = eth6();
    for (int i = 0; i <= kMaxIpv6ExtHeaders; ++i) b.ipv6_dest_opts();
    t.add("err_too_many_ipv6_ext_headers", b.udp(1, 1),
          err(v6(kProtoDestOpts, 0, kMaxIpv6ExtHeaders), ParseError::kTooManyIpv6ExtHeaders));
  }
}

void errors_l4(Table& t) {
  t.add("err_truncated_tcp_snap", eth4().tcp(1, 2, kSyn).snap(14 + 20 + 19),
        err(v4(kProtoTcp, 34), ParseError::kTruncatedTcp));
  t.add("err_truncated_tcp_by_ip_length", eth4({.total_length = 30}).tcp(1, 2, kSyn),
        err(v4(kProtoTcp, 34), ParseError::kTruncatedTcp));
  t.add("err_truncated_tcp_ipv6", eth6().tcp(1, 2, kSyn).snap(14 + 40 + 10),
        err(v6(kProtoTcp, 54), ParseError::kTruncatedTcp));
  {
    Expect e = err(ports(v4(kProtoTcp, 34), 1, 2, kSyn), ParseError::kBadTcpDataOffset);
    t.add("err_bad_tcp_data_offset_4", eth4().tcp(1, 2, kSyn, {.data_offset = 4}), e);
    t.add("err_bad_tcp_data_offset_beyond_ip", eth4().tcp(1, 2, kSyn, {.data_offset = 6}), e);
  }
  t.add("err_truncated_udp", eth4().udp(1, 2).snap(14 + 20 + 7),
        err(v4(kProtoUdp, 34), ParseError::kTruncatedUdp));
  {
    Expect e = err(ports(v4(kProtoUdp, 34), 1, 2), ParseError::kBadUdpLength);
    t.add("err_bad_udp_length_below_8", eth4().udp(1, 2, {.length = 7}).payload(4), e);
    t.add("err_bad_udp_length_beyond_ip", eth4().udp(1, 2, {.length = 13}).payload(4), e);
    Expect e6 = err(ports(v6(kProtoUdp, 54), 1, 2), ParseError::kBadUdpLength);
    t.add("err_bad_udp_length_ipv6", eth6().udp(1, 2, {.length = 100}).payload(4), e6);
  }
  t.add("err_truncated_icmp", eth4().icmp_echo(1, 1).snap(14 + 20 + 7),
        err(v4(kProtoIcmp, 34), ParseError::kTruncatedIcmp));
  t.add("err_truncated_icmpv6", eth6().icmpv6_echo(1, 1).snap(14 + 40 + 4),
        err(v6(kProtoIcmpv6, 54), ParseError::kTruncatedIcmpv6));
  t.add("err_truncated_igmp", eth4().igmp(0x11, ip4("0.0.0.0")).snap(14 + 20 + 6),
        err(v4(kProtoIgmp, 34), ParseError::kTruncatedIgmp));
}

}  // namespace

std::vector<Fixture> all_fixtures() {
  Table t;
  valid_l2(t);
  valid_ipv4(t);
  valid_ipv6(t);
  errors_l2(t);
  errors_ipv4(t);
  errors_ipv6(t);
  errors_l4(t);
  return std::move(t.v);
}

}  // namespace securenet::testing
