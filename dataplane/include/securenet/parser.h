// Zero-copy packet parser: reads headers in place from the packet buffer, never copies
// packet bytes, never reads past `caplen`, never allocates or throws.
//
// Decapsulation (issue 12): the parser looks through MPLS label stacks (IPv4/IPv6 by the
// first nibble after bottom of stack; Ethernet pseudowires with and without control word),
// PPPoE sessions, up to kMaxVlanTags VLAN tags per Ethernet header, GRE (RFC 2784/2890
// checksum, key and sequence fields; 0x6558 transparent Ethernet bridging; PPTP's enhanced
// GRE carrying PPP), ERSPAN type I/II/III, VXLAN (configured UDP ports, 4789 by default),
// GENEVE (6081, options skipped), GTP-U (2152, G-PDU with extension headers), IP-in-IP,
// 6in4, IPv6-in-IPv6, 4in6 and Teredo (UDP 3544). At most kMaxEncapDepth encapsulation
// layers (an MPLS stack, a PPPoE session, a GRE/ERSPAN header, a UDP tunnel header and an
// IP-in-IP header are one layer each); deeper is kTooDeepEncapsulation and the packet is
// counted as the last layer reached. Fragments of an outer packet are not looked into:
// they count as fragments of the outer host pair (no reassembly).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "securenet/shm_layout.h"

namespace securenet {

inline constexpr int kMaxVlanTags = 4;        // per Ethernet header: 0x8100/0x88a8/0x9100
inline constexpr int kMaxIpv6ExtHeaders = 8;  // bounded walk of extension headers
inline constexpr int kMaxEncapDepth = 4;      // encapsulation layers looked through
inline constexpr int kMaxMplsLabels = 8;      // labels in one MPLS stack
inline constexpr int kMaxVxlanPorts = 8;      // configured VXLAN UDP ports

enum class L3 : uint8_t { kNone = 0, kArp, kIpv4, kIpv6, kOther };

// What a capture's frames start with (the pcap link type, mapped by the source).
enum class LinkKind : uint8_t {
  kEthernet = 0,  // DLT_EN10MB
  kRawIp,         // DLT_RAW (12, 14), LINKTYPE_RAW (101): IPv4 or IPv6 by the first nibble
  kIpv4,          // LINKTYPE_IPV4 (228)
  kIpv6,          // LINKTYPE_IPV6 (229)
  kNull,          // DLT_NULL (0), DLT_LOOP (108): 4-byte address family, either byte order
  kSll,           // LINKTYPE_LINUX_SLL (113)
  kSll2,          // LINKTYPE_LINUX_SLL2 (276)
  kPpp,           // DLT_PPP (9), DLT_PPP_SERIAL / PPP_HDLC (50)
  kCiscoHdlc,     // DLT_C_HDLC (104)
};
// The LinkKind of a pcap link type (the numbers above), false when the parser does not read it.
bool link_kind_of_linktype(uint32_t linktype, LinkKind& out) noexcept;

// Which IP layer of a tunnelled packet gives the hosts, L3 family and protocol class.
enum class Decap : uint8_t {
  kInner = 0,  // the innermost (the mirrored traffic); default
  kOuter,      // the outermost (the tunnel endpoints), as if nothing were decapsulated
  kBoth,       // the innermost, and the counter also counts the outer host pair
};

// Parser settings, fixed at start-up. The default is what parse_packet(4 args) uses.
struct ParseConfig {
  Decap decap = Decap::kInner;
  uint8_t n_vxlan_ports = 1;
  uint16_t vxlan_ports[kMaxVxlanPorts] = {4789};
  uint8_t udp_hint[256] = {};  // low byte of any tunnel port: a cheap pre-check per UDP packet
  uint8_t ipv6_prefix = 128;   // IPv6 hosts are counted per /ipv6_prefix (--ipv6-prefix, 32..128)

