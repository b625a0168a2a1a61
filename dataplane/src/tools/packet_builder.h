// Packet builder for fixtures, benchmarks and traffic tools (NOT the hot path).
//
//   using namespace securenet::pkt;
//   Frame f = Builder()
//                 .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
//                 .vlan(100)
//                 .ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"))
//                 .tcp(1234, 80, kSyn)
//                 .payload(6)
//                 .build();
//
// Layers are appended in wire order. build() then fills in everything that depends on
// the following layers (ethertypes / TPIDs, IP protocol and IPv6 next-header chains,
// IPv4 total length, IPv6 payload length, UDP length, IPv4 header checksum and the
// TCP/UDP/ICMP/ICMPv6/IGMP checksums), unless a field was overridden explicitly.
// Corruption for malformed fixtures: the *Opts overrides (version, IHL, lengths, data
// offset, checksums), pad_to() (Ethernet padding beyond the IP packet), snap(n) (capture
// cut to n bytes; wire_len unchanged) and truncate(n) (frame really is n bytes long).
#pragma once

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

namespace securenet::pkt {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;
using Ip4 = std::array<uint8_t, 4>;
using Ip6 = std::array<uint8_t, 16>;

// A built frame: the captured bytes and the length the frame had on the wire.
struct Frame {
  Bytes data;
  uint32_t wire_len = 0;
  uint32_t caplen() const { return static_cast<uint32_t>(data.size()); }
};

// ---- address helpers (abort-free: a bad literal yields all zeroes) ----------------------
inline Ip4 ip4(const char* s) {
  Ip4 a{};
  if (inet_pton(AF_INET, s, a.data()) != 1) a = {};
  return a;
}
inline Ip6 ip6(const char* s) {
  Ip6 a{};
  if (inet_pton(AF_INET6, s, a.data()) != 1) a = {};
  return a;
}
inline Mac mac(const char* s) {
  unsigned v[6] = {};
  Mac m{};
  if (std::sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) == 6)
    for (int i = 0; i < 6; ++i) m[i] = static_cast<uint8_t>(v[i]);
  return m;
}

// ---- constants --------------------------------------------------------------------------
inline constexpr uint16_t kEthIpv4 = 0x0800, kEthArp = 0x0806, kEthIpv6 = 0x86DD;
inline constexpr uint16_t kTpid8021Q = 0x8100, kTpid8021ad = 0x88A8;
inline constexpr uint8_t kProtoHopByHop = 0, kProtoIcmp = 1, kProtoIgmp = 2, kProtoTcp = 6,
                         kProtoUdp = 17, kProtoRouting = 43, kProtoFragment = 44, kProtoAh = 51,
                         kProtoIcmpv6 = 58, kProtoNoNext = 59, kProtoDestOpts = 60,
                         kProtoExperimental = 253;
inline constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10,
                         kUrg = 0x20, kEce = 0x40, kCwr = 0x80;

// ---- per-layer options (every std::optional left empty = computed) ----------------------
struct Ipv4Opts {
  uint8_t ttl = 64;
  uint8_t tos = 0;
  uint16_t id = 0x1234;
  bool dont_fragment = false;
  bool more_fragments = false;
  uint16_t frag_offset = 0;        // in 8-byte units
  Bytes options;                   // padded with zeroes (EOL) to a multiple of 4
  std::optional<uint8_t> proto;    // else from the next layer (253 when none)
  std::optional<uint8_t> version;  // corrupt: e.g. 6
  std::optional<uint8_t> ihl;      // corrupt: e.g. 4 or 15
  std::optional<uint16_t> total_length;
  std::optional<uint16_t> checksum;
};

struct Ipv6Opts {
  uint8_t hop_limit = 64;
  uint8_t traffic_class = 0;
  uint32_t flow_label = 0;
  std::optional<uint8_t> next_header;  // else from the next layer (59 when none)
  std::optional<uint8_t> version;
  std::optional<uint16_t> payload_length;
};

struct TcpOpts {
  uint32_t seq = 1000;
  uint32_t ack = 0;
  uint16_t window = 65535;
  uint16_t urgent = 0;
  Bytes options;                       // padded with zeroes (EOL) to a multiple of 4
  std::optional<uint8_t> data_offset;  // corrupt: in 32-bit words
  std::optional<uint16_t> checksum;
};

struct UdpOpts {
  std::optional<uint16_t> length;
  std::optional<uint16_t> checksum;
};

