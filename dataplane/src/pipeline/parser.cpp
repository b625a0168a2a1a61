// Zero-copy Ethernet/IP/L4 parser (see securenet/parser.h).
//
// Bounds rules, decided once and applied everywhere:
//  * Nothing is ever read at or past `caplen`. Loads are fixed-size memcpy into locals
//    (single unaligned loads after optimisation).
//  * `wire_len` is only used to validate lengths that headers claim; a source that reports
//    wire_len < caplen is treated as wire_len = caplen.
//  * IPv4: total length < IHL*4, or total length > wire_len - (IPv4 header offset), is
//    kBadIpv4TotalLength. Bytes after total length are Ethernet padding and are ignored.
//    A capture cut short by the snap length (caplen < offset + total length <= wire_len)
//    is fine; headers that do not fit in the captured bytes are then "truncated".
//  * IPv6: 40 + payload length > wire_len - (IPv6 header offset) is
//    kBadIpv6PayloadLength. Extension headers must fit within both the captured bytes and
//    the payload length, else kTruncatedIpv6ExtHeader.
//  * L4 headers are parsed in min(captured bytes, IP payload end). TCP data offset must be
//    >= 5 and must not exceed the IP payload (options cut by the snap length are fine:
//    they are never read). UDP length must be >= 8 and, unless the packet is a first
//    fragment, <= the IP payload length.
//  * ICMP, ICMPv6 and IGMP need their 8-byte header.
//  * VLAN tags: TPIDs 0x8100, 0x88a8 and 0x9100 (pre-standard QinQ), at most kMaxVlanTags
//    per Ethernet header.
//  * IPv6 walk: 0, 43, 44, 51 (AH, length in 4-byte units), 60; at most kMaxIpv6ExtHeaders.
//    It stops after the fragment header of a non-first fragment (the rest is data).
//  * Lengths of 0 (as the kernel reads them): an IPv4 total length of 0 (BIG TCP, TSO) is
//    the rest of the frame; an IPv6 payload length of 0 is the hop-by-hop jumbo payload
//    option's length (RFC 2675) when there is one, else the rest of the frame when that is
//    more than 65,535 bytes (BIG TCP without the option), else a packet with no payload;
//    a UDP length of 0 in a payload over 65,535 bytes is the rest of the IP payload.
//  * Tunnels (parse/tunnels.cpp) and MPLS/PPPoE/link headers (parse/l2.cpp, parse/link.cpp)
//    are out of line; the plain Ethernet/IP path only pays a predicted branch for them.
//
// Field rules: `l3` is the family of the counted layer, set as soon as the ethertype (or
// link type) says it, so that every packet has a family, malformed or not (truncated
// Ethernet/VLAN headers are kOther). `has_addrs` says src/dst are valid; it is set once
// the addresses are read, also when a later layer is malformed. ARP, other ethertypes
// and non-IP link payloads never have addresses.
// ip_proto/proto_class are the final protocol (after the IPv6 extension walk; when that
// walk fails, the extension header number it stopped at). Ports and TCP flags are filled
// as soon as their bytes are captured; l4_parsed is true only for a fully valid
// TCP/UDP/ICMP/ICMPv6/IGMP header. l4_offset is set whenever the L4 header starts in this
// packet (not for non-first fragments).
#include "securenet/parser.h"

#include <array>
#include <cstring>
#include <type_traits>

#include "pipeline/parse/internal.h"

