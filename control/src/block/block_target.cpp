#include "block/block_target.h"

#include <cstring>

#include "securenet/ip_text.h"

namespace securenet::control {

namespace {

BlockTarget make(const Cidr& c) {
  BlockTarget t;
  t.cidr = c;
  t.host = c.bits == 128;
  t.v6 = !is_v4_mapped(c.net);
  t.net = ip_text(c.net);
  t.len = t.v6 ? c.bits : c.bits - 96;
  t.key = t.host ? t.net : t.net + "/" + std::to_string(t.len);
  return t;
}

const Cidr& mapped_space() {  // ::ffff:0:0/96, where the IPv4 keys live
  static const Cidr c = *parse_cidr("::ffff:0:0/96");
  return c;
}

}  // namespace

bool overlaps(const Cidr& a, const Cidr& b) { return a.contains(b.net) || b.contains(a.net); }

bool overlaps_any(const std::vector<Cidr>& list, const Cidr& c) {
  for (const Cidr& x : list)
    if (overlaps(x, c)) return true;
  return false;
}

std::optional<BlockTarget> host_target(std::string_view ip) {
  auto key = parse_ip_text(ip);
  if (!key) return std::nullopt;
  Cidr c;
  c.net = *key;
  c.bits = 128;
  c.v4 = is_v4_mapped(*key);
  return make(c);
}

std::optional<BlockTarget> prefix_target(std::string_view text, const BlockConfig& cfg,
                                         std::string& why) {
  std::string err;
  auto c = text.size() <= kMaxPrefixText ? parse_cidr(text, &err) : std::nullopt;
  if (!c) {
    why = "prefix: not a prefix (a.b.c.d/n or x:y::/n)" + (err.empty() ? "" : ": " + err);
    return std::nullopt;
  }
  const std::string_view addr = text.substr(0, text.find('/'));
  auto given = parse_ip_text(addr);
  if (!given || std::memcmp(given->bytes, c->net.bytes, sizeof given->bytes) != 0) {
    why =
        "prefix: host bits are set in " + std::string(text) + " (its network is " + c->text() + ")";
    return std::nullopt;
  }
  BlockTarget t = make(*c);
  if (t.host) return t;
  if (!c->v4 && overlaps(*c, mapped_space())) {
    why =
        "prefix: an IPv6 prefix over the IPv4-mapped space ::ffff:0:0/96; write IPv4 "
        "prefixes as a.b.c.d/n";
    return std::nullopt;
  }
  const unsigned min = c->v4 ? cfg.min_prefix_v4 : cfg.min_prefix_v6;
  if (t.len < min) {
    why = "prefix: /" + std::to_string(t.len) + " is shorter than /" + std::to_string(min) +
          ", the shortest allowed (" + (c->v4 ? "min_prefix_v4" : "min_prefix_v6") +
          " in the block config)";
    return std::nullopt;
  }
  return t;
}

std::optional<std::string> target_key(std::string_view text) {
  if (text.size() > kMaxPrefixText) return std::nullopt;
  auto c = parse_cidr(text);
  if (!c) return std::nullopt;
  return make(*c).key;
}

}  // namespace securenet::control
