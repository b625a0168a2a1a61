// CIDR prefixes over the segment's 16-byte address keys (IPv4 as ::ffff:a.b.c.d), so one
// matcher serves IPv4 and IPv6. "10.0.0.0/8" is stored as the mapped prefix /104.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "securenet/ip_text.h"
#include "securenet/shm_layout.h"

namespace securenet::control {

struct Cidr {
  shm::IpKey net{};   // host bits zeroed
  unsigned bits = 0;  // prefix length over the 128-bit key
  bool v4 = false;    // written as an IPv4 prefix
  bool contains(const shm::IpKey& ip) const;
  std::string text() const;  // canonical form: "10.0.0.0/8", "fd00::/8"
};

// Parses "a.b.c.d/n" (n 0..32), "x::y/n" (n 0..128), or a bare address (a /32 or /128).
// Host bits are cleared. On error returns nullopt and sets *why (for the 400 detail).
std::optional<Cidr> parse_cidr(std::string_view text, std::string* why = nullptr);

// Address text (ip_text, parse_ip_text, is_v4_mapped): securenet/ip_text.h.

// The most specific prefix that contains ip, or -1.
int longest_match(const std::vector<Cidr>& list, const shm::IpKey& ip);
bool any_match(const std::vector<Cidr>& list, const shm::IpKey& ip);

}  // namespace securenet::control
