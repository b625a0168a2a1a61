// The detector: pure logic fed one tick of observations (from the sampler) and the config.
// Semantics (issue 4):
//  - protocol_blacklist (HIGH): a host that SENT blacklisted packets since the last tick
//    (issue 13: a receiver is shown in its host view, never alerted; ICMP errors are not
//    counted against their sender). The protocol is named from the blacklist entries whose
//    protocol class (tcp/udp/icmp/igmp/other) carried packets of that host this tick;
//    tcp/udp service entries are named only when the other classes cannot account for all
//    blacklisted packets. Not exempted by the whitelist.
//  - traffic_sent (kTrafficThreshold, MEDIUM): packets/s sent above the host's threshold
//    (the most specific subnet override of traffic_sent_pps, else the global), or Mbit/s
//    sent above traffic_sent_mbps when set. traffic_received (MEDIUM): the same for what a
//    host receives (traffic_received_pps/_mbps), for home_networks hosts unless
//    traffic_received_external. reflection (HIGH): UDP from reflector ports received.
//    port_scan / host_scan (MEDIUM): distinct destination ports / hosts of a source's
//    probes over 45-60 s (sampler/scan_window.h). Whitelisted hosts exempt. No host rule
//    applies to a multicast/broadcast address (a group, not a host).
//    syn_flood (HIGH, issue 13 item 2): TCP SYNs/s received > syn_flood_per_s while fewer
//    than syn_flood_answered_ratio of them are answered by a SYN+ACK of the host. fan_in
//    (MEDIUM): distinct sources over 15-30 s > fan_in_sources (sampler/scan_window.h). Both
//    for the hosts traffic_received applies to. Every threshold of these rules (and the
//    Mbit/s ones) is the host's most specific subnet override that sets it, else the global
//    (SecurityConfig::host_victim, host_sent_mbps); the sampler's floor is the lowest of all.
//  - connection_rate (MEDIUM): host SYNs (without ACK) sent in the last minute above its
//    threshold (the most specific subnet override that sets connection_rate_per_min, else
//    the global one); connection_rate_global: the whole network's SYNs per minute against
//    the global connection_rate_per_min.
//  - baseline_deviation (LOW; MEDIUM above baseline_medium_sigma): a link measure (packets/s,
//    Mbit/s, new connections/min, active hosts; condition names it) more than
//    baseline_low_sigma deviations above what Baselines expects for this hour of the week
//    (the pooled statistic until the hour has baseline_warmup_s samples); the deviation is
//    at least baseline_min_deviation(). Learns every tick except while the metric's alert is
//    open or above its threshold. Off with baseline_enabled = false.
//  - sensor_health: dataplane stale (MEDIUM) or down (HIGH), source drops (LOW; MEDIUM
//    above 1% of traffic), host table full (LOW).
//  - value > escalation_factor x threshold escalates one level (blacklist: its packets/s
//    against the host's traffic threshold). Severity never drops while the alert is open.
//  - One open alert per (host, kind[, protocol|condition]): updated (value, count, peak,
//    last seen). Clears below clear_ratio x threshold (blacklist: no packets) held for
//    clear_hold_s, then resolves. A manual resolve closes the alert; a new one opens only
//    after the condition has cleared once.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "config/security_config.h"
#include "detect/alert.h"
#include "detect/alert_store.h"
#include "detect/baseline.h"
#include "sampler/sampler.h"
#include "sampler/snapshot.h"
#include "securenet/common/uuid.h"
#include "securenet/shm_reader.h"

