// Issue 13 item 2: who floods a victim, and with what. The control plane keeps the packet
// samples it drains from the dataplane's rings (1 in sample_one_in packets) of the last
// kProfileWindowMs; each victim alert (traffic_received, reflection, syn_flood, fan_in)
// created or updated in a tick gets the top sources and the protocol/port breakdown of the
// samples sent to its host, and its description names the attack type. Kept with the alert
// in memory and in the database (migration 0017, written by persist/StoreSink).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "detect/alert.h"
#include "detect/alert_store.h"
#include "securenet/shm_layout.h"

namespace securenet::control {

inline constexpr int64_t kProfileWindowMs = 30'000;
inline constexpr size_t kProfileMaxSamples = 200'000;  // 48 bytes each: ~10 MB at most
inline constexpr size_t kProfileTop = 10;

// One sampled packet, as the profile needs it.
struct ProfileSample {
  int64_t ms = 0;  // the control plane's clock when drained
  shm::IpKey src{}, dst{};
  uint16_t sport = 0, dport = 0;
  uint8_t ip_proto = 0, tcp_flags = 0;
};

// The victim's side of an alert from its samples: the top senders, the breakdown by
// protocol and service port, the attack type those name.
struct VictimProfile {
  uint64_t samples = 0;
  std::vector<AlertSource> top_sources;   // most packets first, at most kProfileTop
  std::vector<AlertBreakdown> breakdown;  // most packets first, at most kProfileTop
  std::string attack_type;                // "SYN flood", "DNS reflection", ... ("" if none)
};

// The breakdown's key of one sample (protocol "tcp_syn" | "tcp" | "udp" | "icmp" | "icmpv6"
// | "ip-N"; a UDP/TCP packet from a lower service port below 1024 than its destination
// port, e.g. a reflector's answer, is keyed by its source port, any other by its
// destination port).
AlertBreakdown breakdown_key(const ProfileSample& s);
// The attack a breakdown names: the class of at least half the samples.
std::string attack_type(const std::vector<AlertBreakdown>& breakdown, uint64_t samples);

class VictimProfiler {
 public:
  void add(const ProfileSample& s);
  void add_records(const std::vector<shm::SampleRecord>& records, int64_t now_ms);
  // Drops samples older than kProfileWindowMs before now_ms.
  void expire(int64_t now_ms);
  VictimProfile profile(const shm::IpKey& victim) const;
  // Profiles each open victim alert of `changed` (and its copy in `store`): its top
  // sources, breakdown and attack type, appended to its description.
  void annotate(std::vector<Alert>& changed, AlertStore& store) const;
  size_t size() const { return samples_.size(); }

 private:
  std::deque<ProfileSample> samples_;
};

}  // namespace securenet::control
