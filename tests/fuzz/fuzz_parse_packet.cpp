// libFuzzer target for parse_packet / parse_link: the input is the frame; its first byte
// also picks how wire_len relates to caplen (equal, larger, zero), and, when its top bit
// is set, a link kind (bits 2..5) for parse_link with the frame after that byte; bits 5..6
// pick the --decap mode. Seeds: make_parser_seeds (every fixture and encapsulation). Aborts on any
// broken invariant; out-of-bounds reads are caught by AddressSanitizer (the input buffer is exactly
// sized).
#include <cstdint>
#include <cstdlib>

#include "securenet/parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 65535) return 0;
  const auto caplen = static_cast<uint32_t>(size);
  const uint32_t wires[3] = {caplen, caplen + 1500, 0};
  const uint32_t wire = wires[size ? data[0] % 3 : 0];
  securenet::ParsedPacket p;
  securenet::ParseConfig cfg;
  cfg.decap = static_cast<securenet::Decap>(size ? (data[0] >> 5) % 3 : 0);
  bool ok;
  if (size && (data[0] & 0x80)) {
    const auto link = static_cast<securenet::LinkKind>(((data[0] >> 2) & 0xF) % 9);
    ok = securenet::parse_link(link, data + 1, caplen - 1, wire ? wire - 1 : 0, p, cfg);
  } else {
    ok = securenet::parse_packet(data, caplen, wire, p, cfg);
  }
  using securenet::L3;
  const bool broken =
      ok != (p.error == securenet::shm::ParseError::kNone) ||
      static_cast<size_t>(p.error) >= securenet::shm::kParseErrorCount ||
      // up to kMaxVlanTags per Ethernet header, one header per encapsulation layer and the outer
      // one
      p.vlan_tags > securenet::kMaxVlanTags * (securenet::kMaxEncapDepth + 1) ||
      p.ipv6_ext_headers > securenet::kMaxIpv6ExtHeaders || p.l4_offset > caplen ||
      (p.l4_parsed && !ok) || (p.l4_parsed && p.l3 != L3::kIpv4 && p.l3 != L3::kIpv6) ||
      (p.fragment && !p.first_fragment && p.l4_parsed) ||
      securenet::parse_error_name(p.error) == nullptr || p.l3 == L3::kNone ||
      p.encap_depth > securenet::kMaxEncapDepth ||
      (p.has_addrs && p.l3 != L3::kIpv4 && p.l3 != L3::kIpv6) || (p.l4_parsed && !p.has_addrs);
  if (broken) std::abort();
  return 0;
}
