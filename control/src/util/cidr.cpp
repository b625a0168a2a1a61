#include "util/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace securenet::control {

namespace {

void clear_host_bits(shm::IpKey& k, unsigned bits) {
  for (unsigned i = 0; i < 16; ++i) {
    unsigned lo = i * 8;
    if (bits >= lo + 8) continue;
    if (bits <= lo) {
      k.bytes[i] = 0;
    } else {
      k.bytes[i] &= static_cast<uint8_t>(0xFF << (8 - (bits - lo)));
    }
  }
}
}  // namespace

bool Cidr::contains(const shm::IpKey& ip) const {
  unsigned full = bits / 8;
  if (std::memcmp(ip.bytes, net.bytes, full) != 0) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (ip.bytes[full] & mask) == net.bytes[full];
}

std::string Cidr::text() const {
  unsigned shown = v4 ? bits - 96 : bits;
  return ip_text(net) + "/" + std::to_string(shown);
}

std::optional<Cidr> parse_cidr(std::string_view text, std::string* why) {
  auto fail = [&](const char* msg) -> std::optional<Cidr> {
    if (why) *why = msg;
    return std::nullopt;
  };
  auto slash = text.find('/');
  auto addr = parse_ip_text(text.substr(0, slash));
  if (!addr) return fail("not an IPv4 or IPv6 address");
  Cidr c;
  c.net = *addr;
  c.v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  unsigned max_len = c.v4 ? 32 : 128;
  unsigned len = max_len;
  if (slash != std::string_view::npos) {
    auto p = text.substr(slash + 1);
    auto r = std::from_chars(p.data(), p.data() + p.size(), len);
    if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size()) {
      return fail("prefix length is not a number");
    }
    if (len > max_len) return fail(c.v4 ? "prefix length above 32" : "prefix length above 128");
  }
  c.bits = c.v4 ? len + 96 : len;
  // ::ffff:10.0.0.0/120 is 10.0.0.0/24: one spelling, so text() parses back to the same
  // (below /96 the mask clears the ffff, so no shorter prefix stays mapped)
  if (!c.v4 && c.bits >= 96 && is_v4_mapped(c.net)) c.v4 = true;
  clear_host_bits(c.net, c.bits);
  return c;
}

int longest_match(const std::vector<Cidr>& list, const shm::IpKey& ip) {
  int best = -1;
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].contains(ip) && (best < 0 || list[i].bits > list[static_cast<size_t>(best)].bits)) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

bool any_match(const std::vector<Cidr>& list, const shm::IpKey& ip) {
  for (const auto& c : list)
    if (c.contains(ip)) return true;
  return false;
}

}  // namespace securenet::control
