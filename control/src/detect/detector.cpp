#include "detect/detector.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace securenet::control {

namespace {
constexpr size_t kTcp = static_cast<size_t>(shm::ProtoClass::kTcp);
constexpr size_t kUdp = static_cast<size_t>(shm::ProtoClass::kUdp);
}  // namespace

std::string whole_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string name_blacklisted(const HostObservation& h, const std::vector<BlacklistEntry>& entries) {
  // Non-TCP/UDP entries whose class carried packets: certain candidates.
  std::string names;
  uint64_t explained = 0;
  std::bitset<shm::kProtoClassCount> counted;
  auto add = [&](const BlacklistEntry& e) { names += (names.empty() ? "" : ",") + e.label; };
  for (const auto& e : entries) {
    bool whole_class = e.kind == BlacklistEntry::Kind::kIpProto;
    for (size_t c = 0; c < shm::kProtoClassCount; ++c) {
      if (!e.classes.test(c) || h.class_delta[c] == 0) continue;
      if (c == kTcp || c == kUdp) continue;  // decided below
      add(e);
      if (whole_class && !counted.test(c)) explained += h.class_delta[c];
      counted.set(c);
      break;
    }
  }
  if (explained >= h.blacklisted_delta && !names.empty()) return names;
  for (const auto& e : entries) {
    if ((e.classes.test(kTcp) && h.class_delta[kTcp]) ||
        (e.classes.test(kUdp) && h.class_delta[kUdp]))
      add(e);
  }
  return names.empty() ? "unknown" : names;
}

InterestFloor Detector::floor_for(const SecurityConfig& cfg) {
  // The lowest threshold any host can have (global or any subnet override), so no host
  // with a lowered override is skipped.
  using S = SubnetThreshold;
  const double r = cfg.clear_ratio;
  InterestFloor f{cfg.min_traffic_threshold() * r, cfg.min_connection_rate() * r};
  f.bps = cfg.min_mbps_on() * 1e6 * r;
  f.fanout = std::min(cfg.port_scan_ports, cfg.host_scan_hosts) * r;
  f.reflection_pps = cfg.lowest(cfg.reflection_pps, &S::reflection_pps) * r;
  f.syn_recv_pps = cfg.lowest(cfg.syn_flood_per_s, &S::syn_flood_per_s) * r;
  f.fanin = cfg.lowest(cfg.fan_in_sources, &S::fan_in_sources) * r;
  return f;
}

std::vector<Alert> Detector::evaluate(const TickInput& in, const SecurityConfig& cfg) {
  ++tick_;
  changed_.clear();
  if (in.hosts) {
    for (const auto& h : *in.hosts) observe_host(h, cfg, in.now_ms);
  }
  double thr = cfg.connection_rate_per_min;
  if (in.global_conn_per_min > cfg.clear_ratio * thr) {
    Obs o{AlertKind::kConnectionRateGlobal, "", "", "", ""};
    o.value = in.global_conn_per_min;
    o.threshold = thr;
    o.clear_level = cfg.clear_ratio * thr;
    o.escalate = o.value > cfg.escalation_factor * thr;
    o.description = "network: " + whole_number(o.value) + " new connections/min, threshold " +
                    whole_number(thr);
    observe(o, in.now_ms, cfg);
  }
  observe_health(in.health, cfg, in.now_ms);
  if (in.baselines) observe_baselines(in, cfg);
  clear_unseen(in.now_ms, cfg);
  return std::move(changed_);
}

namespace {
// Adds each comma-separated name of `add` that `list` does not hold yet ("ICMP" + "ICMP,IGMP"
// = "ICMP,IGMP", never "ICMP,ICMP,IGMP").
void merge_protocols(std::string& list, const std::string& add) {
  size_t from = 0;
  while (from <= add.size() && !add.empty()) {
    size_t comma = add.find(',', from);
    if (comma == std::string::npos) comma = add.size();
    const std::string name = add.substr(from, comma - from);
    bool have = name.empty();
    for (size_t p = 0; !have && p <= list.size();) {
      size_t c = list.find(',', p);
      if (c == std::string::npos) c = list.size();
      have = list.compare(p, c - p, name) == 0;
      p = c + 1;
    }
    if (!have) list += list.empty() ? name : "," + name;
    from = comma + 1;
  }
}
}  // namespace