namespace securenet::control {

struct HealthInput {
  DataplaneState dataplane = DataplaneState::kUp;
  double pps = 0;
  double drops_per_s = 0;
  uint64_t host_table_full_delta = 0;
  int spool_degraded = 0;  // DatabaseState::spool_degraded
};

struct TickInput {
  int64_t now_ms = 0;
  const std::vector<HostObservation>* hosts = nullptr;
  double global_conn_per_min = 0;
  HealthInput health;
  Baselines* baselines = nullptr;  // learned and checked when set (the App's)
  LinkSample link{};               // this tick's link measures (BaselineMetric order)
};

class Detector {
 public:
  explicit Detector(AlertStore& store) : store_(store) {}
  // Returns copies of every alert created, updated or resolved this tick.
  std::vector<Alert> evaluate(const TickInput& in, const SecurityConfig& cfg);
  // Manual resolve; nullopt when the id is unknown. Resolving a resolved alert is a no-op.
  std::optional<Alert> resolve(const std::string& id, int64_t now_ms);
  // Open alerts of this sensor from before a restart (the database's): each is tracked as
  // if its condition had last been seen at now_ms, so it continues (same id, count, first
  // seen) when the condition is seen within clear_hold_s, and resolves with resolved_by
  // "restart" when it is not. Of two open alerts for one key the newest is kept; the
  // others are returned resolved ("restart"). Event alerts (config_recovered) stay open
  // untracked until a user resolves them.
  std::vector<Alert> adopt(std::vector<Alert> open, int64_t now_ms);
  // A one-off sensor_health event (config_recovered): one open alert per condition, kept
  // open until a user resolves it; raised again, it counts up. Returns the alert.
  Alert raise_event(const std::string& condition, Severity severity, const std::string& description,
                    int64_t now_ms);
  // Issue 17, the fast path between ticks: a crossing the dataplane pushed, whose host the
  // caller found at its slot (`c.key`). Confirmed against the host's own rule (threshold
  // with subnet overrides, whitelist, group addresses), it opens the key's alert at once
  // (first_seen_ms = the packet over the limit, detected_ms = now_ms) or raises the open
  // one's value and peak. Suppression, hysteresis, clearing and counting stay the tick's.
  std::vector<Alert> crossing(const Crossing& c, const SecurityConfig& cfg, int64_t now_ms);
  // The minimum values a host must exceed to matter (for the sampler's interest filter).
  static InterestFloor floor_for(const SecurityConfig& cfg);

 private:
  // Per-key hysteresis, not alert state: whether the key has an open alert, and the alert
  // itself, are the store's (AlertStore::open_for).
  struct Track {
    bool suppressed = false;  // resolved by hand, waiting for the condition to clear
    int64_t below_since_ms = -1;
    uint32_t seen_tick = 0;
    bool adopted = false;  // from before a restart, its condition not seen since
  };
  struct Obs {
    AlertKind kind;
    std::string host, protocol, condition, description;
    double value = 0, threshold = 0, clear_level = 0;
    Severity severity = Severity::kMedium;
    bool escalate = false;
    uint64_t count_add = 1;
    bool active = false;  // the condition holds regardless of value (blacklist, health)
  };
  void observe(const Obs& o, int64_t now_ms, const SecurityConfig& cfg);
  void open_alert(const Obs& o, int64_t now_ms);
  bool crossing_obs(const Crossing& c, const SecurityConfig& cfg, Obs& o) const;
  void update_alert(const Alert& a, const Obs& o, int64_t now_ms);
  void clear_unseen(int64_t now_ms, const SecurityConfig& cfg);
  void below(Track& t, int64_t now_ms, const SecurityConfig& cfg, const std::string& key);
  void observe_host(const HostObservation& h, const SecurityConfig& cfg, int64_t now_ms);
  void observe_rate(AlertKind kind, const std::string& ip, double value, double thr,
                    const char* unit, int64_t now_ms, const SecurityConfig& cfg,
                    const char* verb = nullptr);
  void observe_traffic(AlertKind kind, const std::string& ip, double pps, double pps_thr,
                       double bps, double mbps_thr, int64_t now_ms, const SecurityConfig& cfg);
  void observe_syn_flood(const HostObservation& h, const std::string& ip, const VictimThresholds& v,
                         int64_t now_ms, const SecurityConfig& cfg);
  void observe_health(const HealthInput& h, const SecurityConfig& cfg, int64_t now_ms);
  void observe_baselines(const TickInput& in, const SecurityConfig& cfg);

  AlertStore& store_;
  std::unordered_map<std::string, Track> tracks_;  // by alert_key()
  std::vector<Alert> changed_;
  std::vector<std::string> to_erase_;
  uint32_t tick_ = 0;
};

// A description's number: rounded to a whole number ("%.0f").
std::string whole_number(double v);

// The blacklist entries that can explain a host's blacklisted packets this tick.
std::string name_blacklisted(const HostObservation& h, const std::vector<BlacklistEntry>& entries);

}  // namespace securenet::control
