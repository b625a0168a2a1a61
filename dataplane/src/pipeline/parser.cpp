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
//  * VLAN tags: TPIDs 0x8100, 0x88a8 and 0x9100 (pre-standard QinQ), at most kMaxVlanTags.
//  * IPv6 walk: 0, 43, 44, 51 (AH, length in 4-byte units), 60; at most kMaxIpv6ExtHeaders.
//    It stops after the fragment header of a non-first fragment (the rest is data).
//    Jumbograms (payload length 0) are not supported: their L4 reads as truncated.
//
// Field rules: `l3` is set to kIpv4/kIpv6 only once the addresses are filled, so "l3 is
// kIpv4/kIpv6" always means src/dst are valid, also when a later layer is malformed. ARP
// sets l3 = kArp once its 28-byte fixed part is present; other ethertypes give kOther.
// ip_proto/proto_class are the final protocol (after the IPv6 extension walk; when that
// walk fails, the extension header number it stopped at). Ports and TCP flags are filled
// as soon as their bytes are captured; l4_parsed is true only for a fully valid
// TCP/UDP/ICMP/ICMPv6/IGMP header. l4_offset is set whenever the L4 header starts in this
// packet (not for non-first fragments).
#include "securenet/parser.h"

#include <array>
#include <cstring>
#include <type_traits>

namespace securenet {
namespace {

#define SN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SN_LIKELY(x) __builtin_expect(!!(x), 1)

using shm::ParseError;
using shm::ProtoClass;

constexpr uint16_t kEthIpv4 = 0x0800, kEthArp = 0x0806, kEthIpv6 = 0x86DD;
constexpr uint16_t kTpidQ = 0x8100, kTpidAd = 0x88A8, kTpidOldQinQ = 0x9100;
constexpr uint32_t kEthLen = 14, kVlanLen = 4, kArpLen = 28, kIpv4Min = 20, kIpv6Len = 40;
constexpr uint32_t kTcpMin = 20, kUdpLen = 8, kIcmpLen = 8;
constexpr uint8_t kIcmp = 1, kIgmp = 2, kTcp = 6, kUdp = 17, kIcmpv6 = 58;

inline uint16_t load_be16(const uint8_t* p) noexcept {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}

constexpr std::array<ProtoClass, 256> make_class_table() {
  std::array<ProtoClass, 256> t{};
  for (unsigned i = 0; i < t.size(); ++i) t[i] = shm::proto_class_of(i);
  return t;
}
constexpr std::array<ProtoClass, 256> kClassOf = make_class_table();

// Bit set of the IPv6 extension headers we walk: 0 hop-by-hop, 43 routing, 44 fragment,
// 51 AH, 60 destination options.
constexpr bool is_ipv6_ext(uint8_t nh) noexcept {
  return nh < 64 && ((1ULL << nh) & ((1ULL << 0) | (1ULL << 43) | (1ULL << 44) |
                                     (1ULL << 51) | (1ULL << 60)));
}

inline bool fail(ParsedPacket& out, ParseError e) noexcept {
  out.error = e;
  return false;
}

inline void set_proto(ParsedPacket& out, uint8_t proto) noexcept {
  out.ip_proto = proto;
  out.proto_class = kClassOf[proto];
}

// L4 header at frame offset `off`; `end` is min(caplen, IP payload end) and `ip_end` is
// the IP payload end as the IP header claims it (validated against wire_len).
inline bool parse_l4(const uint8_t* d, uint32_t off, uint32_t end, uint32_t ip_end,
                     ParsedPacket& out) noexcept {
  out.l4_offset = static_cast<uint16_t>(off);
  const uint32_t avail = end > off ? end - off : 0;
  const uint8_t* p = d + off;
  switch (out.ip_proto) {
    case kTcp: {
      if (SN_UNLIKELY(avail < kTcpMin)) return fail(out, ParseError::kTruncatedTcp);
      out.sport = load_be16(p);
      out.dport = load_be16(p + 2);
      out.tcp_flags = p[13];
      const uint32_t hlen = static_cast<uint32_t>(p[12] >> 4) * 4;
      if (SN_UNLIKELY(hlen < kTcpMin || off + hlen > ip_end))
        return fail(out, ParseError::kBadTcpDataOffset);
      break;
    }
    case kUdp: {
      if (SN_UNLIKELY(avail < kUdpLen)) return fail(out, ParseError::kTruncatedUdp);
      out.sport = load_be16(p);
      out.dport = load_be16(p + 2);
      const uint32_t ulen = load_be16(p + 4);
      // A first fragment holds only part of the datagram that the UDP length covers.
      if (SN_UNLIKELY(ulen < kUdpLen || (off + ulen > ip_end && !out.fragment)))
        return fail(out, ParseError::kBadUdpLength);
      break;
    }
    case kIcmp:
    case kIcmpv6:
      if (SN_UNLIKELY(avail < kIcmpLen))
        return fail(out, out.ip_proto == kIcmp ? ParseError::kTruncatedIcmp
                                               : ParseError::kTruncatedIcmpv6);
      out.icmp_type = p[0];
      break;
    case kIgmp:
      if (SN_UNLIKELY(avail < kIcmpLen)) return fail(out, ParseError::kTruncatedIgmp);
      break;
    default:
      return true;  // any other protocol: counted by number, no L4 decode
  }
  out.l4_parsed = true;
  return true;
}

inline void set_ipv4_mapped(shm::IpKey& k, const uint8_t* a) noexcept {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  std::memcpy(k.bytes, kPrefix, 12);
  std::memcpy(k.bytes + 12, a, 4);
}

inline bool parse_ipv4(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                       ParsedPacket& out) noexcept {
  if (SN_UNLIKELY(caplen - off < kIpv4Min)) return fail(out, ParseError::kTruncatedIpv4);
  const uint8_t* p = d + off;
  if (SN_UNLIKELY((p[0] >> 4) != 4)) return fail(out, ParseError::kBadIpv4Version);
  const uint32_t ihl = static_cast<uint32_t>(p[0] & 0x0F) * 4;
  if (SN_UNLIKELY(ihl < kIpv4Min || off + ihl > caplen))
    return fail(out, ParseError::kBadIpv4Ihl);
  set_ipv4_mapped(out.src, p + 12);
  set_ipv4_mapped(out.dst, p + 16);
  out.l3 = L3::kIpv4;
  set_proto(out, p[9]);
  const uint32_t total = load_be16(p + 2);
  if (SN_UNLIKELY(total < ihl || total > wire - off))
    return fail(out, ParseError::kBadIpv4TotalLength);
  const uint16_t frag = load_be16(p + 6);
  if (SN_UNLIKELY(frag & 0x3FFF)) {  // MF set or offset != 0
    out.fragment = true;
    out.first_fragment = (frag & 0x1FFF) == 0;
    if (!out.first_fragment) return true;
  }
  const uint32_t ip_end = off + total;
  return parse_l4(d, off + ihl, ip_end < caplen ? ip_end : caplen, ip_end, out);
}

inline bool parse_ipv6(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                       ParsedPacket& out) noexcept {
  if (SN_UNLIKELY(caplen - off < kIpv6Len)) return fail(out, ParseError::kTruncatedIpv6);
  const uint8_t* p = d + off;
  if (SN_UNLIKELY((p[0] >> 4) != 6)) return fail(out, ParseError::kBadIpv6Version);
  std::memcpy(out.src.bytes, p + 8, 16);
  std::memcpy(out.dst.bytes, p + 24, 16);
  out.l3 = L3::kIpv6;
  uint8_t nh = p[6];
  set_proto(out, nh);
  const uint32_t ip_end = off + kIpv6Len + load_be16(p + 4);
  if (SN_UNLIKELY(ip_end > wire)) return fail(out, ParseError::kBadIpv6PayloadLength);
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
      len = nh == 51 ? (static_cast<uint32_t>(e[1]) + 2) * 4 : (static_cast<uint32_t>(e[1]) + 1) * 8;
      if (end - cur < len) return fail(out, ParseError::kTruncatedIpv6ExtHeader);
    }
    ++out.ipv6_ext_headers;
    nh = e[0];
    set_proto(out, nh);
    cur += len;
  }
  return parse_l4(d, cur, end, ip_end, out);
}

}  // namespace