// ---- the builder ------------------------------------------------------------------------
class Builder {
 public:
  Builder& eth(const Mac& src, const Mac& dst, std::optional<uint16_t> ethertype = {}) {
    Layer& l = push(Kind::kEth, 14);
    std::copy(dst.begin(), dst.end(), at(l, 0));
    std::copy(src.begin(), src.end(), at(l, 6));
    l.next = ethertype;
    return *this;
  }
  // One VLAN tag. The TPID (0x8100 or 0x88a8) is written in the previous layer's type field.
  Builder& vlan(uint16_t vid, uint8_t pcp = 0, uint16_t tpid = kTpid8021Q,
                std::optional<uint16_t> ethertype = {}) {
    Layer& l = push(Kind::kVlan, 4);
    l.tpid = tpid;
    put16(at(l, 0), static_cast<uint16_t>((pcp & 7) << 13 | (vid & 0x0FFF)));
    l.next = ethertype;
    return *this;
  }
  // QinQ: 802.1ad outer tag (0x88a8) then 802.1Q inner tag.
  Builder& qinq(uint16_t outer_vid, uint16_t inner_vid) {
    return vlan(outer_vid, 0, kTpid8021ad).vlan(inner_vid);
  }
  Builder& arp(uint16_t op, const Mac& sha, const Ip4& spa, const Mac& tha, const Ip4& tpa) {
    Layer& l = push(Kind::kArp, 28);
    uint8_t* p = at(l, 0);
    put16(p, 1);             // hardware: Ethernet
    put16(p + 2, kEthIpv4);  // protocol: IPv4
    p[4] = 6;
    p[5] = 4;
    put16(p + 6, op);
    std::copy(sha.begin(), sha.end(), p + 8);
    std::copy(spa.begin(), spa.end(), p + 14);
    std::copy(tha.begin(), tha.end(), p + 18);
    std::copy(tpa.begin(), tpa.end(), p + 24);
    return *this;
  }
  Builder& ipv4(const Ip4& src, const Ip4& dst, Ipv4Opts o = {}) {
    Bytes opt = pad4(o.options);
    Layer& l = push(Kind::kIpv4, 20 + opt.size());
    uint8_t* p = at(l, 0);
    uint8_t ihl = o.ihl.value_or(static_cast<uint8_t>(5 + opt.size() / 4));
    p[0] = static_cast<uint8_t>(o.version.value_or(4) << 4 | (ihl & 0x0F));
    p[1] = o.tos;
    put16(p + 4, o.id);
    put16(p + 6, static_cast<uint16_t>((o.dont_fragment ? 0x4000 : 0) |
                                       (o.more_fragments ? 0x2000 : 0) | (o.frag_offset & 0x1FFF)));
    p[8] = o.ttl;
    std::copy(src.begin(), src.end(), p + 12);
    std::copy(dst.begin(), dst.end(), p + 16);
    std::copy(opt.begin(), opt.end(), p + 20);
    if (o.proto) l.next = *o.proto;
    l.length = o.total_length;
    l.checksum = o.checksum;
    return *this;
  }
  Builder& ipv6(const Ip6& src, const Ip6& dst, Ipv6Opts o = {}) {
    Layer& l = push(Kind::kIpv6, 40);
    uint8_t* p = at(l, 0);
    uint32_t w = static_cast<uint32_t>(o.version.value_or(6)) << 28 |
                 static_cast<uint32_t>(o.traffic_class) << 20 | (o.flow_label & 0xFFFFF);
    put32(p, w);
    p[7] = o.hop_limit;
    std::copy(src.begin(), src.end(), p + 8);
    std::copy(dst.begin(), dst.end(), p + 24);
    if (o.next_header) l.next = *o.next_header;
    l.length = o.payload_length;
    return *this;
  }
  // IPv6 extension headers; `body` is the data after the 2-byte {next, len} prefix,
  // zero-padded so that the header is a multiple of 8 bytes.
  Builder& ipv6_hop_by_hop(Bytes body = {}) { return ext(Kind::kExt, kProtoHopByHop, body); }
  Builder& ipv6_dest_opts(Bytes body = {}) { return ext(Kind::kExt, kProtoDestOpts, body); }
  Builder& ipv6_routing(uint8_t type = 0, uint8_t segments_left = 0, Bytes data = {}) {
    Bytes body{type, segments_left, 0, 0, 0, 0};
    body.insert(body.end(), data.begin(), data.end());
    return ext(Kind::kExt, kProtoRouting, body);
  }
  Builder& ipv6_fragment(uint16_t offset_units, bool more, uint32_t id = 0x55AA) {
    Layer& l = push(Kind::kExt, 8);
    l.own_proto = kProtoFragment;
    uint8_t* p = at(l, 0);
    put16(p + 2, static_cast<uint16_t>(offset_units << 3 | (more ? 1 : 0)));
    put32(p + 4, id);
    return *this;
  }
  // Authentication header: length field counts 4-byte units minus 2.
  Builder& ipv6_ah(uint32_t spi = 0x100, uint32_t seq = 1, size_t icv_len = 12) {
    size_t total = 12 + ((icv_len + 3) / 4) * 4;
    Layer& l = push(Kind::kExt, total);
    l.own_proto = kProtoAh;
    uint8_t* p = at(l, 0);
    p[1] = static_cast<uint8_t>(total / 4 - 2);
    put32(p + 4, spi);
    put32(p + 8, seq);
    return *this;
  }
  Builder& tcp(uint16_t sport, uint16_t dport, uint8_t flags, TcpOpts o = {}) {
    Bytes opt = pad4(o.options);
    Layer& l = push(Kind::kTcp, 20 + opt.size());
    uint8_t* p = at(l, 0);
    put16(p, sport);
    put16(p + 2, dport);
    put32(p + 4, o.seq);
    put32(p + 8, o.ack);
    p[12] =
        static_cast<uint8_t>(o.data_offset.value_or(static_cast<uint8_t>(5 + opt.size() / 4)) << 4);
    p[13] = flags;
    put16(p + 14, o.window);
    put16(p + 18, o.urgent);
    std::copy(opt.begin(), opt.end(), p + 20);
    l.checksum = o.checksum;
    return *this;
  }
  Builder& udp(uint16_t sport, uint16_t dport, UdpOpts o = {}) {
    Layer& l = push(Kind::kUdp, 8);
    put16(at(l, 0), sport);
    put16(at(l, 2), dport);
    l.length = o.length;
    l.checksum = o.checksum;
    return *this;
  }
  // ICMP (v4): type, code, 4 "rest of header" bytes.
  Builder& icmp(uint8_t type, uint8_t code, uint32_t rest = 0) {
    return small(Kind::kIcmp, type, code, rest);
  }
  Builder& icmp_echo(uint16_t id, uint16_t seq, bool request = true) {
    return icmp(request ? 8 : 0, 0, static_cast<uint32_t>(id) << 16 | seq);
  }
  Builder& icmpv6(uint8_t type, uint8_t code, uint32_t rest = 0) {
    return small(Kind::kIcmpv6, type, code, rest);
  }
  Builder& icmpv6_echo(uint16_t id, uint16_t seq, bool request = true) {
    return icmpv6(request ? 128 : 129, 0, static_cast<uint32_t>(id) << 16 | seq);
  }
  // IGMP (v2 layout): type (0x16 = v2 report), max response time, checksum, group.
  Builder& igmp(uint8_t type, const Ip4& group, uint8_t max_resp = 0) {
    uint32_t g = static_cast<uint32_t>(group[0]) << 24 | group[1] << 16 | group[2] << 8 | group[3];
    return small(Kind::kIgmp, type, max_resp, g);
  }
  Builder& payload(const Bytes& bytes) {
    Layer& l = push(Kind::kPayload, bytes.size());
    std::copy(bytes.begin(), bytes.end(), at(l, 0));
    return *this;
  }
  // n bytes of a recognisable pattern (0x00, 0x01, ...).
  Builder& payload(size_t n) {
    Layer& l = push(Kind::kPayload, n);
    for (size_t i = 0; i < n; ++i) at(l, 0)[i] = static_cast<uint8_t>(i);
    return *this;
  }
  // Ethernet padding after everything else (not counted in any IP/UDP length).
  Builder& pad_to(size_t frame_len) {
    pad_to_ = frame_len;
    return *this;
  }
  // Capture cut to n bytes (caplen = n, wire_len = full length).
  Builder& snap(size_t n) {
    snap_ = n;
    return *this;
  }
  // The frame itself is only n bytes long (caplen = wire_len = n).
  Builder& truncate(size_t n) {
    truncate_ = n;
    return *this;
  }

