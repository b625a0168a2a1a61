// Decapsulation and link types, case by case (frames from packet_builder_encap.h): the
// counted layer's addresses, protocol, family, encapsulations crossed and parse error;
// hostile cases (truncated at every layer, depth bomb, GRE with every flag, MPLS without
// bottom of stack, VXLAN on a port not configured, zero-length payloads); --decap modes.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "securenet/parser.h"
#include "securenet/shm_reader.h"
#include "tools/packet_builder_encap.h"

namespace securenet::testing {
namespace {

using namespace securenet::pkt;
using namespace securenet::pkt::encap;
using shm::Encap;
using shm::ParseError;

const Mac kA = mac("02:00:00:00:00:0a"), kB = mac("02:00:00:00:00:0b");
constexpr const char *kOs = "10.0.0.1", *kOd = "10.0.0.2";       // tunnel endpoints
constexpr const char *kIs = "192.0.2.1", *kId = "198.51.100.2";  // inner hosts
constexpr const char *kI6s = "2001:db8::1", *kI6d = "2001:db8::2";

Frame inner4() {
  return Builder().eth(kA, kB).ipv4(ip4(kIs), ip4(kId)).tcp(40000, 443, kSyn).build();
}
Frame inner6() {
  return Builder().eth(kA, kB).ipv6(ip6(kI6s), ip6(kI6d)).udp(5353, 53).payload(8).build();
}
Builder outer4(uint8_t proto) {
  return Builder().eth(kA, kB).ipv4(ip4(kOs), ip4(kOd), {.proto = proto});
}
Builder outer_udp(uint16_t dport, uint16_t sport = 50000) {
  return Builder().eth(kA, kB).ipv4(ip4(kOs), ip4(kOd)).udp(sport, dport);
}
Bytes head(const Bytes& b, size_t n) { return Bytes(b.begin(), b.begin() + static_cast<long>(n)); }
uint16_t bit(Encap e) { return static_cast<uint16_t>(1u << static_cast<unsigned>(e)); }

struct Case {
  const char* name;
  Frame frame;
  const char* src;  // "" = no addresses
  const char* dst;
  uint8_t proto;
  uint16_t encaps;
  ParseError error = ParseError::kNone;
};

std::vector<Case> cases() {
  const Bytes in4 = ip_of(inner4()), in6 = ip_of(inner6()), eth4 = inner4().data;
  std::vector<Case> c;
  c.push_back({"vxlan", outer_udp(4789).payload(cat({vxlan(42), eth4})).build(), kIs, kId, 6,
               bit(Encap::kVxlan)});
  c.push_back({"vxlan_port_not_configured", outer_udp(4790).payload(cat({vxlan(42), eth4})).build(),
               kOs, kOd, 17, 0});
  c.push_back({"vxlan_without_vni_flag", outer_udp(4789).payload(cat({vxlan(42, 0), eth4})).build(),
               kOs, kOd, 17, 0});
  c.push_back({"geneve_options_teb",
               outer_udp(6081).payload(cat({geneve(0x6558, 2), eth4})).build(), kIs, kId, 6,
               bit(Encap::kGeneve)});
  c.push_back({"geneve_ipv6", outer_udp(6081).payload(cat({geneve(0x86DD), in6})).build(), kI6s,
               kI6d, 17, bit(Encap::kGeneve)});
  c.push_back({"gtpu_gpdu", outer_udp(2152, 2152).payload(cat({gtpu(in4.size()), in4})).build(),
               kIs, kId, 6, bit(Encap::kGtpu)});
  c.push_back({"gtpu_extension_header",
               outer_udp(2152, 2152).payload(cat({gtpu(in4.size(), true), in4})).build(), kIs, kId,
               6, bit(Encap::kGtpu)});
  c.push_back({"gtpu_echo_not_user_data", outer_udp(2152, 2152).payload(gtpu(0, false, 1)).build(),
               kOs, kOd, 17, bit(Encap::kGtpu)});
  c.push_back({"gre_ipv4", outer4(47).payload(cat({gre(0x0800), in4})).build(), kIs, kId, 6,
               bit(Encap::kGre)});
  c.push_back({"gre_all_flags",
               outer4(47).payload(cat({gre(0x0800, true, 0x11, 0x22), in4})).build(), kIs, kId, 6,
               bit(Encap::kGre)});
  c.push_back({"gre_teb", outer4(47).payload(cat({gre(0x6558, false, 5), eth4})).build(), kIs, kId,
               6, bit(Encap::kGre)});
  c.push_back({"gre_unknown_payload", outer4(47).payload(cat({gre(0x2000), Bytes(20, 0)})).build(),
               kOs, kOd, 47, bit(Encap::kGre)});
  c.push_back(
      {"gre_within_gre",
       outer4(47)
           .payload(cat({gre(0x0800), ip_of(outer4(47).payload(cat({gre(0x0800), in4})).build())}))
           .build(),
       kIs, kId, 6, bit(Encap::kGre)});
  c.push_back({"erspan_type1", outer4(47).payload(cat({gre(0x88BE), eth4})).build(), kIs, kId, 6,
               uint16_t(bit(Encap::kGre) | bit(Encap::kErspan))});
  c.push_back({"erspan_type2",
               outer4(47).payload(cat({gre(0x88BE, false, {}, 9), erspan2(), eth4})).build(), kIs,
               kId, 6, uint16_t(bit(Encap::kGre) | bit(Encap::kErspan))});
  c.push_back({"erspan_type3_subheader",
               outer4(47).payload(cat({gre(0x22EB, false, {}, 9), erspan3(true), eth4})).build(),
               kIs, kId, 6, uint16_t(bit(Encap::kGre) | bit(Encap::kErspan))});
  c.push_back({"ipip", outer4(4).payload(in4).build(), kIs, kId, 6, bit(Encap::kIpip)});
  c.push_back({"6in4", outer4(41).payload(in6).build(), kI6s, kI6d, 17, bit(Encap::kIpip)});
  c.push_back({"6in6",
               Builder()
                   .eth(kA, kB)
                   .ipv6(ip6("2001:db8:f::1"), ip6("2001:db8:f::2"), {.next_header = 41})
                   .payload(in6)
                   .build(),
               kI6s, kI6d, 17, bit(Encap::kIpip)});
  c.push_back({"4in6",
               Builder()
                   .eth(kA, kB)
                   .ipv6(ip6("2001:db8:f::1"), ip6("2001:db8:f::2"), {.next_header = 4})
                   .payload(in4)
                   .build(),
               kIs, kId, 6, bit(Encap::kIpip)});
  c.push_back({"teredo_origin", outer_udp(50001, 3544).payload(cat({teredo_origin(), in6})).build(),
               kI6s, kI6d, 17, bit(Encap::kTeredo)});
  c.push_back({"teredo_bubble_is_udp", outer_udp(50001, 3544).payload(Bytes(12, 0)).build(), kOs,
               kOd, 17, 0});
  c.push_back({"mpls_ipv4",
               Builder().eth(kA, kB, 0x8847).payload(cat({mpls({16, 17}), in4})).build(), kIs, kId,
               6, bit(Encap::kMpls)});
  c.push_back({"mpls_ipv6", Builder().eth(kA, kB, 0x8847).payload(cat({mpls({16}), in6})).build(),
               kI6s, kI6d, 17, bit(Encap::kMpls)});
  c.push_back(
      {"mpls_pw_control_word",
       Builder().eth(kA, kB, 0x8847).payload(cat({mpls({16}), pw_control_word(), eth4})).build(),
       kIs, kId, 6, bit(Encap::kMpls)});
  c.push_back({"mpls_pw_no_control_word",
               Builder().eth(kA, kB, 0x8847).payload(cat({mpls({16}), eth4})).build(), kIs, kId, 6,
               bit(Encap::kMpls)});
  c.push_back({"pppoe_ipv4",
               Builder().eth(kA, kB, 0x8864).payload(cat({pppoe(0x0021, in4.size()), in4})).build(),
               kIs, kId, 6, bit(Encap::kPppoe)});
  c.push_back({"pppoe_ipv6_in_qinq",
               Builder()
                   .eth(kA, kB)
                   .vlan(1, 0, 0x88A8)
                   .vlan(2, 0, 0x8100, 0x8864)
                   .payload(cat({pppoe(0x0057, in6.size()), in6}))
                   .build(),
               kI6s, kI6d, 17, bit(Encap::kPppoe)});
  // Hostile.
  c.push_back(
      {"mpls_without_bottom_of_stack",
       Builder().eth(kA, kB, 0x8847).payload(cat({mpls({1, 2, 3}, false), Bytes(40, 0)})).build(),
       "", "", 0, bit(Encap::kMpls), ParseError::kTooManyMplsLabels});
  c.push_back({"mpls_stack_cut", Builder().eth(kA, kB, 0x8847).payload(mpls({1, 2}, false)).build(),
               "", "", 0, bit(Encap::kMpls), ParseError::kTruncatedMpls});
  c.push_back({"mpls_zero_length_payload", Builder().eth(kA, kB, 0x8847).payload(mpls({1})).build(),
               "", "", 0, bit(Encap::kMpls), ParseError::kTruncatedMpls});
  c.push_back({"pppoe_cut", Builder().eth(kA, kB, 0x8864).payload(Bytes{0x11, 0, 0, 1, 0}).build(),
               "", "", 0, bit(Encap::kPppoe), ParseError::kTruncatedPppoe});
  c.push_back({"gre_all_flags_cut", outer4(47).payload(head(gre(0x0800, true, 1, 2), 10)).build(),
               kOs, kOd, 47, bit(Encap::kGre), ParseError::kTruncatedGre});
  c.push_back({"geneve_options_cut", outer_udp(6081).payload(head(geneve(0x6558, 8), 12)).build(),
               kOs, kOd, 17, bit(Encap::kGeneve), ParseError::kTruncatedTunnelHeader});
  c.push_back({"vxlan_zero_length_inner", outer_udp(4789).payload(vxlan(1)).build(), kOs, kOd, 17,
               bit(Encap::kVxlan), ParseError::kTruncatedEthernet});
  c.push_back({"gre_inner_ipv4_cut",
               outer4(47).payload(cat({gre(0x0800), Bytes(in4.begin(), in4.begin() + 10)})).build(),
               kOs, kOd, 47, bit(Encap::kGre), ParseError::kTruncatedIpv4});
  Bytes bomb = in4;  // six IP-in-IP layers: four are looked through, the fifth is too deep
  for (int i = 0; i < 5; ++i) bomb = ip_of(outer4(4).payload(bomb).build());
  c.push_back({"depth_bomb", outer4(4).payload(bomb).build(), kOs, kOd, 4, bit(Encap::kIpip),
               ParseError::kTooDeepEncapsulation});
  return c;
}

// Parses exactly n bytes in their own allocation (AddressSanitizer sees any overread).
bool parse_exact(const Bytes& b, size_t n, ParsedPacket& p, const ParseConfig& cfg = ParseConfig{},
                 LinkKind link = LinkKind::kEthernet) {
  std::unique_ptr<uint8_t[]> buf(new uint8_t[n ? n : 1]);
  if (n) std::memcpy(buf.get(), b.data(), n);
  return parse_link(link, buf.get(), static_cast<uint32_t>(n), static_cast<uint32_t>(n), p, cfg);
}

void check_invariants(const ParsedPacket& p, bool ok, size_t n) {
  ASSERT_EQ(ok, p.error == ParseError::kNone);
  ASSERT_NE(p.l3, L3::kNone);
  ASSERT_LE(p.encap_depth, kMaxEncapDepth);
  ASSERT_LE(p.l4_offset, n);
  if (p.has_addrs) {
    ASSERT_TRUE(p.l3 == L3::kIpv4 || p.l3 == L3::kIpv6);
  }
  if (p.l4_parsed) {
    ASSERT_TRUE(p.has_addrs);
  }
}

class Decap : public ::testing::TestWithParam<Case> {};

TEST_P(Decap, CountsTheInnermostLayer) {
  const Case& c = GetParam();
  ParsedPacket p;
  const bool ok = parse_exact(c.frame.data, c.frame.data.size(), p);
  check_invariants(p, ok, c.frame.data.size());
  EXPECT_STREQ(parse_error_name(p.error), parse_error_name(c.error));
  EXPECT_EQ(p.has_addrs, *c.src != 0);
  if (*c.src) {
    EXPECT_EQ(ip_text(p.src), c.src);
    EXPECT_EQ(ip_text(p.dst), c.dst);
    EXPECT_EQ(p.ip_proto, c.proto);
  }
  EXPECT_EQ(p.encaps, c.encaps);
}

// Every truncation of every case, and every truncation with a later byte flipped.
TEST_P(Decap, EveryTruncationIsSafe) {
  const Case& c = GetParam();
  for (size_t n = 0; n <= c.frame.data.size(); ++n) {
    ParsedPacket p;
    const bool ok = parse_exact(c.frame.data, n, p);
    check_invariants(p, ok, n);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, Decap, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) {
                           return std::string(i.param.name);
                         });

// Found by fuzz_parse_packet: an outer IPv4/UDP packet to GTP-U whose tunnel header is cut
// short (frame length 0: taken from the capture). It is an error counted on the outer pair,
// and l4_parsed stays false (it is true only for a fully valid packet).
TEST(DecapFuzzFound, ATruncatedTunnelHeaderLeavesL4Unparsed) {
  const std::vector<uint8_t> f = {
      0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08, 0x00,
      0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x00, 0x00, 0x40, 0x11, 0x54, 0x63, 0x0a, 0x00,
      0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x68, 0x08, 0x68, 0x00, 0x40, 0xdb, 0x6b,
      0x34, 0xff, 0x00, 0x30, 0x00, 0x00, 0xab, 0xcd, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00,
      0x00, 0x00, 0x0a, 0x08, 0x00, 0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x00, 0x00, 0x40,
      0x11, 0x54, 0x63, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x08, 0x00, 0x00,
      0x03, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0xff, 0xff, 0xbe, 0x07, 0x00, 0x00};
  ParsedPacket p;
  ParseConfig cfg;
  const bool ok = parse_packet(f.data(), static_cast<uint32_t>(f.size()), 0, p, cfg);
  EXPECT_FALSE(ok);
  EXPECT_EQ(p.error, ParseError::kTruncatedTunnelHeader);
  EXPECT_TRUE(p.has_addrs);
  EXPECT_FALSE(p.l4_parsed);
}

TEST(DecapModes, OuterAndBoth) {
  const Frame f = outer_udp(4789).payload(cat({vxlan(42), inner4().data})).build();
  ParseConfig cfg;
  ParsedPacket p;
  cfg.decap = securenet::Decap::kOuter;
  ASSERT_TRUE(parse_exact(f.data, f.data.size(), p, cfg));
  EXPECT_EQ(ip_text(p.src), kOs);
  EXPECT_EQ(p.ip_proto, 17);
  EXPECT_EQ(p.dport, 4789);
  EXPECT_FALSE(p.has_outer);
  EXPECT_EQ(p.encaps, bit(Encap::kVxlan));
  cfg.decap = securenet::Decap::kBoth;
  ASSERT_TRUE(parse_exact(f.data, f.data.size(), p, cfg));
  EXPECT_EQ(ip_text(p.src), kIs);
  ASSERT_TRUE(p.has_outer);
  EXPECT_EQ(ip_text(p.outer.src), kOs);
  EXPECT_EQ(ip_text(p.outer.dst), kOd);
  EXPECT_EQ(p.outer.ip_proto, 17);
}

TEST(DecapModes, ConfiguredVxlanPort) {
  const Frame f = outer_udp(8472).payload(cat({vxlan(42), inner4().data})).build();
  ParsedPacket p;
  ASSERT_TRUE(parse_exact(f.data, f.data.size(), p));
  EXPECT_EQ(ip_text(p.src), kOs);  // 8472 is not a VXLAN port by default
  ParseConfig cfg;
  const uint16_t ports[] = {4789, 8472};
  ASSERT_TRUE(cfg.set_vxlan_ports(ports, 2));
  ASSERT_TRUE(parse_exact(f.data, f.data.size(), p, cfg));
  EXPECT_EQ(ip_text(p.src), kIs);
  EXPECT_FALSE(cfg.set_vxlan_ports(ports, 0));
}

TEST(DecapFragments, OuterFragmentCountsAsOuterPair) {
  const Bytes in4 = ip_of(inner4());
  for (uint16_t off : {uint16_t{0}, uint16_t{185}}) {
    const Frame f =
        Builder()
            .eth(kA, kB)
            .ipv4(ip4(kOs), ip4(kOd), {.more_fragments = true, .frag_offset = off, .proto = 47})
            .payload(cat({gre(0x0800), in4}))
            .build();
    ParsedPacket p;
    ASSERT_TRUE(parse_exact(f.data, f.data.size(), p));
    EXPECT_EQ(ip_text(p.src), kOs);
    EXPECT_TRUE(p.fragment);
    EXPECT_EQ(p.encaps, 0);
  }
}

// Link types: the same IPv4 packet behind each link header.
TEST(LinkTypes, EachHeaderReachesTheIpPacket) {
  const Bytes in4 = ip_of(inner4()), in6 = ip_of(inner6());
  const Bytes sll = cat({Bytes{0, 0, 0, 1, 0, 6}, Bytes(8, 0xAA), Bytes{0x08, 0x00}});
  const Bytes sll2 = cat({Bytes{0x86, 0xDD, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6}, Bytes(8, 0xAA)});
  struct L {
    LinkKind k;
    Bytes frame;
    const char* src;
  } links[] = {
      {LinkKind::kRawIp, in4, kIs},
      {LinkKind::kRawIp, in6, kI6s},
      {LinkKind::kIpv4, in4, kIs},
      {LinkKind::kIpv6, in6, kI6s},
      {LinkKind::kNull, cat({Bytes{2, 0, 0, 0}, in4}), kIs},    // little-endian AF_INET
      {LinkKind::kNull, cat({Bytes{0, 0, 0, 2}, in4}), kIs},    // big-endian (DLT_LOOP)
      {LinkKind::kNull, cat({Bytes{30, 0, 0, 0}, in6}), kI6s},  // Darwin AF_INET6
      {LinkKind::kNull, cat({Bytes{0, 0, 0, 24}, in6}), kI6s},  // OpenBSD, big-endian
      {LinkKind::kSll, cat({sll, in4}), kIs},
      {LinkKind::kSll2, cat({sll2, in6}), kI6s},
      {LinkKind::kPpp, cat({Bytes{0xFF, 0x03, 0x00, 0x21}, in4}), kIs},
      {LinkKind::kPpp, cat({Bytes{0x00, 0x57}, in6}), kI6s},  // no address/control
      {LinkKind::kPpp, cat({Bytes{0xFF, 0x03, 0x02, 0x81}, mpls({5}), in4}), kIs},
      {LinkKind::kCiscoHdlc, cat({Bytes{0x0F, 0x00, 0x08, 0x00}, in4}), kIs},
  };
  for (const L& l : links) {
    ParsedPacket p;
    const bool ok = parse_exact(l.frame, l.frame.size(), p, ParseConfig{}, l.k);
    check_invariants(p, ok, l.frame.size());
    EXPECT_TRUE(ok) << parse_error_name(p.error);
    EXPECT_EQ(ip_text(p.src), l.src) << static_cast<int>(l.k);
    for (size_t n = 0; n < l.frame.size(); ++n) {  // every truncation is safe
      const bool okn = parse_exact(l.frame, n, p, ParseConfig{}, l.k);
      check_invariants(p, okn, n);
    }
  }
  ParsedPacket p;
  EXPECT_FALSE(parse_exact(Bytes{0x20, 0, 0, 0}, 4, p, ParseConfig{}, LinkKind::kRawIp));
  EXPECT_EQ(p.error, ParseError::kBadLinkPayload);
  EXPECT_EQ(p.l3, L3::kOther);
  EXPECT_FALSE(parse_exact(sll, 10, p, ParseConfig{}, LinkKind::kSll));
  EXPECT_EQ(p.error, ParseError::kTruncatedLinkHeader);
}

// Lengths of 0: BIG TCP IPv4 (total length 0), IPv6 jumbogram (hop-by-hop jumbo option).
TEST(ZeroLengths, BigTcpAndJumbogramCountAsTheirProtocol) {
  const Bytes big4 = Builder()
                         .eth(kA, kB)
                         .ipv4(ip4(kIs), ip4(kId), {.total_length = 0})
                         .tcp(1, 2, kAck)
                         .payload(70000)
                         .build()
                         .data;
  ParsedPacket p;
  ASSERT_TRUE(parse_exact(big4, big4.size(), p)) << parse_error_name(p.error);
  EXPECT_EQ(p.ip_proto, 6);
  EXPECT_TRUE(p.l4_parsed);
  // Jumbo option: hop-by-hop body {0xC2, 4, length(4)} = 6 bytes, padded to 8 by the builder.
  const uint32_t jumbo = 8 + 20 + 70000;
  const Bytes hbh{0xC2,          4, uint8_t(jumbo >> 24), uint8_t(jumbo >> 16), uint8_t(jumbo >> 8),
                  uint8_t(jumbo)};
  const Bytes j6 = Builder()
                       .eth(kA, kB)
                       .ipv6(ip6(kI6s), ip6(kI6d), {.payload_length = 0})
                       .ipv6_hop_by_hop(hbh)
                       .tcp(1, 2, kAck)
                       .payload(70000)
                       .build()
                       .data;
  ASSERT_TRUE(parse_exact(j6, j6.size(), p)) << parse_error_name(p.error);
  EXPECT_EQ(p.ip_proto, 6);
  EXPECT_TRUE(p.l4_parsed);
  // A small IPv6 packet with payload length 0 and Ethernet padding has no payload.
  const Bytes z6 =
      Builder().eth(kA, kB).ipv6(ip6(kI6s), ip6(kI6d), {.next_header = 59}).pad_to(60).build().data;
  ASSERT_TRUE(parse_exact(z6, z6.size(), p));
  EXPECT_EQ(p.ip_proto, 59);
}

// Every reason added for decapsulation and link types is produced by some case here.
TEST(DecapCoverage, EveryNewReasonIsProduced) {
  std::set<ParseError> seen;
  for (const Case& c : cases()) seen.insert(c.error);
  seen.insert(ParseError::kBadLinkPayload);       // LinkTypes test
  seen.insert(ParseError::kTruncatedLinkHeader);  // LinkTypes test
  for (size_t r = static_cast<size_t>(ParseError::kTruncatedMpls); r < shm::kParseErrorCount; ++r) {
    EXPECT_TRUE(seen.count(static_cast<ParseError>(r)))
        << parse_error_name(static_cast<ParseError>(r));
  }
}

}  // namespace
}  // namespace securenet::testing
