#include "detect/victim_profile.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "securenet/ip_text.h"

namespace securenet::control {

namespace {

// UDP source ports of reflection/amplification (as the dataplane's reflection_recv).
const char* reflector_name(int port) {
  switch (port) {
    case 53:
      return "DNS";
    case 123:
      return "NTP";
    case 161:
      return "SNMP";
    case 389:
      return "CLDAP";
    case 1900:
      return "SSDP";
    case 11211:
      return "memcached";
    case 19:
      return "chargen";
    case 17:
      return "QOTD";
    case 137:
      return "NetBIOS";
    case 3702:
      return "WS-Discovery";
    case 5353:
      return "mDNS";
    default:
      return nullptr;
  }
}

std::string key_bytes(const shm::IpKey& k) {
  return std::string(reinterpret_cast<const char*>(k.bytes), sizeof k.bytes);
}

bool more_packets(uint64_t a, uint64_t b) { return a > b; }

// Per victim: packets by source and by breakdown key.
struct Tally {
  uint64_t samples = 0;
  std::unordered_map<std::string, uint64_t> sources;  // by key bytes
  std::map<std::tuple<std::string, int32_t, int32_t>, uint64_t> keys;
};

VictimProfile finish(const Tally& t) {
  VictimProfile p;
  p.samples = t.samples;
  for (const auto& [k, n] : t.sources) {
    shm::IpKey ip{};
    std::memcpy(ip.bytes, k.data(), sizeof ip.bytes);
    p.top_sources.push_back({ip_text(ip), n});
  }
  std::sort(p.top_sources.begin(), p.top_sources.end(), [](const auto& a, const auto& b) {
    return more_packets(a.packets, b.packets) || (a.packets == b.packets && a.ip < b.ip);
  });
  if (p.top_sources.size() > kProfileTop) p.top_sources.resize(kProfileTop);
  for (const auto& [k, n] : t.keys) {
    p.breakdown.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), n});
  }
  std::stable_sort(p.breakdown.begin(), p.breakdown.end(),
                   [](const auto& a, const auto& b) { return more_packets(a.packets, b.packets); });
  p.attack_type = attack_type(p.breakdown, p.samples);
  if (p.breakdown.size() > kProfileTop) p.breakdown.resize(kProfileTop);
  return p;
}

std::string summary(const Alert& a) {
  std::string s = "; attack type: " + a.attack_type + " (" + std::to_string(a.profile_samples) +
                  " sampled packets";
  if (!a.top_sources.empty()) s += ", top source " + a.top_sources.front().ip;
  if (!a.breakdown.empty()) {
    const AlertBreakdown& b = a.breakdown.front();
    s += ", mostly " + b.protocol;
    if (b.src_port >= 0) s += " from port " + std::to_string(b.src_port);
    if (b.dst_port >= 0) s += " to port " + std::to_string(b.dst_port);
  }
  return s + ")";
}

}  // namespace

AlertBreakdown breakdown_key(const ProfileSample& s) {
  AlertBreakdown b;
  const bool tcp = s.ip_proto == 6, udp = s.ip_proto == 17;
  if (tcp) {
    b.protocol = (s.tcp_flags & 0x12) == 0x02 ? "tcp_syn" : "tcp";
  } else if (udp) {
    b.protocol = "udp";
  } else if (s.ip_proto == 1) {
    b.protocol = "icmp";
  } else if (s.ip_proto == 58) {
    b.protocol = "icmpv6";
  } else {
    b.protocol = "ip-" + std::to_string(s.ip_proto);
  }
  if (tcp || udp) {
    const bool from_service =
        (udp && reflector_name(s.sport)) || (s.sport < s.dport && s.sport < 1024);
    (from_service ? b.src_port : b.dst_port) = from_service ? s.sport : s.dport;
  }
  return b;
}