  constexpr ParseConfig() noexcept { rebuild_hints(); }
  // Replaces the VXLAN port list (1..kMaxVxlanPorts ports); false if the list is unusable.
  bool set_vxlan_ports(const uint16_t* ports, size_t n) noexcept;
  constexpr void rebuild_hints() noexcept {
    for (auto& h : udp_hint) h = 0;
    for (uint16_t p : {uint16_t{6081}, uint16_t{2152}, uint16_t{3544}}) udp_hint[p & 0xFF] = 1;
    for (unsigned i = 0; i < n_vxlan_ports; ++i) udp_hint[vxlan_ports[i] & 0xFF] = 1;
  }
};

// The outermost IP layer of a tunnelled packet (valid when ParsedPacket::has_outer).
struct OuterIp {
  shm::IpKey src;
  shm::IpKey dst;
  uint16_t sport;
  uint16_t dport;
  L3 l3;
  uint8_t ip_proto;
  uint8_t tcp_flags;
  bool fragment;
  bool first_fragment;
  bool l4_parsed;
  shm::ProtoClass proto_class;
};

struct ParsedPacket {
  shm::IpKey src;  // valid when has_addrs (IPv4 as ::ffff:a.b.c.d)
  shm::IpKey dst;
  uint32_t wire_len = 0;   // length on the wire (from the source)
  uint16_t ethertype = 0;  // innermost ethertype after VLAN tags
  uint16_t sport = 0;      // TCP/UDP ports, host byte order (0 when not parsed)
  uint16_t dport = 0;
  uint16_t l4_offset = 0;  // byte offset of the L4 header inside the frame (0 if none)
  L3 l3 = L3::kNone;       // family of the counted layer (also when its header is malformed)
  uint8_t ip_proto = 0;    // final protocol number (after the IPv6 extension walk)
  uint8_t tcp_flags = 0;   // FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ...
  uint8_t icmp_type = 0;
  // These eight bytes are one word (plain_ip): 0 but has_addrs in a plain IP packet.
  uint8_t vlan_tags = 0;  // over all Ethernet headers of the packet
  shm::ParseError error = shm::ParseError::kNone;
  bool has_addrs = false;       // src/dst hold the counted layer's addresses
  bool has_outer = false;       // `outer` holds the outermost IP layer (kBoth counts it too)
  uint8_t encap_depth = 0;      // encapsulation layers looked through
  bool fragment = false;        // any IPv4/IPv6 fragment
  uint16_t encaps = 0;          // bit (1 << shm::Encap) per kind of layer crossed
  bool first_fragment = false;  // offset 0 (L4 parsed only here or when not a fragment)
  bool l4_parsed = false;       // the L4 header was present and decoded
  shm::ProtoClass proto_class = shm::ProtoClass::kOther;
  uint8_t ipv6_ext_headers = 0;
  // Not reset per packet: valid only when has_outer.
  OuterIp outer;
};
inline constexpr size_t kParsedResetBytes = offsetof(ParsedPacket, outer);

// A plain IP packet: usable addresses, no parse error, no VLAN tag, no encapsulation, not a
// fragment (has_outer and encap_depth are 0 whenever encaps is). One 8-byte compare: the
// packet counter's fast path; anything else takes the exact per-field tests.
inline constexpr uint64_t kPlainIpWord = uint64_t{1} << 16;  // has_addrs, little-endian
inline bool plain_ip(const ParsedPacket& p) noexcept {
  static_assert(offsetof(ParsedPacket, error) == offsetof(ParsedPacket, vlan_tags) + 1 &&
                offsetof(ParsedPacket, has_addrs) == offsetof(ParsedPacket, vlan_tags) + 2 &&
                offsetof(ParsedPacket, has_outer) == offsetof(ParsedPacket, vlan_tags) + 3 &&
                offsetof(ParsedPacket, encap_depth) == offsetof(ParsedPacket, vlan_tags) + 4 &&
                offsetof(ParsedPacket, fragment) == offsetof(ParsedPacket, vlan_tags) + 5 &&
                offsetof(ParsedPacket, encaps) == offsetof(ParsedPacket, vlan_tags) + 6 &&
                sizeof(bool) == 1 && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
  uint64_t w;
  std::memcpy(&w, &p.vlan_tags, 8);
  return w == kPlainIpWord;
}

// Parses one Ethernet frame. Returns false when the packet is malformed; `out.error` then
// holds the reason, and every field decoded before the fault is still set (e.g. addresses
// of an IPv4 packet with a truncated TCP header), so a caller can still count the host.
bool parse_packet(const uint8_t* data, uint32_t caplen, uint32_t wire_len, ParsedPacket& out,
                  const ParseConfig& cfg) noexcept;
bool parse_packet(const uint8_t* data, uint32_t caplen, uint32_t wire_len,
                  ParsedPacket& out) noexcept;

// Parses one frame of any link kind (the Ethernet kind is parse_packet).
bool parse_link(LinkKind link, const uint8_t* data, uint32_t caplen, uint32_t wire_len,
                ParsedPacket& out, const ParseConfig& cfg) noexcept;

// Names of parse-error reasons ("truncated_tcp", ...) and protocol classes ("tcp", ...),
// stable for APIs: the tables of shm_fields.h.
using shm::parse_error_name;
using shm::proto_class_name;
// Name of a decap mode ("inner", "outer", "both") and its inverse (false if unknown).
const char* decap_name(Decap d) noexcept;
bool decap_from_name(const char* s, Decap& out) noexcept;

}  // namespace securenet
