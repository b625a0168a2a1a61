// What a block is about (API.md "Blocks"): one host, or, for a manual block in mode blackhole
// or xdp, a prefix. The key is the block's name in GET /api/blocks ("ip") and in
// DELETE /api/blocks/{ip}: "203.0.113.7" for a host, "203.0.113.0/24" for a prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "block/block_config.h"
#include "util/cidr.h"

namespace securenet::control {

struct BlockTarget {
  std::string key;
  Cidr cidr;         // over the 16-byte key space (a host: /128)
  bool host = true;  // a single address (an "ip", or a /32 or /128 "prefix")
  bool v6 = false;
  std::string net;   // the (network) address text
  unsigned len = 0;  // the prefix length in its family (32 or 128 for a host)
};

inline constexpr size_t kMaxPrefixText = 49;  // "ffff:...:ffff/128" is 43

// An address ("ip"); nullopt when it is not one.
std::optional<BlockTarget> host_target(std::string_view ip);
// A manual "prefix": refused (nullopt, `why` the 400 detail) when it is not a prefix, has
// host bits set (never normalised: 203.0.113.7/24 is most likely a typo, the detail names
// the network), is an IPv6 prefix over the IPv4-mapped space (write IPv4 as a.b.c.d/n), or
// is shorter than the config's min_prefix_v4 / min_prefix_v6. A /32 or /128 is the host.
std::optional<BlockTarget> prefix_target(std::string_view text, const BlockConfig& c,
                                         std::string& why);
// The key of DELETE /api/blocks/{ip}[/{len}] (host bits ignored), or nullopt.
std::optional<std::string> target_key(std::string_view text);

// Whether a and b share an address (one contains the other's network).
bool overlaps(const Cidr& a, const Cidr& b);
bool overlaps_any(const std::vector<Cidr>& list, const Cidr& c);

}  // namespace securenet::control