void Detector::observe_host(const HostObservation& h, const SecurityConfig& cfg, int64_t now_ms) {
  std::string ip = ip_text(h.ip);
  // A multicast/broadcast address is a group, never a host: no host rule applies to it.
  if (shm::is_group_address(h.ip) || cfg.subnet_broadcast(h.ip)) return;
  if (h.blacklisted_sent_delta > 0) {
    HostObservation sent = h;
    sent.blacklisted_delta = h.blacklisted_sent_delta;
    Obs o{AlertKind::kProtocolBlacklist, ip, name_blacklisted(sent, cfg.protocol_blacklist), "",
          ""};
    o.severity = Severity::kHigh;
    o.value = h.blacklisted_pps;
    o.count_add = h.blacklisted_sent_delta;
    o.active = true;
    o.escalate = h.blacklisted_pps > cfg.escalation_factor * cfg.host_threshold(h.ip);
    o.description = ip + ": sending packets of blacklisted protocol " + o.protocol;
    observe(o, now_ms, cfg);
  }
  if (cfg.whitelisted(h.ip)) return;
  observe_traffic(AlertKind::kTrafficThreshold, ip, h.pps_sent, cfg.host_threshold(h.ip),
                  h.bps_sent, cfg.host_sent_mbps(h.ip), now_ms, cfg);
  if (cfg.internal(h.ip) || cfg.traffic_received_external) {
    const VictimThresholds v = cfg.host_victim(h.ip);
    observe_traffic(AlertKind::kTrafficReceived, ip, h.pps_recv, v.received_pps, h.bps_recv,
                    v.received_mbps, now_ms, cfg);
    observe_rate(AlertKind::kReflection, ip, h.reflection_pps, v.reflection_pps,
                 "packets/s of UDP from reflector ports (reflection/amplification attack)", now_ms,
                 cfg);
    observe_syn_flood(h, ip, v, now_ms, cfg);
    observe_rate(AlertKind::kFanIn, ip, h.fanin_sources, v.fan_in_sources,
                 "distinct sources in 30 s (fan-in: a distributed or spoofed flood)", now_ms, cfg,
                 "receiving from");
  }
  observe_rate(AlertKind::kConnectionRate, ip, h.syn_per_min, cfg.host_connection_rate(h.ip),
               "new connections/min", now_ms, cfg);
  observe_rate(AlertKind::kPortScan, ip, h.ports_fanout, cfg.port_scan_ports,
               "distinct destination ports probed in 60 s (port scan)", now_ms, cfg);
  observe_rate(AlertKind::kHostScan, ip, h.hosts_fanout, cfg.host_scan_hosts,
               "distinct destination hosts probed in 60 s (host scan)", now_ms, cfg);
}

// traffic_sent / traffic_received: packets/s against its threshold, and Mbit/s against its
// own when that is on (> 0); the measure further above its threshold is the one reported.
void Detector::observe_traffic(AlertKind kind, const std::string& ip, double pps, double pps_thr,
                               double bps, double mbps_thr, int64_t now_ms,
                               const SecurityConfig& cfg) {
  const char* dir = kind == AlertKind::kTrafficReceived ? "receiving" : "sending";
  const double mbps = bps / 1e6;
  if (mbps_thr > 0 && mbps / mbps_thr > pps / pps_thr) {
    observe_rate(kind, ip, mbps, mbps_thr, "Mbit/s", now_ms, cfg, dir);
  } else {
    observe_rate(kind, ip, pps, pps_thr, "packets/s", now_ms, cfg, dir);
  }
}

// syn_flood: TCP SYNs/s received above syn_flood_per_s while the host answers fewer than
// syn_flood_answered_ratio of them with a SYN+ACK; a host that answers them is not flooded
// by this rule (traffic_received still sees the volume): its value is 0.
void Detector::observe_syn_flood(const HostObservation& h, const std::string& ip,
                                 const VictimThresholds& v, int64_t now_ms,
                                 const SecurityConfig& cfg) {
  const double thr = v.syn_flood_per_s;
  const bool answered = h.synack_pps >= v.syn_flood_answered_ratio * h.syn_recv_pps;
  const double value = answered ? 0 : h.syn_recv_pps;
  if (value <= cfg.clear_ratio * thr) return;  // as observe_rate: unseen, it clears
  Obs o{AlertKind::kSynFlood, ip, "", "", ""};
  o.value = value;
  o.threshold = thr;
  o.clear_level = cfg.clear_ratio * thr;
  o.severity = Severity::kHigh;
  o.escalate = value > cfg.escalation_factor * thr;
  const double pct = h.syn_recv_pps > 0 ? 100.0 * h.synack_pps / h.syn_recv_pps : 0;
  o.description = ip + ": receiving " + whole_number(value) + " TCP SYNs/s, " +
                  whole_number(std::min(pct, 100.0)) + "% answered with SYN+ACK, threshold " +
                  whole_number(thr) + " (SYN flood)";
  observe(o, now_ms, cfg);
}