  Frame build() const {
    Bytes b = bytes_;
    for (size_t i = 0; i < layers_.size(); ++i) fill_types(b, i);
    for (size_t i = layers_.size(); i-- > 0;) fill_lengths(b, i);  // inner layers first
    if (pad_to_ && b.size() < *pad_to_) b.resize(*pad_to_, 0);
    if (truncate_ && b.size() > *truncate_) b.resize(*truncate_);
    Frame f{b, static_cast<uint32_t>(b.size())};
    if (snap_ && f.data.size() > *snap_) f.data.resize(*snap_);
    return f;
  }

 private:
  enum class Kind : uint8_t {
    kEth,
    kVlan,
    kArp,
    kIpv4,
    kIpv6,
    kExt,
    kTcp,
    kUdp,
    kIcmp,
    kIcmpv6,
    kIgmp,
    kPayload
  };
  struct Layer {
    Kind kind;
    size_t off = 0, len = 0;
    uint16_t tpid = 0;                 // kVlan
    uint8_t own_proto = 0;             // kExt: its own protocol number
    std::optional<uint16_t> next;      // explicit ethertype / next protocol
    std::optional<uint16_t> length;    // explicit IPv4 total / IPv6 payload / UDP length
    std::optional<uint16_t> checksum;  // explicit checksum
  };

