// Encapsulation headers for tests and benchmarks, next to packet_builder.h: each helper
// returns the bytes of one header, to be put in a Builder's payload in front of an inner
// frame (inner(...) drops a built frame's Ethernet header when the tunnel carries IP).
//
//   auto inner = eth().ipv4(a, b).tcp(1, 2, kSyn).build();
//   eth().ipv4(s, d).udp(5000, 4789).payload(cat({vxlan(42), inner.data}))       // VXLAN
//   eth().ipv4(s, d, {.proto = 47}).payload(cat({gre(0x0800), ip_of(inner)}))     // GRE
//   Builder().eth(m1, m2, 0x8847).payload(cat({mpls({16, 17}), ip_of(inner)}))     // MPLS
#pragma once

#include <initializer_list>
#include <optional>

#include "tools/packet_builder.h"

namespace securenet::pkt::encap {

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline void put16(Bytes& b, uint16_t v) {
  b.push_back(uint8_t(v >> 8));
  b.push_back(uint8_t(v));
}
inline void put32(Bytes& b, uint32_t v) {
  put16(b, uint16_t(v >> 16));
  put16(b, uint16_t(v));
}

// The IP packet of a built Ethernet frame (its bytes after the 14-byte Ethernet header).
inline Bytes ip_of(const Frame& f) { return Bytes(f.data.begin() + 14, f.data.end()); }

// An MPLS label stack; bottom-of-stack set on the last label unless `bottom` is false.
inline Bytes mpls(std::initializer_list<uint32_t> labels, bool bottom = true, uint8_t ttl = 64) {
  Bytes b;
  size_t i = 0;
  for (uint32_t l : labels) {
    const bool last = ++i == labels.size();
    put32(b, (l << 12) | ((last && bottom) ? 0x100u : 0u) | ttl);
  }
  return b;
}
inline Bytes pw_control_word(uint16_t seq = 1) {
  Bytes b;
  put16(b, 0);
  put16(b, seq);
  return b;
}

// PPPoE session header + PPP protocol (0x0021 IPv4, 0x0057 IPv6) for a payload of n bytes.
inline Bytes pppoe(uint16_t ppp_proto, size_t n, uint16_t session = 0x1234) {
  Bytes b{0x11, 0x00};
  put16(b, session);
  put16(b, uint16_t(n + 2));
  put16(b, ppp_proto);
  return b;
}

// GRE (RFC 2784/2890) with the optional checksum, key and sequence fields.
inline Bytes gre(uint16_t proto, bool checksum = false, std::optional<uint32_t> key = {},
                 std::optional<uint32_t> seq = {}) {
  Bytes b;
  put16(b, uint16_t((checksum ? 0x8000 : 0) | (key ? 0x2000 : 0) | (seq ? 0x1000 : 0)));
  put16(b, proto);
  if (checksum) put32(b, 0);
  if (key) put32(b, *key);
  if (seq) put32(b, *seq);
  return b;
}
inline Bytes erspan2(uint16_t session = 1, uint16_t vlan = 0) {
  Bytes b;
  put16(b, uint16_t(0x1000 | (vlan & 0x0FFF)));  // version 1
  put16(b, session & 0x03FF);
  put32(b, 0);
  return b;
}
inline Bytes erspan3(bool platform_subheader = false, uint16_t session = 1) {
  Bytes b;
  put16(b, 0x2000);  // version 2
  put16(b, session & 0x03FF);
  put32(b, 0x12345678);  // timestamp
  put16(b, 0);           // SGT
  put16(b, platform_subheader ? 1 : 0);
  if (platform_subheader) put32(b, 0), put32(b, 0);
  return b;
}
inline Bytes vxlan(uint32_t vni, uint8_t flags = 0x08) {
  Bytes b{flags, 0, 0, 0};
  put32(b, vni << 8);
  return b;
}
// GENEVE with `opt_words` 4-byte words of options (zeroes).
inline Bytes geneve(uint16_t proto, uint8_t opt_words = 0, uint32_t vni = 7) {
  Bytes b{uint8_t(opt_words & 0x3F), 0};
  put16(b, proto);
  put32(b, vni << 8);
  b.resize(b.size() + opt_words * 4u, 0);
  return b;
}
// GTP-U G-PDU for a payload of n bytes; with `ext`, one 4-byte PDU session container.
inline Bytes gtpu(size_t n, bool ext = false, uint8_t type = 0xFF) {
  Bytes b{uint8_t(ext ? 0x34 : 0x30), type};
  put16(b, uint16_t(n + (ext ? 8 : 0)));
  put32(b, 0xABCD);  // TEID
  if (ext) {
    put16(b, 0);
    b.push_back(0);
    b.push_back(0x85);                         // next extension: PDU session container
    b.insert(b.end(), {1, 0x00, 0x09, 0x00});  // length 1 (4 bytes), ..., next = 0
  }
  return b;
}
// Teredo origin indication (8 bytes) in front of the IPv6 packet.
inline Bytes teredo_origin() { return Bytes{0, 0, 0x12, 0x34, 0xC0, 0x00, 0x02, 0x01}; }

}  // namespace securenet::pkt::encap