// A per-host rate against its threshold: observed (and so kept open) above the clear level,
// escalated above escalation_factor times the threshold.
void Detector::observe_rate(AlertKind kind, const std::string& ip, double value, double thr,
                            const char* unit, int64_t now_ms, const SecurityConfig& cfg,
                            const char* verb) {
  if (value <= cfg.clear_ratio * thr) return;
  Obs o{kind, ip, "", "", ""};
  o.value = value;
  o.threshold = thr;
  o.clear_level = cfg.clear_ratio * thr;
  o.escalate = value > cfg.escalation_factor * thr;
  if (kind == AlertKind::kReflection) o.severity = Severity::kHigh;
  o.description = ip + ": " + (verb ? std::string(verb) + " " : "") + whole_number(value) + " " +
                  unit + ", threshold " + whole_number(thr);
  observe(o, now_ms, cfg);
}

// The link's measures against their learned normal; then this tick is learned, except for a
// measure above its threshold or with its alert open (an attack must not become normal).
void Detector::observe_baselines(const TickInput& in, const SecurityConfig& cfg) {
  std::array<bool, kBaselineMetrics> frozen{};
  const auto warmup = static_cast<uint64_t>(cfg.baseline_warmup_s);
  for (size_t i = 0; i < kBaselineMetrics && cfg.baseline_enabled; ++i) {
    const auto m = static_cast<BaselineMetric>(i);
    const std::string key = alert_key(AlertKind::kBaselineDeviation, "", to_string(m));
    frozen[i] = store_.open_for(key) != nullptr;
    const auto st = in.baselines->expected(in.now_ms, m, warmup);
    if (!st) continue;
    const double sd = std::max({std::sqrt(st->var), 0.1 * st->mean, baseline_min_deviation(m)});
    const double thr = st->mean + cfg.baseline_low_sigma * sd;
    const double x = in.link[i];
    frozen[i] = frozen[i] || x > thr;
    if (x <= st->mean + cfg.clear_ratio * cfg.baseline_low_sigma * sd) continue;
    Obs o{AlertKind::kBaselineDeviation, "", "", to_string(m), ""};
    o.severity = Severity::kLow;
    o.value = x;
    o.threshold = thr;
    o.clear_level = st->mean + cfg.clear_ratio * cfg.baseline_low_sigma * sd;
    o.escalate = x > st->mean + cfg.baseline_medium_sigma * sd;
    o.description = "network: " + whole_number(x) + " " + baseline_unit(m) + ", " +
                    whole_number((x - st->mean) / sd) + " deviations above the usual " +
                    whole_number(st->mean) + " for this hour";
    observe(o, in.now_ms, cfg);
  }
  in.baselines->learn(in.now_ms, in.link, frozen);
}

void Detector::observe_health(const HealthInput& h, const SecurityConfig& cfg, int64_t now_ms) {
  auto raise = [&](const char* cond, Severity sev, double value, const std::string& what) {
    Obs o{AlertKind::kSensorHealth, "", "", cond, what};
    o.severity = sev;
    o.value = value;
    o.active = true;
    observe(o, now_ms, cfg);
  };
  if (h.dataplane == DataplaneState::kStale)
    raise("dataplane_stale", Severity::kMedium, 1, "sensor: the dataplane's heartbeat is stale");
  if (h.dataplane == DataplaneState::kDown)
    raise("dataplane_down", Severity::kHigh, 1, "sensor: the dataplane is not running");
  if (h.drops_per_s > 0) {
    Severity s =
        h.drops_per_s > 0.01 * (h.pps + h.drops_per_s) ? Severity::kMedium : Severity::kLow;
    raise("source_drops", s, h.drops_per_s,
          "sensor: the packet source drops " + whole_number(h.drops_per_s) + " packets/s");
  }
  if (h.spool_degraded > 0) {
    raise("spool_degraded", h.spool_degraded > 1 ? Severity::kHigh : Severity::kMedium,
          h.spool_degraded,
          h.spool_degraded > 1
              ? "sensor: the spool's disk is full; alert and config rows are at risk"
              : "sensor: the spool's disk is low; packet samples and metric snapshots are dropped");
  }
  if (h.host_table_full_delta > 0) {
    raise("host_table_full", Severity::kLow, static_cast<double>(h.host_table_full_delta),
          "sensor: the host table is full; new hosts are not tracked");
  }
}

void Detector::observe(const Obs& o, int64_t now_ms, const SecurityConfig& cfg) {
  const std::string key = alert_key(o.kind, o.host, o.condition);
  bool above = o.active || o.value > o.threshold;
  auto it = tracks_.find(key);
  if (it == tracks_.end()) {
    if (!above) return;
    it = tracks_.emplace(key, Track{}).first;
  }
  Track& t = it->second;
  t.seen_tick = tick_;
  if (!above) {
    if (o.clear_level > 0 && o.value >= o.clear_level) {
      t.below_since_ms = -1;  // between the clear level and the threshold: stays as is
    } else {
      below(t, now_ms, cfg, key);
    }
    return;
  }
  t.below_since_ms = -1;
  t.adopted = false;
  if (t.suppressed) return;
  if (const Alert* a = store_.open_for(key)) {
    update_alert(*a, o, now_ms);
  } else {
    open_alert(o, now_ms);
  }
}

