// Address text <-> the segment's 16-byte keys (IPv4 as ::ffff:a.b.c.d), the one
// implementation both processes use ("10.0.0.1", "2001:db8::1"). In securenet_shm.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "securenet/shm_layout.h"

namespace securenet {

bool is_v4_mapped(const shm::IpKey& key);
// A v4-mapped key is shown as a dotted quad, any other as IPv6 text.
std::string ip_text(const shm::IpKey& key);
// Dotted quad (stored v4-mapped) or IPv6 text; nullopt for anything else (at most 45 chars).
std::optional<shm::IpKey> parse_ip_text(std::string_view text);

}  // namespace securenet
