// Blocking through BGP (README "Responding to attacks", API.md "Blocks"): the `--block-config`
// file. Opt-in (enabled=false by default). The sensor drives a gobgpd (its BGP speaker, which
// peers with the operator's router) with the `gobgp` CLI: a /32 or /128 with the BLACKHOLE
// community (RFC 7999, 65535:666) or a FlowSpec rule (RFC 8955). Deployment settings only:
// the file is read at start, never changed through the API (it names a program to run).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.h"
#include "securenet/result.h"
#include "util/cidr.h"

namespace securenet::control {

// kXdp (issue 16 item 4b): the source goes on the inline dataplane's XDP drop list (no BGP).
enum class BlockMode : uint8_t { kBlackhole, kFlowspec, kXdp };
const char* to_string(BlockMode m);
bool parse_block_mode(std::string_view s, BlockMode& out);

struct BlockConfig {
  bool enabled = false;
  BlockMode mode = BlockMode::kBlackhole;
  Severity min_severity = Severity::kHigh;
  std::vector<AlertKind> kinds{AlertKind::kTrafficReceived, AlertKind::kReflection};
  int64_t ban_time_s = 3600;             // 0: until the alert resolves
  std::vector<uint32_t> communities;     // extra "a:b" (65535:666 is always sent)
  std::vector<Cidr> protected_prefixes;  // never announced (nor the config's whitelist)
  unsigned max_announcements_per_hour = 20;
  std::string gobgp = "/usr/bin/gobgp";  // absolute path of the gobgp CLI
  std::string grpc_host = "127.0.0.1";   // the speaker's gRPC API (an IP literal)
  uint16_t grpc_port = 50051;
  std::string next_hop_v4, next_hop_v6;  // empty: gobgp's default (its own address)
  double flowspec_rate_bytes = 0;        // FlowSpec action: 0 = discard, else rate-limit
  unsigned command_timeout_ms = 5000;
  // Manual prefix blocks (POST /api/blocks "prefix"): the shortest prefix length accepted.
  unsigned min_prefix_v4 = 24, min_prefix_v6 = 48;
  // Mode xdp, victim alerts: how many of the alert's top sources go on the drop list (0:
  // none, the alert is refused as before).
  unsigned xdp_sources_per_alert = 5;

  bool wants(const Alert& a) const;  // kind listed, severity >= min_severity, has a host
};

// Limits (API.md "Blocks").
inline constexpr size_t kMaxBlockCommunities = 32;
inline constexpr size_t kMaxProtectedPrefixes = 1024;
inline constexpr int64_t kMaxBanTimeS = 7 * 86400;
inline constexpr unsigned kMaxAnnouncementsPerHour = 10000;
inline constexpr size_t kMaxBlockConfigBytes = 256 * 1024;
inline constexpr unsigned kMinPrefixFloorV4 = 8, kMinPrefixFloorV6 = 16;  // min_prefix_* floors
inline constexpr unsigned kMaxXdpSourcesPerAlert = 10;                    // an alert carries 10

// Parses the file's JSON text (an object; unknown or repeated fields are errors).
Result<BlockConfig> parse_block_config(std::string_view json);
// Reads and parses a file (at most kMaxBlockConfigBytes); checks that `gobgp` is executable.
Result<BlockConfig> load_block_config(const std::string& path);
// "65000:100" -> 65000 << 16 | 100; false on anything else.
bool parse_community(std::string_view s, uint32_t& out);
std::string community_text(uint32_t c);

}  // namespace securenet::control
