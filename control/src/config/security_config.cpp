#include "config/security_config.h"

#include <algorithm>

#include "securenet/common/json_writer.h"

namespace securenet::control {

SecurityConfig SecurityConfig::defaults() {
  SecurityConfig c;
  std::string why;
  for (const char* p : {"ICMP", "IGMP"})
    c.protocol_blacklist.push_back(*parse_blacklist_entry(p, &why));
  for (const char* n : {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"}) {
    c.home_networks.push_back(*parse_cidr(n));
  }
  return c;
}

namespace {
// The most specific prefix containing `ip` whose `field` is set, else `global`.
double most_specific(const std::vector<SubnetThreshold>& subnets, const shm::IpKey& ip,
                     double global, std::optional<double> SubnetThreshold::*field) {
  double best = global;
  int best_bits = -1;
  for (const auto& s : subnets) {
    const auto& v = s.*field;
    if (v && s.cidr.contains(ip) && static_cast<int>(s.cidr.bits) > best_bits) {
      best = *v;
      best_bits = static_cast<int>(s.cidr.bits);
    }
  }
  return best;
}

}  // namespace

double SecurityConfig::lowest(double global, std::optional<double> SubnetThreshold::*field) const {
  double m = global;
  for (const auto& s : subnet_thresholds) {
    if (const auto& v = s.*field; v && *v < m) m = *v;
  }
  return m;
}

double SecurityConfig::min_mbps_on() const {
  double m = 0;
  auto take = [&m](double v) {
    if (v > 0) m = m > 0 ? std::min(m, v) : v;
  };
  take(traffic_sent_mbps);
  take(traffic_received_mbps);
  for (const auto& s : subnet_thresholds) {
    if (s.traffic_sent_mbps) take(*s.traffic_sent_mbps);
    if (s.traffic_received_mbps) take(*s.traffic_received_mbps);
  }
  return m;
}

double SecurityConfig::host_threshold(const shm::IpKey& ip) const {
  return most_specific(subnet_thresholds, ip, traffic_threshold_pps,
                       &SubnetThreshold::traffic_threshold_pps);
}

double SecurityConfig::host_connection_rate(const shm::IpKey& ip) const {
  return most_specific(subnet_thresholds, ip, connection_rate_per_min,
                       &SubnetThreshold::connection_rate_per_min);
}

double SecurityConfig::host_received_threshold(const shm::IpKey& ip) const {
  return most_specific(subnet_thresholds, ip, traffic_received_pps,
                       &SubnetThreshold::traffic_received_pps);
}

double SecurityConfig::host_sent_mbps(const shm::IpKey& ip) const {
  return most_specific(subnet_thresholds, ip, traffic_sent_mbps,
                       &SubnetThreshold::traffic_sent_mbps);
}

VictimThresholds SecurityConfig::host_victim(const shm::IpKey& ip) const {
  auto at = [&](double global, std::optional<double> SubnetThreshold::*field) {
    return most_specific(subnet_thresholds, ip, global, field);
  };
  VictimThresholds t;
  t.received_pps = at(traffic_received_pps, &SubnetThreshold::traffic_received_pps);
  t.received_mbps = at(traffic_received_mbps, &SubnetThreshold::traffic_received_mbps);
  t.reflection_pps = at(reflection_pps, &SubnetThreshold::reflection_pps);
  t.syn_flood_per_s = at(syn_flood_per_s, &SubnetThreshold::syn_flood_per_s);
  t.syn_flood_answered_ratio =
      at(syn_flood_answered_ratio, &SubnetThreshold::syn_flood_answered_ratio);
  t.fan_in_sources = at(fan_in_sources, &SubnetThreshold::fan_in_sources);
  return t;
}

double SecurityConfig::min_traffic_threshold() const {
  return std::min(lowest(traffic_threshold_pps, &SubnetThreshold::traffic_threshold_pps),
                  lowest(traffic_received_pps, &SubnetThreshold::traffic_received_pps));
}

bool SecurityConfig::subnet_broadcast(const shm::IpKey& ip) const {
  for (const auto& n : home_networks) {
    if (!n.v4 || n.bits >= 127 || !n.contains(ip)) continue;  // IPv4 (mapped) prefixes below /31
    const unsigned host_bits = 128 - n.bits;
    uint32_t v4 = (uint32_t{ip.bytes[12]} << 24) | (uint32_t{ip.bytes[13]} << 16) |
                  (uint32_t{ip.bytes[14]} << 8) | ip.bytes[15];
    const uint32_t mask = host_bits >= 32 ? ~0u : ((1u << host_bits) - 1);
    if ((v4 & mask) == mask) return true;
  }
  return false;
}

double SecurityConfig::min_connection_rate() const {
  return lowest(connection_rate_per_min, &SubnetThreshold::connection_rate_per_min);
}

std::string config_to_json(const SecurityConfig& c) {
  JsonWriter w;
  w.begin_object();
  w.field("traffic_sent_pps", c.traffic_threshold_pps);
  w.field("traffic_sent_mbps", c.traffic_sent_mbps);
  w.field("traffic_received_pps", c.traffic_received_pps);
  w.field("traffic_received_mbps", c.traffic_received_mbps);
  w.field("traffic_received_external", c.traffic_received_external);
  w.field("connection_rate_per_min", c.connection_rate_per_min);
  w.field("port_scan_ports", c.port_scan_ports);
  w.field("host_scan_hosts", c.host_scan_hosts);
  w.field("reflection_pps", c.reflection_pps);
  w.field("syn_flood_per_s", c.syn_flood_per_s);
  w.field("syn_flood_answered_ratio", c.syn_flood_answered_ratio);
  w.field("fan_in_sources", c.fan_in_sources);
  w.field("baseline_enabled", c.baseline_enabled);
  w.field("baseline_low_sigma", c.baseline_low_sigma);
  w.field("baseline_medium_sigma", c.baseline_medium_sigma);
  w.field("baseline_warmup_s", c.baseline_warmup_s);
  w.key("protocol_blacklist").begin_array();
  for (const auto& e : c.protocol_blacklist) w.value(e.label);
  w.end_array();
  w.key("home_networks").begin_array();
  for (const auto& n : c.home_networks) w.value(n.text());
  w.end_array();
  w.key("whitelist").begin_array();
  for (const auto& n : c.whitelist) w.value(n.text());
  w.end_array();
  w.key("subnet_thresholds").begin_array();
  for (const auto& s : c.subnet_thresholds) {
    w.begin_object().field("cidr", s.cidr.text());
    for (const auto& f : kSubnetFields) {
      if (const auto& v = s.*f.member) w.field(f.key, *v);
    }
    w.end_object();
  }
  w.end_array();
  w.field("escalation_factor", c.escalation_factor);
  w.field("clear_ratio", c.clear_ratio);
  w.field("clear_hold_s", c.clear_hold_s);
  w.field("sample_one_in", c.sample_one_in);
  w.field("updated_at_ms", c.updated_at_ms);
  w.end_object();
  return w.take();
}

}  // namespace securenet::control
