// Internal to the parser (dataplane/src/pipeline/parser.cpp and
// dataplane/src/pipeline/parse/*.cpp): load helpers, the layer re-entry points a decapsulated
// payload is parsed with, and the slow-path decoders of each layer family. Every function takes
// absolute frame offsets and a window [off, caplen) of captured bytes; `wire` is where the
// enclosing layer says the packet ends (validated against the real wire length), used to check
// lengths that inner headers claim. An inner layer gets caplen = min(caplen, outer end), wire =
// outer end.
#pragma once

#include <cstring>

#include "securenet/parser.h"

#define SN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SN_LIKELY(x) __builtin_expect(!!(x), 1)

namespace securenet::parse {

using shm::ParseError;
using shm::ProtoClass;

inline constexpr uint16_t kEthIpv4 = 0x0800, kEthArp = 0x0806, kEthIpv6 = 0x86DD;
inline constexpr uint16_t kEthMpls = 0x8847, kEthMplsMc = 0x8848, kEthPppoeSession = 0x8864;
inline constexpr uint16_t kEthTeb = 0x6558;  // transparent Ethernet bridging
inline constexpr uint32_t kEthLen = 14;

inline uint16_t load_be16(const uint8_t* p) noexcept {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return __builtin_bswap16(v);
}
inline uint32_t load_be32(const uint8_t* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return __builtin_bswap32(v);
}

inline bool fail(ParsedPacket& out, ParseError e) noexcept {
  out.error = e;
  out.l4_parsed = false;  // true only for a fully valid packet (an outer L4 before a bad layer)
  return false;
}

inline void set_encap(ParsedPacket& out, shm::Encap e) noexcept {
  out.encaps = static_cast<uint16_t>(out.encaps | (1u << static_cast<unsigned>(e)));
}

// Layer re-entry points (parser.cpp).
bool parse_ethertype_at(const uint8_t* d, uint32_t off, uint16_t et, uint32_t caplen, uint32_t wire,
                        ParsedPacket& out, const ParseConfig& cfg) noexcept;
bool parse_ethernet_at(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                       ParsedPacket& out, const ParseConfig& cfg) noexcept;
bool parse_ipv4_at(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                   ParsedPacket& out, const ParseConfig& cfg) noexcept;
bool parse_ipv6_at(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                   ParsedPacket& out, const ParseConfig& cfg) noexcept;
// IPv4 or IPv6 by the first nibble; anything else is kOther (no error) unless `strict`.
bool parse_ip_by_nibble(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                        ParsedPacket& out, const ParseConfig& cfg) noexcept;

// An ethertype and the offset of its payload, in one register: the hot path's calls to
// the slow paths stay at six arguments so that they can be tail calls.
struct EtherAt {
  uint32_t off;
  uint16_t et;
};

// L2 families (parse/l2.cpp): the ethertypes the hot path does not handle inline (MPLS,
// PPPoE session, anything else = kOther), MPLS stacks and PPP payloads.
bool parse_other_ethertype(const uint8_t* d, EtherAt at, uint32_t caplen, uint32_t wire,
                           ParsedPacket& out, const ParseConfig& cfg) noexcept;
bool parse_mpls(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire, ParsedPacket& out,
                const ParseConfig& cfg) noexcept;
// PPP protocol field value `proto` with its payload at `off`.
bool parse_ppp_payload(const uint8_t* d, uint32_t off, uint16_t proto, uint32_t caplen,
                       uint32_t wire, ParsedPacket& out, const ParseConfig& cfg) noexcept;
// A PPP frame at `off`: optional 0xFF03 address/control, 1- or 2-byte protocol.
bool parse_ppp_frame(const uint8_t* d, uint32_t off, uint32_t caplen, uint32_t wire,
                     ParsedPacket& out, const ParseConfig& cfg) noexcept;

// Tunnels (parse/tunnels.cpp). decap_ip_proto: `off` is the IP payload, `end` =
// min(caplen, payload end), `pend` = payload end as claimed. decap_udp: `off` is the (valid)
// UDP header, `end` and `pend` those of the IP payload around it.
bool decap_ip_proto(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
                    const ParseConfig& cfg) noexcept;
bool decap_udp(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
               const ParseConfig& cfg) noexcept;

// Descent bookkeeping (parse/tunnels.cpp). enter_layer counts one encapsulation layer of
// kind `e` (false, with kTooDeepEncapsulation, past kMaxEncapDepth). enter_ip_tunnel also
// saves the current IP layer as the outer one (first time) and clears the L3/L4 fields
// for the inner parse; leave_ip_tunnel restores the outer layer when the inner one gave
// no usable addresses and failed, and applies Decap::kOuter at the outermost tunnel.
bool enter_layer(ParsedPacket& out, shm::Encap e) noexcept;
bool enter_ip_tunnel(ParsedPacket& out, shm::Encap e, bool& saved_here) noexcept;
bool leave_ip_tunnel(bool ok, bool saved_here, ParsedPacket& out, const ParseConfig& cfg) noexcept;

}  // namespace securenet::parse