  static void put16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
  }
  static void put32(uint8_t* p, uint32_t v) {
    put16(p, uint16_t(v >> 16));
    put16(p + 2, uint16_t(v));
  }
  static uint16_t get16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
  static Bytes pad4(Bytes v) {
    v.resize((v.size() + 3) / 4 * 4, 0);
    return v;
  }

  Layer& push(Kind k, size_t len) {
    layers_.push_back(Layer{k, bytes_.size(), len});
    bytes_.resize(bytes_.size() + len, 0);
    return layers_.back();
  }
  uint8_t* at(const Layer& l, size_t o) { return bytes_.data() + l.off + o; }

  Builder& ext(Kind k, uint8_t proto, const Bytes& body) {
    size_t total = (2 + body.size() + 7) / 8 * 8;
    Layer& l = push(k, total);
    l.own_proto = proto;
    at(l, 0)[1] = static_cast<uint8_t>(total / 8 - 1);
    std::copy(body.begin(), body.end(), at(l, 2));
    return *this;
  }
  Builder& small(Kind k, uint8_t type, uint8_t code, uint32_t rest) {
    Layer& l = push(k, 8);
    at(l, 0)[0] = type;
    at(l, 0)[1] = code;
    put32(at(l, 4), rest);
    return *this;
  }

  const Layer* next_layer(size_t i) const {
    return i + 1 < layers_.size() ? &layers_[i + 1] : nullptr;
  }

  // Ethertype (or TPID) that announces layer n.
  static std::optional<uint16_t> ethertype_of(const Layer* n) {
    if (!n) return std::nullopt;
    switch (n->kind) {
      case Kind::kVlan:
        return n->tpid;
      case Kind::kArp:
        return kEthArp;
      case Kind::kIpv4:
        return kEthIpv4;
      case Kind::kIpv6:
        return kEthIpv6;
      default:
        return std::nullopt;
    }
  }
  // IP protocol number that announces layer n.
  static std::optional<uint8_t> proto_of(const Layer* n) {
    if (!n) return std::nullopt;
    switch (n->kind) {
      case Kind::kExt:
        return n->own_proto;
      case Kind::kTcp:
        return kProtoTcp;
      case Kind::kUdp:
        return kProtoUdp;
      case Kind::kIcmp:
        return kProtoIcmp;
      case Kind::kIcmpv6:
        return kProtoIcmpv6;
      case Kind::kIgmp:
        return kProtoIgmp;
      case Kind::kIpv4:
        return 4;  // IP-in-IP
      case Kind::kIpv6:
        return 41;
      default:
        return std::nullopt;
    }
  }

  void fill_types(Bytes& b, size_t i) const {
    const Layer& l = layers_[i];
    const Layer* n = next_layer(i);
    uint8_t* p = b.data() + l.off;
    switch (l.kind) {
      case Kind::kEth:
        put16(p + 12, l.next.value_or(ethertype_of(n).value_or(0x88B5)));  // local experimental
        break;
      case Kind::kVlan:
        put16(p + 2, l.next.value_or(ethertype_of(n).value_or(0x88B5)));
        break;
      case Kind::kIpv4:
        p[9] = static_cast<uint8_t>(l.next.value_or(proto_of(n).value_or(kProtoExperimental)));
        break;
      case Kind::kIpv6:
        p[6] = static_cast<uint8_t>(l.next.value_or(proto_of(n).value_or(kProtoNoNext)));
        break;
      case Kind::kExt:
        p[0] = proto_of(n).value_or(kProtoNoNext);
        break;
      default:
        break;
    }
  }

  // The innermost IP layer before layer i (for pseudo-headers), or nullptr.
  const Layer* ip_before(size_t i) const {
    for (size_t j = i; j-- > 0;)
      if (layers_[j].kind == Kind::kIpv4 || layers_[j].kind == Kind::kIpv6) return &layers_[j];
    return nullptr;
  }
  // End of the region that layer i's length covers: the end of the built layers.
  size_t end_of_layers() const { return bytes_.size(); }

  static uint32_t sum16(const uint8_t* p, size_t n, uint32_t acc = 0) {
    for (size_t k = 0; k + 1 < n; k += 2) acc += get16(p + k);
    if (n & 1) acc += uint32_t(p[n - 1]) << 8;
    return acc;
  }
  static uint16_t fold(uint32_t acc) {
    while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
    return static_cast<uint16_t>(~acc);
  }
  uint32_t pseudo_sum(const Bytes& b, const Layer* ip, uint8_t proto, size_t len) const {
    if (!ip) return 0;
    const uint8_t* p = b.data() + ip->off;
    uint32_t acc = ip->kind == Kind::kIpv4 ? sum16(p + 12, 8)
                                           : sum16(p + 8, 16) + sum16(final_dst6(b, *ip), 16);
    return acc + proto + static_cast<uint32_t>(len & 0xFFFF) + static_cast<uint32_t>(len >> 16);
  }
  // IPv6 pseudo-header destination: the last address of a routing header with segments
  // left (RFC 8200 section 8.1), else the header's destination.
  const uint8_t* final_dst6(const Bytes& b, const Layer& ip) const {
    const uint8_t* dst = b.data() + ip.off + 24;
    for (const Layer& l : layers_) {
      if (l.off <= ip.off) continue;
      if (l.kind != Kind::kExt) break;  // the chain ends at the first non-extension layer
      const uint8_t* e = b.data() + l.off;
      if (l.own_proto == kProtoRouting && e[3] > 0 && l.len >= 24) dst = e + l.len - 16;
    }
    return dst;
  }

  void fill_lengths(Bytes& b, size_t i) const {
    const Layer& l = layers_[i];
    uint8_t* p = b.data() + l.off;
    size_t rest = end_of_layers() - l.off;  // this header and everything after it
    switch (l.kind) {
      case Kind::kIpv4:
        put16(p + 2, l.length.value_or(static_cast<uint16_t>(rest)));
        put16(p + 10, 0);
        put16(p + 10, l.checksum.value_or(fold(sum16(p, l.len))));
        break;
      case Kind::kIpv6:
        put16(p + 4, l.length.value_or(static_cast<uint16_t>(rest - 40)));
        break;
      case Kind::kUdp:
        put16(p + 4, l.length.value_or(static_cast<uint16_t>(rest)));
        l4_checksum(b, i, kProtoUdp, rest, 6, true);
        break;
      case Kind::kTcp:
        l4_checksum(b, i, kProtoTcp, rest, 16, true);
        break;
      case Kind::kIcmpv6:
        l4_checksum(b, i, kProtoIcmpv6, rest, 2, true);
        break;
      case Kind::kIcmp:
        l4_checksum(b, i, kProtoIcmp, rest, 2, false);
        break;
      case Kind::kIgmp:
        l4_checksum(b, i, kProtoIgmp, rest, 2, false);
        break;
      default:
        break;
    }
  }
  void l4_checksum(Bytes& b, size_t i, uint8_t proto, size_t len, size_t field, bool pseudo) const {
    const Layer& l = layers_[i];
    uint8_t* p = b.data() + l.off;
    put16(p + field, 0);
    uint32_t acc = pseudo ? pseudo_sum(b, ip_before(i), proto, len) : 0;
    uint16_t c = fold(sum16(p, len, acc));
    if (proto == kProtoUdp && c == 0) c = 0xFFFF;
    put16(p + field, l.checksum.value_or(c));
  }

  Bytes bytes_;
  std::vector<Layer> layers_;
  std::optional<size_t> pad_to_, snap_, truncate_;
};

}  // namespace securenet::pkt
