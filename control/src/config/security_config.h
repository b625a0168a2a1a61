// The security configuration (API.md "Config"): detection thresholds, the protocol
// blacklist, home networks, whitelist and per-subnet overrides. A value type: the control
// thread owns the current one and swaps in a fully validated replacement (all or nothing).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/protocols.h"
#include "util/cidr.h"

namespace securenet::control {

// A per-subnet override: at least one of the thresholds is set; each is resolved on its
// own (a prefix that sets only the connection rate leaves the traffic thresholds to a less
// specific prefix or the global). traffic_threshold_pps is read as traffic_sent_pps.
struct SubnetThreshold {
  Cidr cidr;
  std::optional<double> traffic_threshold_pps;  // traffic_sent_pps (the name kept from before)
  std::optional<double> connection_rate_per_min;
  std::optional<double> traffic_received_pps;
  // Issue 13: the Mbit/s and victim rules' thresholds (0 Mbit/s: off in this subnet).
  std::optional<double> traffic_sent_mbps;
  std::optional<double> traffic_received_mbps;
  std::optional<double> reflection_pps;
  std::optional<double> syn_flood_per_s;
  std::optional<double> syn_flood_answered_ratio;
  std::optional<double> fan_in_sources;
};

// One field a subnet override can set: its JSON name, its member and its limits (as the
// global's: > lo, or >= lo when !lo_open, and <= hi). The one table parse, JSON and tests use.
struct SubnetField {
  const char* key;
  std::optional<double> SubnetThreshold::*member;
  double hi;
  bool lo_open;
};

// The victim rules' thresholds of one host, each from its most specific override.
struct VictimThresholds {
  double received_pps = 0, received_mbps = 0, reflection_pps = 0;
  double syn_flood_per_s = 0, syn_flood_answered_ratio = 0, fan_in_sources = 0;
};

struct SecurityConfig {
  double traffic_threshold_pps = 1000;  // traffic_sent_pps in the API (the old name is an alias)
  double connection_rate_per_min = 100;
  // Issue 13 (API.md "Detection rules"): 0 turns a Mbit/s threshold off.
  double traffic_sent_mbps = 0;
  double traffic_received_pps = 10000;
  double traffic_received_mbps = 0;
  bool traffic_received_external = false;  // traffic_received also for hosts outside home_networks
  double port_scan_ports = 100;  // distinct destination ports of one source's probes / 60 s
  double host_scan_hosts = 50;   // distinct destination hosts of one source's probes / 60 s
  double reflection_pps = 1000;  // UDP from reflector ports received by one host
  // Issue 13 item 2 (victims; API.md "Detection rules"): TCP SYNs received per second above
  // which a host is SYN-flooded while it answers fewer than syn_flood_answered_ratio of
  // them with a SYN+ACK; distinct sources (15-30 s) above which it is under a fan-in flood.
  double syn_flood_per_s = 1000;
  double syn_flood_answered_ratio = 0.1;
  double fan_in_sources = 10000;
  std::vector<BlacklistEntry> protocol_blacklist;  // default ICMP, IGMP
  // Default home networks: RFC 1918 private IPv4 ranges and the IPv6 ULA range that is
  // used in practice (fd00::/8, the locally assigned half of fc00::/7).
  std::vector<Cidr> home_networks;
  std::vector<Cidr> whitelist;
  std::vector<SubnetThreshold> subnet_thresholds;
  double escalation_factor = 10;
  double clear_ratio = 0.8;
  double clear_hold_s = 10;
  uint64_t sample_one_in = 1000;
  // Adaptive baselines of the whole link (detect/baseline.h; API.md "baseline_deviation").
  bool baseline_enabled = true;
  double baseline_low_sigma = 4;     // deviations above the expected value: LOW
  double baseline_medium_sigma = 6;  // MEDIUM (>= baseline_low_sigma)
  double baseline_warmup_s = 3600;   // samples (ticks) learned before a statistic is used
  int64_t updated_at_ms = 0;

