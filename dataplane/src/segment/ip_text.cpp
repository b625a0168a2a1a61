#include "securenet/ip_text.h"

#include <arpa/inet.h>

#include <cstring>

namespace securenet {
namespace {
constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
}  // namespace

bool is_v4_mapped(const shm::IpKey& key) { return std::memcmp(key.bytes, kMappedPrefix, 12) == 0; }

std::string ip_text(const shm::IpKey& key) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(key)) {
    inet_ntop(AF_INET, key.bytes + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, key.bytes, buf, sizeof buf);
  }
  return buf;
}

std::optional<shm::IpKey> parse_ip_text(std::string_view text) {
  // inet_pton reads a C string: an embedded NUL would end the address early and accept
  // "10.0.0.1\0anything" as 10.0.0.1.
  if (text.empty() || text.size() > 45 || text.find('\0') != std::string_view::npos)
    return std::nullopt;
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

}  // namespace securenet