std::string attack_type(const std::vector<AlertBreakdown>& breakdown, uint64_t samples) {
  if (samples == 0) return "";
  std::map<std::string, uint64_t> by_proto;
  std::map<int32_t, uint64_t> reflected;  // UDP by reflector source port
  uint64_t reflected_all = 0;
  for (const auto& b : breakdown) {
    by_proto[b.protocol] += b.packets;
    if (b.protocol == "udp" && b.src_port >= 0 && reflector_name(b.src_port)) {
      reflected[b.src_port] += b.packets;
      reflected_all += b.packets;
    }
  }
  auto half = [&](uint64_t n) { return 2 * n >= samples; };
  if (half(by_proto["tcp_syn"])) return "SYN flood";
  if (half(reflected_all)) {
    for (const auto& [port, n] : reflected) {
      if (half(n)) return std::string(reflector_name(port)) + " reflection/amplification";
    }
    return "UDP reflection/amplification";
  }
  if (half(by_proto["udp"])) return "UDP flood";
  if (half(by_proto["icmp"] + by_proto["icmpv6"])) return "ICMP flood";
  if (half(by_proto["tcp"] + by_proto["tcp_syn"])) return "TCP flood";
  return "mixed flood";
}

void VictimProfiler::add(const ProfileSample& s) {
  samples_.push_back(s);
  while (samples_.size() > kProfileMaxSamples) samples_.pop_front();
}

void VictimProfiler::add_records(const std::vector<shm::SampleRecord>& records, int64_t now_ms) {
  for (const auto& r : records) {
    ProfileSample s;
    s.ms = now_ms;
    s.src = r.src;
    s.dst = r.dst;
    s.sport = r.sport;
    s.dport = r.dport;
    s.ip_proto = r.ip_proto;
    s.tcp_flags = r.tcp_flags;
    add(s);
  }
  expire(now_ms);
}

void VictimProfiler::expire(int64_t now_ms) {
  while (!samples_.empty() && samples_.front().ms + kProfileWindowMs < now_ms) samples_.pop_front();
}

VictimProfile VictimProfiler::profile(const shm::IpKey& victim) const {
  Tally t;
  for (const auto& s : samples_) {
    if (std::memcmp(s.dst.bytes, victim.bytes, sizeof victim.bytes) != 0) continue;
    ++t.samples;
    ++t.sources[key_bytes(s.src)];
    const AlertBreakdown b = breakdown_key(s);
    ++t.keys[{b.protocol, b.src_port, b.dst_port}];
  }
  return finish(t);
}

void VictimProfiler::annotate(std::vector<Alert>& changed, AlertStore& store) const {
  // One pass over the samples for every victim of this tick.
  std::unordered_map<std::string, Tally> tallies;
  for (const auto& a : changed) {
    const char* role = alert_role(a.kind);
    if (!a.open || !role || std::string_view(role) != "victim") continue;
    if (auto ip = parse_ip_text(a.host)) tallies.emplace(key_bytes(*ip), Tally{});
  }
  if (tallies.empty()) return;
  for (const auto& s : samples_) {
    auto it = tallies.find(key_bytes(s.dst));
    if (it == tallies.end()) continue;
    Tally& t = it->second;
    ++t.samples;
    ++t.sources[key_bytes(s.src)];
    const AlertBreakdown b = breakdown_key(s);
    ++t.keys[{b.protocol, b.src_port, b.dst_port}];
  }
  for (auto& a : changed) {
    const char* role = alert_role(a.kind);
    if (!a.open || !role || std::string_view(role) != "victim") continue;
    auto ip = parse_ip_text(a.host);
    if (!ip) continue;
    const Tally& t = tallies[key_bytes(*ip)];
    const Alert* u = store.update(a.id, [&](Alert& x) {
      if (t.samples > 0) {  // else the last profile stays (no sample this window)
        VictimProfile p = finish(t);
        x.top_sources = std::move(p.top_sources);
        x.breakdown = std::move(p.breakdown);
        x.attack_type = std::move(p.attack_type);
        x.profile_samples = p.samples;
      }
      if (!x.attack_type.empty()) x.description += summary(x);
    });
    if (u) a = *u;
  }
}

}  // namespace securenet::control