bool parse_packet(const uint8_t* data, uint32_t caplen, uint32_t wire_len,
                  ParsedPacket& out) noexcept {
  static_assert(std::is_trivially_copyable_v<ParsedPacket>);
  std::memset(static_cast<void*>(&out), 0, sizeof out);  // a few vector stores, then defaults
  out.proto_class = ProtoClass::kOther;
  out.wire_len = wire_len;
  if (SN_UNLIKELY(caplen < kEthLen)) return fail(out, ParseError::kTruncatedEthernet);
  const uint32_t wire = wire_len < caplen ? caplen : wire_len;
  uint16_t et = load_be16(data + 12);
  uint32_t off = kEthLen;
  while (SN_UNLIKELY(et == kTpidQ || et == kTpidAd || et == kTpidOldQinQ)) {
    if (out.vlan_tags == kMaxVlanTags) return fail(out, ParseError::kTooManyVlanTags);
    if (caplen - off < kVlanLen) return fail(out, ParseError::kTruncatedVlan);
    et = load_be16(data + off + 2);
    off += kVlanLen;
    ++out.vlan_tags;
  }
  out.ethertype = et;
  if (SN_LIKELY(et == kEthIpv4)) return parse_ipv4(data, off, caplen, wire, out);
  if (et == kEthIpv6) return parse_ipv6(data, off, caplen, wire, out);
  if (et == kEthArp) {
    if (SN_UNLIKELY(caplen - off < kArpLen)) return fail(out, ParseError::kTruncatedArp);
    out.l3 = L3::kArp;
    return true;
  }
  out.l3 = L3::kOther;
  return true;
}

}  // namespace securenet