void Detector::open_alert(const Obs& o, int64_t now_ms) {
  Alert a;
  a.id = new_uuid();
  a.kind = o.kind;
  a.severity = o.escalate ? escalate(o.severity) : o.severity;
  a.host = o.host;
  a.protocol = o.protocol;
  a.condition = o.condition;
  a.description = o.description;
  a.value = a.peak = o.value;
  a.threshold = o.threshold;
  a.count = o.count_add;
  a.first_seen_ms = a.last_seen_ms = a.detected_ms = now_ms;
  if (const Alert* stored = store_.insert(std::move(a))) changed_.push_back(*stored);
}

void Detector::update_alert(const Alert& open, const Obs& o, int64_t now_ms) {
  const Alert* updated = store_.update(open.id, [&](Alert& a) {
    Severity s = o.escalate ? escalate(o.severity) : o.severity;
    if (s > a.severity) a.severity = s;
    a.value = o.value;
    a.threshold = o.threshold;
    a.peak = std::max(a.peak, o.value);
    a.count += o.count_add;
    a.last_seen_ms = now_ms;
    a.description = o.description;
    merge_protocols(a.protocol, o.protocol);
  });
  if (updated) changed_.push_back(*updated);
}

void Detector::below(Track& t, int64_t now_ms, const SecurityConfig& cfg, const std::string& key) {
  if (t.below_since_ms < 0) t.below_since_ms = now_ms;
  if (static_cast<double>(now_ms - t.below_since_ms) < cfg.clear_hold_s * 1000.0) return;
  if (const Alert* open = store_.open_for(key)) {
    const Alert* a =
        store_.resolve(open->id, now_ms, t.adopted ? ResolvedBy::kRestart : ResolvedBy::kAuto);
    changed_.push_back(*a);
  }
  to_erase_.push_back(key);
}

void Detector::clear_unseen(int64_t now_ms, const SecurityConfig& cfg) {
  for (auto& [key, t] : tracks_) {
    if (t.seen_tick != tick_) below(t, now_ms, cfg, key);
  }
  for (const auto& k : to_erase_) tracks_.erase(k);
  to_erase_.clear();
}

namespace {
bool is_event(const Alert& a) {
  return a.kind == AlertKind::kSensorHealth && a.condition == "config_recovered";
}
}  // namespace

std::vector<Alert> Detector::adopt(std::vector<Alert> open, int64_t now_ms) {
  std::vector<Alert> closed;
  // Newest first, so the first alert of a key is the one kept (it takes the key in the store).
  std::sort(open.begin(), open.end(),
            [](const Alert& x, const Alert& y) { return x.last_seen_ms > y.last_seen_ms; });
  for (auto& a : open) {
    if (!a.open || store_.find(a.id)) continue;
    const std::string key = alert_key(a);
    if (store_.open_for(key) || tracks_.count(key)) {
      a.open = false;
      a.resolved_at_ms = now_ms;
      a.resolved_by_restart = true;
      closed.push_back(std::move(a));
      continue;
    }
    const bool event = is_event(a);
    store_.insert(std::move(a));
    if (event) continue;  // open, untracked, until a user resolves it
    Track t;
    t.below_since_ms = now_ms;
    t.seen_tick = tick_;
    t.adopted = true;
    tracks_.emplace(key, t);
  }
  return closed;
}

Alert Detector::raise_event(const std::string& condition, Severity severity,
                            const std::string& description, int64_t now_ms) {
  const std::string key = alert_key(AlertKind::kSensorHealth, "", condition);
  if (const Alert* open = store_.open_for(key)) {
    return *store_.update(open->id, [&](Alert& a) {
      a.count += 1;
      a.last_seen_ms = now_ms;
      a.description = description;
      if (severity > a.severity) a.severity = severity;
    });
  }
  Alert a;
  a.id = new_uuid();
  a.kind = AlertKind::kSensorHealth;
  a.severity = severity;
  a.condition = condition;
  a.description = description;
  a.value = a.peak = 1;
  a.count = 1;
  a.first_seen_ms = a.last_seen_ms = now_ms;
  return *store_.insert(std::move(a));  // the key is free (open_for above)
}

std::optional<Alert> Detector::resolve(const std::string& id, int64_t now_ms) {
  const Alert* a = store_.find(id);
  if (!a) return std::nullopt;
  if (!a->open) return *a;
  const std::string key = alert_key(*a);
  a = store_.resolve(id, now_ms, ResolvedBy::kUser);
  if (auto it = tracks_.find(key); it != tracks_.end()) it->second.suppressed = true;
  return *a;
}

}  // namespace securenet::control
