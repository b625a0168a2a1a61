// Address text <-> 16-byte keys (IPv4 as ::ffff:a.b.c.d, shown as a dotted quad).
#include <arpa/inet.h>

#include <cstring>

#include "securenet/shm_reader.h"

namespace securenet {
namespace {

bool is_v4_mapped(const shm::IpKey& k) {
  static constexpr uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(k.bytes, kPrefix, sizeof(kPrefix)) == 0;
}

}  // namespace

std::string format_ip(const shm::IpKey& key) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (is_v4_mapped(key)) {
    inet_ntop(AF_INET, key.bytes + 12, buf, sizeof(buf));
  } else {
    inet_ntop(AF_INET6, key.bytes, buf, sizeof(buf));
  }
  return buf;
}

bool parse_ip(const std::string& text, shm::IpKey& out) {
  uint8_t v4[4];
  if (inet_pton(AF_INET, text.c_str(), v4) == 1) {
    std::memset(out.bytes, 0, 10);
    out.bytes[10] = 0xff;
    out.bytes[11] = 0xff;
    std::memcpy(out.bytes + 12, v4, 4);
    return true;
  }
  return inet_pton(AF_INET6, text.c_str(), out.bytes) == 1;
}

}  // namespace securenet
