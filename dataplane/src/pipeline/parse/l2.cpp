// L2 families the Ethernet hot path hands off: MPLS label stacks, PPPoE sessions, PPP
// payloads, and every other ethertype (kOther). See securenet/parser.h for the rules.
#include "pipeline/parse/internal.h"

namespace securenet::parse {
namespace {

constexpr uint16_t kEthRarp = 0x8035;
constexpr uint32_t kArpLen = 28;
constexpr uint32_t kMplsLabelLen = 4, kPppoeLen = 6, kPwControlWordLen = 4;
constexpr uint16_t kPppIpv4 = 0x0021, kPppIpv6 = 0x0057, kPppMpls = 0x0281, kPppMplsMc = 0x0283;

inline bool other(ParsedPacket& out) noexcept {
  out.l3 = L3::kOther;
  return true;
}

// Ethertypes an Ethernet pseudowire's inner frame plausibly carries (to tell a control
// word from a destination MAC address that starts with a 0 nibble).
constexpr bool plausible_ethertype(uint16_t et) noexcept {
  return et == kEthIpv4 || et == kEthIpv6 || et == kEthArp || et == 0x8100 || et == 0x88A8 ||
         et == kEthMpls || et == kEthPppoeSession;
}

}  // namespace

bool parse_other_ethertype(const uint8_t* d, EtherAt at, uint32_t caplen, uint32_t wire,
                           ParsedPacket& out, const ParseConfig& cfg) noexcept {
  const uint32_t off = at.off;
  const uint16_t et = at.et;
  if (et == kEthMpls || et == kEthMplsMc) return parse_mpls(d, off, caplen, wire, out, cfg);
  if (et == kEthRarp) {  // RARP: the ARP packet format, counted as ARP
    out.l3 = L3::kArp;
    return caplen - off >= kArpLen ? true : fail(out, ParseError::kTruncatedArp);
  }
  if (et != kEthPppoeSession) return other(out);
  out.l3 = L3::kOther;
  if (!enter_layer(out, shm::Encap::kPppoe)) return false;
  if (caplen - off < kPppoeLen + 2) return fail(out, ParseError::kTruncatedPppoe);
  if (d[off] != 0x11 || d[off + 1] != 0) return true;  // not version 1 type 1 session data
  // The PPPoE length bounds the PPP frame; a larger claim than the wire is left to the
  // inner layer's own checks against `wire`.
  const uint32_t plen = load_be16(d + off + 4);
  if (plen < 2) return fail(out, ParseError::kTruncatedPppoe);
  const uint32_t pend = off + kPppoeLen + plen;
  const uint32_t w = pend < wire ? pend : wire;
  return parse_ppp_payload(d, off + kPppoeLen + 2, load_be16(d + off + kPppoeLen),
                           caplen < w ? caplen : w, w, out, cfg);
}

bool parse_ppp_payload(const uint8_t* d, uint32_t off, uint16_t proto, uint32_t caplen,
                       uint32_t wire, ParsedPacket& out, const ParseConfig& cfg) noexcept {
  if (off > caplen) return fail(out, ParseError::kTruncatedLinkHeader);
  switch (proto) {
    case kPppIpv4:
      return parse_ipv4_at(d, off, caplen, wire, out, cfg);
    case kPppIpv6:
      return parse_ipv6_at(d, off, caplen, wire, out, cfg);
    case kPppMpls:
    case kPppMplsMc:
      return parse_mpls(d, off, caplen, wire, out, cfg);
    default:
      return other(out);  // LCP, IPCP, CHAP, ...
  }
}

bool parse_ppp_frame(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                     ParsedPacket& out, const ParseConfig& cfg) noexcept {
  out.l3 = L3::kOther;
  if (caplen - off >= 2 && d[off] == 0xFF && d[off + 1] == 0x03) off += 2;  // address, control
  if (caplen - off < 1) return fail(out, ParseError::kTruncatedLinkHeader);
  if (d[off] & 1)
    return parse_ppp_payload(d, off + 1, d[off], caplen, wire, out, cfg);  // compressed
  if (caplen - off < 2) return fail(out, ParseError::kTruncatedLinkHeader);
  return parse_ppp_payload(d, off + 2, load_be16(d + off), caplen, wire, out, cfg);
}

bool parse_mpls(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire, ParsedPacket& out,
                const ParseConfig& cfg) noexcept {
  out.l3 = L3::kOther;
  if (!enter_layer(out, shm::Encap::kMpls)) return false;
  for (int labels = 0;; ++labels) {
    if (labels == kMaxMplsLabels) return fail(out, ParseError::kTooManyMplsLabels);
    if (caplen - off < kMplsLabelLen) return fail(out, ParseError::kTruncatedMpls);
    const bool bottom = d[off + 2] & 1;
    off += kMplsLabelLen;
    if (bottom) break;
  }
  if (caplen == off) return fail(out, ParseError::kTruncatedMpls);
  switch (d[off] >> 4) {
    case 4:
      return parse_ipv4_at(d, off, caplen, wire, out, cfg);
    case 6:
      return parse_ipv6_at(d, off, caplen, wire, out, cfg);
    case 0:  // pseudowire control word, or an Ethernet pseudowire whose MAC starts with 0
      if (caplen - off >= kPwControlWordLen + kEthLen &&
          plausible_ethertype(load_be16(d + off + kPwControlWordLen + 12)))
        return parse_ethernet_at(d, off + kPwControlWordLen, caplen, wire, out, cfg);
      [[fallthrough]];
    default:
      if (caplen - off >= kEthLen && plausible_ethertype(load_be16(d + off + 12)))
        return parse_ethernet_at(d, off, caplen, wire, out, cfg);
      return other(out);
  }
}

}  // namespace securenet::parse
