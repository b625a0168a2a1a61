// Issue 17: alerts from the dataplane's crossings, between ticks (Detector::crossing).
#include <algorithm>
#include <cstdio>

#include "detect/detector.h"

namespace securenet::control {
namespace {

// The blacklist entries that name IP protocol `proto` (a protocol entry first, else the
// port entries of TCP/UDP), "unknown" when none does (the config changed meanwhile).
std::string name_protocol(uint8_t proto, const std::vector<BlacklistEntry>& entries) {
  std::string names;
  auto add = [&](const BlacklistEntry& e) { names += (names.empty() ? "" : ",") + e.label; };
  for (const auto& e : entries) {
    if (e.kind == BlacklistEntry::Kind::kIpProto &&
        std::find(e.numbers.begin(), e.numbers.end(), proto) != e.numbers.end())
      add(e);
  }
  if (!names.empty()) return names;
  for (const auto& e : entries) {
    if ((proto == 6 && !e.tcp_ports.empty()) || (proto == 17 && !e.udp_ports.empty())) add(e);
  }
  return names.empty() ? "unknown" : names;
}

}  // namespace

// The observation of a crossing under the host's own rule; false when it does not hold.
bool Detector::crossing_obs(const Crossing& c, const SecurityConfig& cfg, Obs& o) const {
  if (shm::is_group_address(c.key) || cfg.subnet_broadcast(c.key)) return false;
  o.host = ip_text(c.key);
  if (c.rule == shm::CrossingRule::kBlacklist) {
    o.kind = AlertKind::kProtocolBlacklist;
    o.protocol = name_protocol(c.ip_proto, cfg.protocol_blacklist);
    o.severity = Severity::kHigh;
    o.active = true;
    o.description = o.host + ": sending packets of blacklisted protocol " + o.protocol;
    return true;
  }
  if (c.rule == shm::CrossingRule::kSyn) {  // value: the host's SYNs in the last minute
    if (cfg.whitelisted(c.key)) return false;
    const double thr = cfg.host_connection_rate(c.key);
    o.kind = AlertKind::kConnectionRate;
    o.value = static_cast<double>(c.value);
    o.threshold = thr;
    o.clear_level = cfg.clear_ratio * thr;
    o.escalate = o.value > cfg.escalation_factor * thr;
    o.description = o.host + ": " + whole_number(o.value) + " new connections/min, threshold " +
                    whole_number(thr);
    return o.value > thr;
  }
  if (c.rule != shm::CrossingRule::kTraffic || cfg.whitelisted(c.key)) return false;
  const double thr = cfg.host_threshold(c.key);
  o.kind = AlertKind::kTrafficThreshold;
  o.value = static_cast<double>(c.value);
  o.threshold = thr;
  o.clear_level = cfg.clear_ratio * thr;
  o.escalate = o.value > cfg.escalation_factor * thr;
  o.description = o.host + ": sending " + whole_number(o.value) +
                  " packets in one second, threshold " + whole_number(thr);
  return o.value > thr;
}

std::vector<Alert> Detector::crossing(const Crossing& c, const SecurityConfig& cfg,
                                      int64_t now_ms) {
  std::vector<Alert> changed;
  Obs o{AlertKind::kTrafficThreshold, "", "", "", ""};
  if (!crossing_obs(c, cfg, o)) return changed;
  const std::string key = alert_key(o.kind, o.host, o.condition);
  Track& t = tracks_[key];
  if (t.suppressed) return changed;  // resolved by hand: waits for the condition to clear
  t.seen_tick = tick_;               // held (not cleared) at least until the next tick
  t.below_since_ms = -1;
  t.adopted = false;
  if (const Alert* open = store_.open_for(key)) {
    if (o.kind == AlertKind::kProtocolBlacklist || o.value <= open->value) return changed;
    const Alert* a = store_.update(open->id, [&](Alert& x) {
      Severity s = o.escalate ? escalate(o.severity) : o.severity;
      if (s > x.severity) x.severity = s;
      x.value = o.value;
      x.peak = std::max(x.peak, o.value);
      x.description = o.description;
      // Past first_seen: an update is not a new alert (App::notify_alerts counts those).
      x.last_seen_ms = std::max({x.last_seen_ms, now_ms, x.first_seen_ms + 1});
    });
    if (a) changed.push_back(*a);
    return changed;
  }
  Alert a;
  a.id = new_uuid();
  a.kind = o.kind;
  a.severity = o.escalate ? escalate(o.severity) : o.severity;
  a.host = o.host;
  a.protocol = o.protocol;
  a.description = o.description;
  a.value = a.peak = o.value;
  a.threshold = o.threshold;
  a.count = 1;
  const auto packet_ms = static_cast<int64_t>(c.ts_ns / 1'000'000);
  a.first_seen_ms = a.last_seen_ms = packet_ms > 0 ? std::min(packet_ms, now_ms) : now_ms;
  a.detected_ms = now_ms;
  if (const Alert* stored = store_.insert(std::move(a))) changed.push_back(*stored);
  return changed;
}

}  // namespace securenet::control