  static SecurityConfig defaults();
  // Threshold of traffic for one host: the most specific subnet override that sets
  // traffic_threshold_pps, else the global.
  double host_threshold(const shm::IpKey& ip) const;
  // New connections/min for one host: the most specific subnet override that sets
  // connection_rate_per_min, else the global.
  double host_connection_rate(const shm::IpKey& ip) const;
  // Received packets/s for one host (most specific override of traffic_received_pps).
  double host_received_threshold(const shm::IpKey& ip) const;
  // Mbit/s sent for one host (most specific override of traffic_sent_mbps; 0 = off).
  double host_sent_mbps(const shm::IpKey& ip) const;
  // Every victim rule's threshold for one host (traffic_received, reflection, syn_flood,
  // fan_in), each the most specific override that sets it, else the global.
  VictimThresholds host_victim(const shm::IpKey& ip) const;
  // The broadcast address of a home network (its last address; IPv4 prefixes < /31 only).
  bool subnet_broadcast(const shm::IpKey& ip) const;
  // The lowest threshold any host can have (global or any override), for prefilters.
  double min_traffic_threshold() const;  // sent and received
  double min_connection_rate() const;
  // The lowest value of `field` (a SubnetThreshold member) over the global and every override.
  double lowest(double global, std::optional<double> SubnetThreshold::*field) const;
  // The lowest Mbit/s threshold that is on (> 0) over sent/received, global and overrides;
  // 0 when none is.
  double min_mbps_on() const;
  bool whitelisted(const shm::IpKey& ip) const { return any_match(whitelist, ip); }
  bool internal(const shm::IpKey& ip) const { return any_match(home_networks, ip); }
};

// Validation limits (documented in API.md).
inline constexpr double kMaxThreshold = 1e12;
inline constexpr size_t kMaxListEntries = 1024;
inline constexpr double kMaxClearHoldS = 86400;
inline constexpr uint64_t kMaxSampleOneIn = 1000000000;
// A scan sketch saturates near 600 (128 bits): a fan-out threshold above it could never fire.
inline constexpr double kMaxScanFanout = 500;
// The fan-in sketch saturates near 22,700 (16 x 256 ln 256): above 20,000 it could not fire.
inline constexpr double kMaxFanIn = 20000;
inline constexpr double kMaxBaselineSigma = 100;
inline constexpr double kMaxBaselineWarmupS = 604800;  // a week

// The fields of a subnet override (API.md "subnet_thresholds"), in config_to_json's order.
inline constexpr SubnetField kSubnetFields[] = {
    {"traffic_sent_pps", &SubnetThreshold::traffic_threshold_pps, kMaxThreshold, true},
    {"traffic_received_pps", &SubnetThreshold::traffic_received_pps, kMaxThreshold, true},
    {"connection_rate_per_min", &SubnetThreshold::connection_rate_per_min, kMaxThreshold, true},
    {"traffic_sent_mbps", &SubnetThreshold::traffic_sent_mbps, kMaxThreshold, false},
    {"traffic_received_mbps", &SubnetThreshold::traffic_received_mbps, kMaxThreshold, false},
    {"reflection_pps", &SubnetThreshold::reflection_pps, kMaxThreshold, true},
    {"syn_flood_per_s", &SubnetThreshold::syn_flood_per_s, kMaxThreshold, true},
    {"syn_flood_answered_ratio", &SubnetThreshold::syn_flood_answered_ratio, 1, true},
    {"fan_in_sources", &SubnetThreshold::fan_in_sources, kMaxFanIn, true},
};

struct ConfigError {
  std::string field;   // "protocol_blacklist"
  std::string detail;  // "protocol_blacklist[2]: unknown protocol 'FOO'"
};

// Applies a JSON object with any subset of the fields onto `base` and validates every
// field. Returns the new config, or the first error (nothing applied).
struct ConfigParseResult {
  bool ok = false;
  SecurityConfig config;
  ConfigError error;
};
ConfigParseResult apply_config_json(const SecurityConfig& base, std::string_view json);

std::string config_to_json(const SecurityConfig& c);

}  // namespace securenet::control
