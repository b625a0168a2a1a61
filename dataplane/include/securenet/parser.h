// Zero-copy packet parser: reads headers in place from the packet buffer, never copies
// packet bytes, never reads past `caplen`, never allocates or throws.
#pragma once

#include <cstdint>

#include "securenet/shm_layout.h"

namespace securenet {

inline constexpr int kMaxVlanTags = 2;        // 802.1ad outer + 802.1Q inner (QinQ)
inline constexpr int kMaxIpv6ExtHeaders = 8;  // bounded walk of extension headers

enum class L3 : uint8_t { kNone = 0, kArp, kIpv4, kIpv6, kOther };

struct ParsedPacket {
  shm::IpKey src;            // valid when l3 is kIpv4/kIpv6 (IPv4 as ::ffff:a.b.c.d)
  shm::IpKey dst;
  uint32_t wire_len = 0;     // length on the wire (from the source)
  uint16_t ethertype = 0;    // innermost ethertype after VLAN tags
  uint16_t sport = 0;        // TCP/UDP ports, host byte order (0 when not parsed)
  uint16_t dport = 0;
  uint16_t l4_offset = 0;    // byte offset of the L4 header inside the frame (0 if none)
  L3 l3 = L3::kNone;
  uint8_t vlan_tags = 0;
  uint8_t ip_proto = 0;      // final protocol number (after the IPv6 extension walk)
  uint8_t tcp_flags = 0;     // FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ...
  uint8_t icmp_type = 0;
  uint8_t ipv6_ext_headers = 0;
  bool fragment = false;       // any IPv4/IPv6 fragment
  bool first_fragment = false; // offset 0 (L4 parsed only here or when not a fragment)
  bool l4_parsed = false;      // the L4 header was present and decoded
  shm::ProtoClass proto_class = shm::ProtoClass::kOther;
  shm::ParseError error = shm::ParseError::kNone;
};

// Parses one Ethernet frame. Returns false when the packet is malformed; `out.error` then
// holds the reason, and every field decoded before the fault is still set (e.g. addresses
// of an IPv4 packet with a truncated TCP header), so a caller can still count the host.
bool parse_packet(const uint8_t* data, uint32_t caplen, uint32_t wire_len,
                  ParsedPacket& out) noexcept;

// Names of parse-error reasons ("truncated_tcp", ...) and protocol classes ("tcp", ...),
// stable for APIs: the tables of shm_fields.h.
using shm::parse_error_name;
using shm::proto_class_name;

}  // namespace securenet
