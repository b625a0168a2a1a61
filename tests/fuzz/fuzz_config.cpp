// The config parser (POST /api/config and config.json) with arbitrary JSON: no crash, a
// document with a duplicate key is refused, a refusal says why, and an accepted config
// re-serialized by config_to_json parses back to the same config (every field equal, and
// the same JSON again).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/security_config.h"
#include "util/json_keys.h"

using namespace securenet::control;

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

bool same(const Cidr& a, const Cidr& b) { return a.text() == b.text(); }

bool same(const SecurityConfig& a, const SecurityConfig& b) {
  if (a.traffic_threshold_pps != b.traffic_threshold_pps ||
      a.connection_rate_per_min != b.connection_rate_per_min ||
      a.escalation_factor != b.escalation_factor || a.clear_ratio != b.clear_ratio ||
      a.clear_hold_s != b.clear_hold_s || a.sample_one_in != b.sample_one_in ||
      a.updated_at_ms != b.updated_at_ms || a.traffic_sent_mbps != b.traffic_sent_mbps ||
      a.traffic_received_pps != b.traffic_received_pps ||
      a.traffic_received_mbps != b.traffic_received_mbps ||
      a.traffic_received_external != b.traffic_received_external ||
      a.port_scan_ports != b.port_scan_ports || a.host_scan_hosts != b.host_scan_hosts ||
      a.reflection_pps != b.reflection_pps || a.baseline_enabled != b.baseline_enabled ||
      a.syn_flood_per_s != b.syn_flood_per_s ||
      a.syn_flood_answered_ratio != b.syn_flood_answered_ratio ||
      a.fan_in_sources != b.fan_in_sources || a.baseline_low_sigma != b.baseline_low_sigma ||
      a.baseline_medium_sigma != b.baseline_medium_sigma ||
      a.baseline_warmup_s != b.baseline_warmup_s ||
      a.protocol_blacklist.size() != b.protocol_blacklist.size() ||
      a.home_networks.size() != b.home_networks.size() ||
      a.whitelist.size() != b.whitelist.size() ||
      a.subnet_thresholds.size() != b.subnet_thresholds.size()) {
    return false;
  }
  for (size_t i = 0; i < a.protocol_blacklist.size(); ++i) {
    if (a.protocol_blacklist[i].label != b.protocol_blacklist[i].label) return false;
  }
  for (size_t i = 0; i < a.home_networks.size(); ++i) {
    if (!same(a.home_networks[i], b.home_networks[i])) return false;
  }
  for (size_t i = 0; i < a.whitelist.size(); ++i) {
    if (!same(a.whitelist[i], b.whitelist[i])) return false;
  }
  for (size_t i = 0; i < a.subnet_thresholds.size(); ++i) {
    const auto &x = a.subnet_thresholds[i], &y = b.subnet_thresholds[i];
    if (!same(x.cidr, y.cidr)) return false;
    for (const auto& f : kSubnetFields) {  // every override field, the table that parses them
      if (x.*f.member != y.*f.member) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SecurityConfig kBase = SecurityConfig::defaults();
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = apply_config_json(kBase, in);
  if (!r.ok) {
    check(!r.error.detail.empty());
    return 0;
  }
  check(!duplicate_json_key(in));  // last-value-wins never happens
  const std::string json = config_to_json(r.config);
  auto back = apply_config_json(kBase, json);
  check(back.ok && same(back.config, r.config) && config_to_json(back.config) == json);
  return 0;
}
