#include "util/cidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace securenet::control {

namespace {
constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

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

bool is_v4_mapped(const shm::IpKey& key) { return std::memcmp(key.bytes, kMappedPrefix, 12) == 0; }

std::optional<shm::IpKey> parse_ip_text(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  char buf[64];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  shm::IpKey k{};
  in_addr a4;
  if (inet_pton(AF_INET, buf, &a4) == 1) {
    std::memcpy(k.bytes, kMappedPrefix, 12);
    std::memcpy(k.bytes + 12, &a4, 4);
    return k;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, buf, &a6) == 1) {
    std::memcpy(k.bytes, &a6, 16);
    return k;
  }
  return std::nullopt;
}

std::string ip_text(const shm::IpKey& key) {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4_mapped(key)) {
    inet_ntop(AF_INET, key.bytes + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, key.bytes, buf, sizeof buf);
  }
  return buf;
}

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