namespace securenet {
namespace parse {
namespace {

constexpr uint16_t kTpidQ = 0x8100, kTpidAd = 0x88A8, kTpidOldQinQ = 0x9100;
constexpr uint32_t kVlanLen = 4, kArpLen = 28, kIpv4Min = 20, kIpv6Len = 40;
constexpr uint32_t kTcpMin = 20, kUdpLen = 8, kIcmpLen = 8;
constexpr uint8_t kIcmp = 1, kIgmp = 2, kTcp = 6, kUdp = 17, kIcmpv6 = 58;
constexpr uint32_t kMaxPlainIpLen = 65535;

constexpr std::array<ProtoClass, 256> make_class_table() {
  std::array<ProtoClass, 256> t{};
  for (unsigned i = 0; i < t.size(); ++i) t[i] = shm::proto_class_of(i);
  return t;
}
constexpr std::array<ProtoClass, 256> kClassOf = make_class_table();

// Bit set of the IPv6 extension headers we walk: 0 hop-by-hop, 43 routing, 44 fragment,
// 51 AH, 60 destination options.
constexpr bool is_ipv6_ext(uint8_t nh) noexcept {
  return nh < 64 &&
         ((1ULL << nh) & ((1ULL << 0) | (1ULL << 43) | (1ULL << 44) | (1ULL << 51) | (1ULL << 60)));
}

// IP protocols that carry another layer: IPv4 (4), IPv6 (41), GRE (47).
constexpr bool is_tunnel_proto(uint8_t p) noexcept { return p == 4 || p == 41 || p == 47; }

// Both ports of a TCP/UDP header by one load: the source and destination ports lie next to
// each other in the header and in ParsedPacket; each is byte-swapped in place (a bswap of the
// pair and a rotate by 16).
inline void set_ports(ParsedPacket& out, const uint8_t* p) noexcept {
  static_assert(offsetof(ParsedPacket, dport) == offsetof(ParsedPacket, sport) + 2);
  uint32_t v;
  std::memcpy(&v, p, 4);
  v = __builtin_bswap32(v);
  v = (v >> 16) | (v << 16);
  std::memcpy(&out.sport, &v, 4);
}

inline void set_proto(ParsedPacket& out, uint8_t proto) noexcept {
  out.ip_proto = proto;
  out.proto_class = kClassOf[proto];
}

// UDP whose length field is below 8 or past the IP payload (out of line, entered by a tail
// call): a first fragment holds only part of the datagram that the UDP length covers, and a
// length of 0 over a payload of more than 65,535 bytes is jumbo UDP (RFC 2675).
[[gnu::noinline]] bool parse_udp_length(const uint8_t* d, uint32_t off, uint32_t end,
                                        uint32_t ip_end, ParsedPacket& out,
                                        const ParseConfig& cfg) noexcept {
  const uint32_t ulen = load_be16(d + off + 4);
  if ((ulen < kUdpLen || (off + ulen > ip_end && !out.fragment)) &&
      (ulen != 0 || ip_end - off <= kMaxPlainIpLen))
    return fail(out, ParseError::kBadUdpLength);
  out.l4_parsed = true;
  if (SN_UNLIKELY(cfg.udp_hint[d[off + 1]] | cfg.udp_hint[d[off + 3]]) && !out.fragment)
    return decap_udp(d, off, end, ip_end, out, cfg);
  return true;
}

// UDP (inline). Tunnel ports: one table load per port, by the low byte of each port as it
// lies in the header (no shift of the loaded ports); a hit goes to the decoder, which compares
// the whole ports and works out the payload bounds.
inline bool parse_udp(const uint8_t* d, uint32_t off, uint32_t end, uint32_t ip_end,
                      ParsedPacket& out, const ParseConfig& cfg) noexcept {
  const uint8_t* p = d + off;
  if (SN_UNLIKELY(off + kUdpLen > end)) return fail(out, ParseError::kTruncatedUdp);
  set_ports(out, p);
  const uint32_t ulen = load_be16(p + 4);
  if (SN_UNLIKELY(ulen < kUdpLen || off + ulen > ip_end))
    return parse_udp_length(d, off, end, ip_end, out, cfg);
  out.l4_parsed = true;
  if (SN_UNLIKELY(cfg.udp_hint[p[1]] | cfg.udp_hint[p[3]]) && !out.fragment)
    return decap_udp(d, off, end, ip_end, out, cfg);
  return true;
}

// L4 header at frame offset `off`; `end` is min(caplen, IP payload end) and `ip_end` is
// the IP payload end as the IP header claims it (validated against wire_len).
inline bool parse_l4(const uint8_t* d, uint32_t off, uint32_t end, uint32_t ip_end,
                     ParsedPacket& out, const ParseConfig& cfg) noexcept {
  out.l4_offset = static_cast<uint16_t>(off);
  const uint8_t* p = d + off;
  // "off + n > end": fewer than n bytes of the L4 header are there (offsets are far below
  // 2^32, so the sum does not wrap; an `off` past `end` has none).
  const uint8_t proto = out.ip_proto;
  if (SN_LIKELY(proto == kTcp)) {
    if (SN_UNLIKELY(off + kTcpMin > end)) return fail(out, ParseError::kTruncatedTcp);
    set_ports(out, p);
    out.tcp_flags = p[13];
    const uint32_t hlen = static_cast<uint32_t>(p[12] >> 2) & 0x3C;  // data offset * 4
    if (SN_UNLIKELY(hlen < kTcpMin || off + hlen > ip_end))
      return fail(out, ParseError::kBadTcpDataOffset);
    out.l4_parsed = true;
    return true;
  }
  if (SN_LIKELY(proto == kUdp)) return parse_udp(d, off, end, ip_end, out, cfg);
  switch (proto) {
    case kIcmp:
    case kIcmpv6:
      if (SN_UNLIKELY(off + kIcmpLen > end))
        return fail(out,
                    proto == kIcmp ? ParseError::kTruncatedIcmp : ParseError::kTruncatedIcmpv6);
      out.icmp_type = p[0];
      break;
    case kIgmp:
      if (SN_UNLIKELY(off + kIcmpLen > end)) return fail(out, ParseError::kTruncatedIgmp);
      break;
    default:  // any other protocol: counted by number, no L4 decode; tunnels looked into
      if (SN_UNLIKELY(is_tunnel_proto(proto)) && !out.fragment)
        return decap_ip_proto(d, off, end, ip_end, out, cfg);
      return true;
  }
  out.l4_parsed = true;
  return true;
}

inline void set_ipv4_mapped(shm::IpKey& k, const uint8_t* a) noexcept {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  std::memcpy(k.bytes, kPrefix, 12);
  std::memcpy(k.bytes + 12, a, 4);
}
// The same on a key that reset() zeroed: bytes 0-7 are 0 already (bytes 8-11 are one
// immediate store).
inline void set_ipv4_mapped_on_zero(shm::IpKey& k, const uint8_t* a) noexcept {
  static constexpr uint8_t kTail[4] = {0, 0, 0xFF, 0xFF};
  std::memcpy(k.bytes + 8, kTail, 4);
  std::memcpy(k.bytes + 12, a, 4);
}

// kFresh: `out` was reset by parse_packet and nothing else wrote it (the plain Ethernet path).
template <bool kFresh = false>
inline bool parse_ipv4(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                       ParsedPacket& out, const ParseConfig& cfg) noexcept {
  out.l3 = L3::kIpv4;
  if (SN_UNLIKELY(caplen - off < kIpv4Min)) return fail(out, ParseError::kTruncatedIpv4);
  const uint8_t* p = d + off;
  // Version 4 with no options (0x45, nearly every packet): the 20 bytes are captured
  // (checked above; every caller has off <= caplen), so one compare settles version and IHL.
  uint32_t ihl = kIpv4Min;
  if (SN_UNLIKELY(p[0] != 0x45)) {
    if (SN_UNLIKELY((p[0] >> 4) != 4)) return fail(out, ParseError::kBadIpv4Version);
    ihl = static_cast<uint32_t>(p[0] & 0x0F) * 4;
    if (SN_UNLIKELY(ihl < kIpv4Min || off + ihl > caplen))
      return fail(out, ParseError::kBadIpv4Ihl);
  }
  if constexpr (kFresh) {
    set_ipv4_mapped_on_zero(out.src, p + 12);
    set_ipv4_mapped_on_zero(out.dst, p + 16);
  } else {
    set_ipv4_mapped(out.src, p + 12);
    set_ipv4_mapped(out.dst, p + 16);
  }
  out.has_addrs = true;
  set_proto(out, p[9]);
  uint32_t total = load_be16(p + 2);
  if (SN_UNLIKELY(total < ihl || total > wire - off)) {
    // Total length 0 (BIG TCP, TSO): the rest of the frame. No call here: a call on this
    // path would make the whole hot function save registers (measured, bench/README.md).
    if (total != 0 || wire - off < ihl) return fail(out, ParseError::kBadIpv4TotalLength);
    total = wire - off;
  }
  uint16_t frag_raw;  // flags and offset as they lie (tested without a byte swap)
  std::memcpy(&frag_raw, p + 6, 2);
  if (SN_UNLIKELY(frag_raw & __builtin_bswap16(0x3FFF))) {  // MF set or offset != 0
    const uint16_t frag = __builtin_bswap16(frag_raw);
    out.fragment = true;
    out.first_fragment = (frag & 0x1FFF) == 0;
    if (!out.first_fragment) return true;
  }
  const uint32_t ip_end = off + total;
  return parse_l4(d, off + ihl, ip_end < caplen ? ip_end : caplen, ip_end, out, cfg);
}

// IPv6 payload length 0 (see the rules above): where the packet ends.
[[gnu::noinline]] uint32_t ipv6_zero_length_end(const uint8_t* d, uint32_t off, uint32_t caplen,
                                                uint32_t wire) noexcept {
  const uint32_t hbh = off + kIpv6Len;
  if (d[off + 6] == 0 && caplen - hbh >= 8) {  // hop-by-hop: look for the jumbo option (0xC2)
    const uint32_t hend = hbh + (static_cast<uint32_t>(d[hbh + 1]) + 1) * 8;
    uint32_t o = hbh + 2;
    while (o < hend && o < caplen) {
      const uint8_t type = d[o];
      if (type == 0) {  // Pad1
        ++o;
        continue;
      }
      if (o + 2 > caplen || o + 2 > hend) break;
      const uint32_t len = d[o + 1];
      if (type == 0xC2 && len == 4 && o + 6 <= caplen) {
        const uint64_t end = static_cast<uint64_t>(hbh) + load_be32(d + o + 2);
        return end > wire ? wire + 1 : static_cast<uint32_t>(end);  // wire + 1: bad length
      }
      o += 2 + len;
    }
  }
  return wire - off - kIpv6Len > kMaxPlainIpLen ? wire : hbh;
}

// The extension-header walk and L4 of an IPv6 packet whose header is at `off` and whose
// payload ends at ip_end (validated against the wire).
inline bool parse_ipv6_payload(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t ip_end,
                               ParsedPacket& out, const ParseConfig& cfg) noexcept {
  uint8_t nh = d[off + 6];
  const uint32_t end = ip_end < caplen ? ip_end : caplen;
  uint32_t cur = off + kIpv6Len;
  while (SN_UNLIKELY(is_ipv6_ext(nh))) {
    if (out.ipv6_ext_headers == kMaxIpv6ExtHeaders)
      return fail(out, ParseError::kTooManyIpv6ExtHeaders);
    if (end - cur < 8) return fail(out, ParseError::kTruncatedIpv6ExtHeader);
    const uint8_t* e = d + cur;
    uint32_t len;
    if (nh == 44) {  // fragment header: fixed 8 bytes
      const uint16_t fo = load_be16(e + 2);
      out.fragment = true;
      out.first_fragment = (fo >> 3) == 0;
      if (!out.first_fragment) {  // what follows is payload, not headers
        ++out.ipv6_ext_headers;
        set_proto(out, e[0]);
        return true;
      }
      len = 8;
    } else {
      len =
          nh == 51 ? (static_cast<uint32_t>(e[1]) + 2) * 4 : (static_cast<uint32_t>(e[1]) + 1) * 8;
      if (end - cur < len) return fail(out, ParseError::kTruncatedIpv6ExtHeader);
    }
    ++out.ipv6_ext_headers;
    nh = e[0];
    set_proto(out, nh);
    cur += len;
  }
  return parse_l4(d, cur, end, ip_end, out, cfg);
}

// Payload length 0: jumbogram or BIG TCP (out of line, entered by a tail call).
[[gnu::noinline]] bool parse_ipv6_zero_length(const uint8_t* d, uint32_t off, uint32_t caplen,
                                              uint32_t wire, ParsedPacket& out,
                                              const ParseConfig& cfg) noexcept {
  const uint32_t ip_end = ipv6_zero_length_end(d, off, caplen, wire);
  if (ip_end > wire) return fail(out, ParseError::kBadIpv6PayloadLength);
  return parse_ipv6_payload(d, off, caplen, ip_end, out, cfg);
}

inline bool parse_ipv6(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                       ParsedPacket& out, const ParseConfig& cfg) noexcept {
  out.l3 = L3::kIpv6;
  if (SN_UNLIKELY(caplen - off < kIpv6Len)) return fail(out, ParseError::kTruncatedIpv6);
  const uint8_t* p = d + off;
  if (SN_UNLIKELY((p[0] >> 4) != 6)) return fail(out, ParseError::kBadIpv6Version);
  std::memcpy(out.src.bytes, p + 8, 16);
  std::memcpy(out.dst.bytes, p + 24, 16);
  out.has_addrs = true;
  set_proto(out, p[6]);
  const uint32_t plen = load_be16(p + 4);
  if (SN_UNLIKELY(plen == 0)) return parse_ipv6_zero_length(d, off, caplen, wire, out, cfg);
  const uint32_t ip_end = off + kIpv6Len + plen;
  if (SN_UNLIKELY(ip_end > wire)) return fail(out, ParseError::kBadIpv6PayloadLength);
  return parse_ipv6_payload(d, off, caplen, ip_end, out, cfg);
}

// The ethertype `et` whose payload starts at `off`: VLAN tags, then IPv4/IPv6/ARP inline,
// anything else out of line (MPLS, PPPoE, other).
inline bool parse_ethertype(const uint8_t* data, uint32_t off, uint16_t et, uint32_t caplen,
                            uint32_t wire, ParsedPacket& out, const ParseConfig& cfg) noexcept {
  int tags = 0;
  while (SN_UNLIKELY(et == kTpidQ || et == kTpidAd || et == kTpidOldQinQ)) {
    if (tags == kMaxVlanTags) {
      out.l3 = L3::kOther;
      return fail(out, ParseError::kTooManyVlanTags);
    }
    if (caplen - off < kVlanLen) {
      out.l3 = L3::kOther;
      return fail(out, ParseError::kTruncatedVlan);
    }
    et = load_be16(data + off + 2);
    off += kVlanLen;
    ++tags;
    ++out.vlan_tags;
  }
  out.ethertype = et;
  if (SN_LIKELY(et == kEthIpv4)) return parse_ipv4(data, off, caplen, wire, out, cfg);
  if (et == kEthIpv6) return parse_ipv6(data, off, caplen, wire, out, cfg);
  if (et == kEthArp) {
    out.l3 = L3::kArp;
    if (SN_UNLIKELY(caplen - off < kArpLen)) return fail(out, ParseError::kTruncatedArp);
    return true;
  }
  return parse_other_ethertype(data, EtherAt{off, et}, caplen, wire, out, cfg);
}

inline void reset(ParsedPacket& out, uint32_t wire_len) noexcept {
  static_assert(std::is_trivially_copyable_v<ParsedPacket>);
  std::memset(static_cast<void*>(&out), 0,
              kParsedResetBytes);  // a few vector stores, then defaults
  out.proto_class = ProtoClass::kOther;
  out.wire_len = wire_len;
}

inline bool parse_ethernet(const uint8_t* data, uint32_t off, uint32_t caplen, uint32_t wire,
                           ParsedPacket& out, const ParseConfig& cfg) noexcept {
  if (SN_UNLIKELY(caplen - off < kEthLen)) {
    out.l3 = L3::kOther;
    return fail(out, ParseError::kTruncatedEthernet);
  }
  return parse_ethertype(data, off + kEthLen, load_be16(data + off + 12), caplen, wire, out, cfg);
}

// Any ethertype but a plain IPv4 one after a frame's Ethernet header (out of line, entered
// by a tail call: six arguments).
[[gnu::noipa]] bool parse_ethertype_tail(const uint8_t* data, EtherAt at, uint32_t caplen,
                                         uint32_t wire, ParsedPacket& out,
                                         const ParseConfig& cfg) noexcept {
  return parse_ethertype(data, at.off, at.et, caplen, wire, out, cfg);
}

// parse_packet's Ethernet header: IPv4 without VLAN tags (nearly every frame) is parsed
// inline after one compare, IPv6 and ARP inline after two more; the rest (VLAN tags, MPLS,
// PPPoE, other ethertypes) behind a jump.
inline bool parse_frame(const uint8_t* data, uint32_t caplen, uint32_t wire, ParsedPacket& out,
                        const ParseConfig& cfg) noexcept {
  if (SN_UNLIKELY(caplen < kEthLen)) {
    out.l3 = L3::kOther;
    return fail(out, ParseError::kTruncatedEthernet);
  }
  const uint16_t et = load_be16(data + 12);
  if (SN_LIKELY(et == kEthIpv4)) {
    out.ethertype = et;
    return parse_ipv4<true>(data, kEthLen, caplen, wire, out, cfg);
  }
  if (et == kEthIpv6) {
    out.ethertype = et;
    return parse_ipv6(data, kEthLen, caplen, wire, out, cfg);
  }
  if (et == kEthArp) {
    out.ethertype = et;
    out.l3 = L3::kArp;
    if (SN_UNLIKELY(caplen - kEthLen < kArpLen)) return fail(out, ParseError::kTruncatedArp);
    return true;
  }
  return parse_ethertype_tail(data, EtherAt{kEthLen, et}, caplen, wire, out, cfg);
}

constexpr ParseConfig kDefaultConfig{};

}  // namespace

bool parse_ethertype_at(const uint8_t* d, uint32_t off, uint16_t et, uint32_t caplen, uint32_t wire,
                        ParsedPacket& out, const ParseConfig& cfg) noexcept {
  return parse_ethertype(d, off, et, caplen, wire, out, cfg);
}
bool parse_ethernet_at(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                       ParsedPacket& out, const ParseConfig& cfg) noexcept {
  return parse_ethernet(d, off, caplen, wire, out, cfg);
}
bool parse_ipv4_at(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                   ParsedPacket& out, const ParseConfig& cfg) noexcept {
  return parse_ipv4(d, off, caplen, wire, out, cfg);
}
bool parse_ipv6_at(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                   ParsedPacket& out, const ParseConfig& cfg) noexcept {
  return parse_ipv6(d, off, caplen, wire, out, cfg);
}

}  // namespace parse

using shm::ParseError;

bool parse_packet(const uint8_t* data, uint32_t caplen, uint32_t wire_len, ParsedPacket& out,
                  const ParseConfig& cfg) noexcept {
  parse::reset(out, wire_len);
  const uint32_t wire = wire_len < caplen ? caplen : wire_len;
  return parse::parse_frame(data, caplen, wire, out, cfg);
}

bool parse_packet(const uint8_t* data, uint32_t caplen, uint32_t wire_len,
                  ParsedPacket& out) noexcept {
  return parse_packet(data, caplen, wire_len, out, parse::kDefaultConfig);
}

bool ParseConfig::set_vxlan_ports(const uint16_t* ports, size_t n) noexcept {
  if (n == 0 || n > kMaxVxlanPorts) return false;
  for (size_t i = 0; i < n; ++i) {
    if (ports[i] == 0) return false;
    vxlan_ports[i] = ports[i];
  }
  n_vxlan_ports = static_cast<uint8_t>(n);
  rebuild_hints();
  return true;
}

const char* decap_name(Decap d) noexcept {
  switch (d) {
    case Decap::kInner:
      return "inner";
    case Decap::kOuter:
      return "outer";
    case Decap::kBoth:
      return "both";
  }
  return "unknown";
}

bool decap_from_name(const char* s, Decap& out) noexcept {
  for (Decap d : {Decap::kInner, Decap::kOuter, Decap::kBoth}) {
    if (std::strcmp(s, decap_name(d)) == 0) {
      out = d;
      return true;
    }
  }
  return false;
}

}  // namespace securenet
