// Tunnels: GRE (with ERSPAN and PPTP), IP-in-IP (4in4, 6in4, 6in6, 4in6), and the UDP
// tunnels VXLAN, GENEVE, GTP-U and Teredo. See securenet/parser.h for what is looked
// into; each decoder checks its header against the captured bytes before reading it and
// hands the inner layer a window that ends where the outer payload ends.
#include "pipeline/parse/internal.h"

namespace securenet::parse {
namespace {

constexpr uint16_t kGreC = 0x8000, kGreR = 0x4000, kGreK = 0x2000, kGreS = 0x1000, kGreA = 0x0080;
constexpr uint16_t kGreErspan2 = 0x88BE, kGreErspan3 = 0x22EB, kGrePpp = 0x880B,
                   kGreCiscoMeta = 0x8909;
constexpr uint32_t kCiscoMetaLen = 8;  // in GRE: ethertype, version, length, options, SGT
constexpr uint16_t kPortGeneve = 6081, kPortGtpu = 2152, kPortTeredo = 3544;
constexpr uint32_t kVxlanLen = 8, kGeneveLen = 8, kGtpLen = 8, kErspan2Len = 8, kErspan3Len = 12;
constexpr int kMaxGtpExtHeaders = 8;

inline bool tunnel_truncated(ParsedPacket& out) noexcept {
  return fail(out, ParseError::kTruncatedTunnelHeader);
}

// Enters an IP-level tunnel of kind `e` and parses its payload with `inner`.
template <typename Inner>
bool descend(ParsedPacket& out, shm::Encap e, Inner inner, const ParseConfig& cfg) noexcept {
  bool saved = false;
  if (!enter_ip_tunnel(out, e, saved)) return false;
  return leave_ip_tunnel(inner(), saved, out, cfg);
}

bool decap_gre(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
               const ParseConfig& cfg) noexcept {
  set_encap(out, shm::Encap::kGre);
  if (end - off < 4) return fail(out, ParseError::kTruncatedGre);
  const uint16_t flags = load_be16(d + off);
  const uint16_t proto = load_be16(d + off + 2);
  const unsigned version = flags & 7;
  uint32_t hlen = 4;
  if (version == 0) {
    if (flags & kGreR) return true;  // RFC 1701 source routing: not looked into
    hlen += ((flags & kGreC) ? 4 : 0) + ((flags & kGreK) ? 4 : 0) + ((flags & kGreS) ? 4 : 0);
  } else if (version == 1 && proto == kGrePpp) {  // PPTP (RFC 2637): key always present
    hlen += 4 + ((flags & kGreS) ? 4 : 0) + ((flags & kGreA) ? 4 : 0);
  } else {
    return true;  // unknown version: counted as GRE, not looked into
  }
  if (end - off < hlen) return fail(out, ParseError::kTruncatedGre);
  const uint32_t in = off + hlen;
  switch (proto) {
    case kEthIpv4:
      return descend(
          out, shm::Encap::kGre, [&] { return parse_ipv4_at(d, in, end, pend, out, cfg); }, cfg);
    case kEthIpv6:
      return descend(
          out, shm::Encap::kGre, [&] { return parse_ipv6_at(d, in, end, pend, out, cfg); }, cfg);
    case kEthTeb:
      return descend(
          out, shm::Encap::kGre, [&] { return parse_ethernet_at(d, in, end, pend, out, cfg); },
          cfg);
    case kEthMpls:
    case kEthMplsMc:
      return descend(
          out, shm::Encap::kGre, [&] { return parse_mpls(d, in, end, pend, out, cfg); }, cfg);
    case kGrePpp:
      return descend(
          out, shm::Encap::kGre, [&] { return parse_ppp_frame(d, in, end, pend, out, cfg); }, cfg);
    case kGreCiscoMeta:  // Cisco MetaData (TrustSec SGT), then the ethertype it names
      if (end - in < kCiscoMetaLen) return fail(out, ParseError::kTruncatedGre);
      return descend(
          out, shm::Encap::kGre,
          [&] {
            return parse_ethertype_at(d, in + kCiscoMetaLen, load_be16(d + in), end, pend, out,
                                      cfg);
          },
          cfg);
    case kGreErspan2:
    case kGreErspan3: {
      set_encap(out, shm::Encap::kErspan);
      uint32_t eh = 0;  // type I (0x88BE without a sequence number): no ERSPAN header
      if (proto == kGreErspan3) {
        if (end - in < kErspan3Len) return tunnel_truncated(out);
        eh = kErspan3Len + ((d[in + 11] & 1) ? 8 : 0);  // O flag: platform-specific subheader
      } else if (flags & kGreS) {
        eh = kErspan2Len;
      }
      if (end - in < eh) return tunnel_truncated(out);
      return descend(
          out, shm::Encap::kGre, [&] { return parse_ethernet_at(d, in + eh, end, pend, out, cfg); },
          cfg);
    }
    default:
      return true;  // another payload type: counted as GRE, not looked into
  }
}

bool decap_vxlan(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
                 const ParseConfig& cfg) noexcept {
  if (end - off < kVxlanLen) return true;  // too short to be VXLAN: a plain UDP packet
  if (!(d[off] & 0x08)) return true;       // no valid-VNI flag: not VXLAN
  set_encap(out, shm::Encap::kVxlan);
  return descend(
      out, shm::Encap::kVxlan,
      [&] { return parse_ethernet_at(d, off + kVxlanLen, end, pend, out, cfg); }, cfg);
}

bool decap_geneve(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
                  const ParseConfig& cfg) noexcept {
  if (end - off < kGeneveLen || (d[off] >> 6) != 0) return true;  // not GENEVE version 0
  set_encap(out, shm::Encap::kGeneve);
  const uint32_t hlen = kGeneveLen + (d[off] & 0x3F) * 4u;
  if (end - off < hlen) return tunnel_truncated(out);
  const uint32_t in = off + hlen;
  switch (load_be16(d + off + 2)) {
    case kEthTeb:
      return descend(
          out, shm::Encap::kGeneve, [&] { return parse_ethernet_at(d, in, end, pend, out, cfg); },
          cfg);
    case kEthIpv4:
      return descend(
          out, shm::Encap::kGeneve, [&] { return parse_ipv4_at(d, in, end, pend, out, cfg); }, cfg);
    case kEthIpv6:
      return descend(
          out, shm::Encap::kGeneve, [&] { return parse_ipv6_at(d, in, end, pend, out, cfg); }, cfg);
    default:
      return true;
  }
}

bool decap_gtpu(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
                const ParseConfig& cfg) noexcept {
  if (end - off < kGtpLen || (d[off] >> 5) != 1 || !(d[off] & 0x10)) return true;  // not GTPv1
  set_encap(out, shm::Encap::kGtpu);
  if (d[off + 1] != 0xFF) return true;  // echo, error indication, end marker: no user data
  uint32_t in = off + kGtpLen;
  if (d[off] & 0x07) {  // E, S or PN: sequence number, N-PDU number, next extension type
    if (end - off < kGtpLen + 4) return tunnel_truncated(out);
    in += 4;
    uint8_t next = (d[off] & 0x04) ? d[in - 1] : 0;
    for (int n = 0; next != 0; ++n) {  // extension headers: length in 4-byte units
      if (n == kMaxGtpExtHeaders || end - in < 1) return tunnel_truncated(out);
      const uint32_t len = d[in] * 4u;
      if (len == 0 || end - in < len) return tunnel_truncated(out);
      next = d[in + len - 1];
      in += len;
    }
  }
  if (end == in) return true;
  return descend(
      out, shm::Encap::kGtpu, [&] { return parse_ip_by_nibble(d, in, end, pend, out, cfg); }, cfg);
}

// Teredo (RFC 4380): optional authentication and origin indication, then IPv6 that fills
// the UDP payload exactly; anything else on port 3544 (qualification, bubbles) is UDP.
bool decap_teredo(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
                  const ParseConfig& cfg) noexcept {
  uint32_t in = off;
  if (end - in >= 4 && load_be16(d + in) == 0x0001)
    in += 4 + d[in + 2] + d[in + 3] + 9;                                   // authentication
  if (in <= end && end - in >= 8 && load_be16(d + in) == 0x0000) in += 8;  // origin indication
  if (in > end || end - in < 40 || (d[in] >> 4) != 6 || in + 40 + load_be16(d + in + 4) != pend)
    return true;
  set_encap(out, shm::Encap::kTeredo);
  return descend(
      out, shm::Encap::kTeredo, [&] { return parse_ipv6_at(d, in, end, pend, out, cfg); }, cfg);
}

}  // namespace

bool enter_layer(ParsedPacket& out, shm::Encap e) noexcept {
  set_encap(out, e);
  if (out.encap_depth == kMaxEncapDepth) return fail(out, ParseError::kTooDeepEncapsulation);
  ++out.encap_depth;
  return true;
}

bool enter_ip_tunnel(ParsedPacket& out, shm::Encap e, bool& saved_here) noexcept {
  if (!enter_layer(out, e)) return false;
  if (!out.has_outer && out.has_addrs) {
    OuterIp& o = out.outer;
    o.src = out.src;
    o.dst = out.dst;
    o.sport = out.sport;
    o.dport = out.dport;
    o.l3 = out.l3;
    o.ip_proto = out.ip_proto;
    o.tcp_flags = out.tcp_flags;
    o.fragment = out.fragment;
    o.first_fragment = out.first_fragment;
    o.l4_parsed = out.l4_parsed;
    o.proto_class = out.proto_class;
    out.has_outer = saved_here = true;
  }
  out.has_addrs = out.fragment = out.first_fragment = out.l4_parsed = false;
  out.sport = out.dport = out.l4_offset = 0;
  out.ip_proto = out.tcp_flags = out.icmp_type = out.ipv6_ext_headers = 0;
  out.proto_class = ProtoClass::kOther;
  return true;
}

namespace {
void use_outer(ParsedPacket& out) noexcept {
  const OuterIp& o = out.outer;
  out.src = o.src;
  out.dst = o.dst;
  out.sport = o.sport;
  out.dport = o.dport;
  out.l3 = o.l3;
  out.ip_proto = o.ip_proto;
  out.tcp_flags = o.tcp_flags;
  out.fragment = o.fragment;
  out.first_fragment = o.first_fragment;
  out.l4_parsed = o.l4_parsed;
  out.proto_class = o.proto_class;
  out.icmp_type = 0;
  out.has_addrs = true;
  out.has_outer = false;
}
}  // namespace

bool leave_ip_tunnel(bool ok, bool saved_here, ParsedPacket& out, const ParseConfig& cfg) noexcept {
  if (!saved_here) return ok;
  if ((!ok && !out.has_addrs) || cfg.decap == Decap::kOuter) use_outer(out);
  if (!ok)
    out.l4_parsed = false;  // l4_parsed only for a fully valid packet (found by fuzz_parse_packet)
  return ok;
}

bool decap_ip_proto(const uint8_t* d, uint32_t off, uint32_t end, uint32_t pend, ParsedPacket& out,
                    const ParseConfig& cfg) noexcept {
  switch (out.ip_proto) {
    case 4:
      return descend(
          out, shm::Encap::kIpip, [&] { return parse_ipv4_at(d, off, end, pend, out, cfg); }, cfg);
    case 41:
      return descend(
          out, shm::Encap::kIpip, [&] { return parse_ipv6_at(d, off, end, pend, out, cfg); }, cfg);
    default:
      return decap_gre(d, off, end, pend, out, cfg);
  }
}

bool decap_udp(const uint8_t* d, uint32_t udp, uint32_t ip_cap_end, uint32_t ip_end,
               ParsedPacket& out, const ParseConfig& cfg) noexcept {
  // The UDP payload: [udp + 8, udp + length), or to the IP payload end for jumbo UDP.
  const uint32_t ulen = load_be16(d + udp + 4);
  const uint32_t pend = ulen != 0 && udp + ulen < ip_end ? udp + ulen : ip_end;
  const uint32_t end = pend < ip_cap_end ? pend : ip_cap_end;
  const uint32_t off = udp + 8;
  if (off > end) return true;
  const uint16_t dp = out.dport, sp = out.sport;
  for (unsigned i = 0; i < cfg.n_vxlan_ports; ++i) {
    if (dp == cfg.vxlan_ports[i]) return decap_vxlan(d, off, end, pend, out, cfg);
  }
  if (dp == kPortGeneve) return decap_geneve(d, off, end, pend, out, cfg);
  if (dp == kPortGtpu || sp == kPortGtpu) return decap_gtpu(d, off, end, pend, out, cfg);
  if (dp == kPortTeredo || sp == kPortTeredo) return decap_teredo(d, off, end, pend, out, cfg);
  return true;
}

}  // namespace securenet::parse
