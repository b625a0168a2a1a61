// Link-layer entry points for captures that are not Ethernet: raw IP, BSD null/loopback,
// Linux cooked (SLL, SLL2), PPP and Cisco HDLC. Each strips its header and joins the
// common path at the ethertype, the PPP protocol or the IP header.
#include "pipeline/parse/internal.h"

namespace securenet {

bool link_kind_of_linktype(uint32_t linktype, LinkKind& out) noexcept {
  switch (linktype) {
    case 1:
      out = LinkKind::kEthernet;
      return true;
    case 12:   // DLT_RAW on most BSDs
    case 14:   // DLT_RAW on OpenBSD
    case 101:  // LINKTYPE_RAW
      out = LinkKind::kRawIp;
      return true;
    case 228:
      out = LinkKind::kIpv4;
      return true;
    case 229:
      out = LinkKind::kIpv6;
      return true;
    case 0:
    case 108:
      out = LinkKind::kNull;
      return true;
    case 113:
      out = LinkKind::kSll;
      return true;
    case 276:
      out = LinkKind::kSll2;
      return true;
    case 9:
    case 50:
      out = LinkKind::kPpp;
      return true;
    case 104:
      out = LinkKind::kCiscoHdlc;
      return true;
    default:
      return false;
  }
}

namespace parse {
namespace {

constexpr uint32_t kNullLen = 4, kSllLen = 16, kSll2Len = 20, kCiscoHdlcLen = 4;

// BSD address families for IPv6 differ by OS: Linux 10, NetBSD/OpenBSD 24, FreeBSD 28,
// Darwin 30. AF_INET is 2 everywhere.
bool parse_null(const uint8_t* d, uint32_t caplen, uint32_t wire, ParsedPacket& out,
                const ParseConfig& cfg) noexcept {
  if (caplen < kNullLen) {
    out.l3 = L3::kOther;
    return fail(out, ParseError::kTruncatedLinkHeader);
  }
  uint32_t af;
  std::memcpy(&af, d, 4);
  if (af > 0xFFFF) af = __builtin_bswap32(af);  // written in the other byte order
  switch (af) {
    case 2:
      return parse_ipv4_at(d, kNullLen, caplen, wire, out, cfg);
    case 10:
    case 24:
    case 28:
    case 30:
      return parse_ipv6_at(d, kNullLen, caplen, wire, out, cfg);
    default:
      out.l3 = L3::kOther;
      return true;
  }
}

bool parse_with_header(uint32_t caplen, uint32_t len, ParsedPacket& out) noexcept {
  if (caplen >= len) return true;
  out.l3 = L3::kOther;
  return fail(out, ParseError::kTruncatedLinkHeader);
}

}  // namespace

bool parse_ip_by_nibble(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                        ParsedPacket& out, const ParseConfig& cfg) noexcept {
  if (caplen > off) {
    if ((d[off] >> 4) == 4) return parse_ipv4_at(d, off, caplen, wire, out, cfg);
    if ((d[off] >> 4) == 6) return parse_ipv6_at(d, off, caplen, wire, out, cfg);
  }
  out.l3 = L3::kOther;
  return true;
}

}  // namespace parse

bool parse_link(LinkKind link, const uint8_t* d, uint32_t caplen, uint32_t wire_len,
                ParsedPacket& out, const ParseConfig& cfg) noexcept {
  using namespace parse;
  if (link == LinkKind::kEthernet) return parse_packet(d, caplen, wire_len, out, cfg);
  std::memset(static_cast<void*>(&out), 0, kParsedResetBytes);
  out.proto_class = ProtoClass::kOther;
  out.wire_len = wire_len;
  const uint32_t wire = wire_len < caplen ? caplen : wire_len;
  switch (link) {
    case LinkKind::kRawIp:
      if (caplen == 0) return parse_with_header(caplen, 1, out);
      if ((d[0] >> 4) != 4 && (d[0] >> 4) != 6) {
        out.l3 = L3::kOther;
        return fail(out, ParseError::kBadLinkPayload);
      }
      return parse_ip_by_nibble(d, 0, caplen, wire, out, cfg);
    case LinkKind::kIpv4:
      return parse_ipv4_at(d, 0, caplen, wire, out, cfg);
    case LinkKind::kIpv6:
      return parse_ipv6_at(d, 0, caplen, wire, out, cfg);
    case LinkKind::kNull:
      return parse_null(d, caplen, wire, out, cfg);
    case LinkKind::kSll:
      if (!parse_with_header(caplen, kSllLen, out)) return false;
      return parse_ethertype_at(d, kSllLen, load_be16(d + 14), caplen, wire, out, cfg);
    case LinkKind::kSll2:
      if (!parse_with_header(caplen, kSll2Len, out)) return false;
      return parse_ethertype_at(d, kSll2Len, load_be16(d), caplen, wire, out, cfg);
    case LinkKind::kPpp:
      return parse_ppp_frame(d, 0, caplen, wire, out, cfg);
    case LinkKind::kCiscoHdlc:
      if (!parse_with_header(caplen, kCiscoHdlcLen, out)) return false;
      return parse_ethertype_at(d, kCiscoHdlcLen, load_be16(d + 2), caplen, wire, out, cfg);
    case LinkKind::kEthernet:
      break;
  }
  out.l3 = L3::kOther;
  return true;
}

}  // namespace securenet
