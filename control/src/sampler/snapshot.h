// The immutable result of one sampler tick. HTTP handlers and the event stream serve from
// a shared_ptr<const Snapshot>; nothing in a request walks the host table.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "detect/severity.h"
#include "sampler/host_state.h"
#include "securenet/shm_reader.h"

namespace securenet::control {

enum class HostSort : uint8_t { kPps = 0, kBps, kPackets, kBytes, kConnPerMin, kCount };
inline constexpr size_t kHostSortCount = static_cast<size_t>(HostSort::kCount);
inline constexpr size_t kTopHosts = 1000;  // the most /api/hosts returns

enum class DataplaneState : uint8_t { kDown = 0, kStale, kUp };
const char* to_string(DataplaneState s);

struct DataplaneInfo {
  DataplaneState state = DataplaneState::kDown;
  uint64_t pid = 0;
  std::string source;  // pcap, afpacket, afxdp, dpdk
  std::string source_name;
  unsigned workers = 0;
  double uptime_s = 0;
  double heartbeat_age_ms = -1;
  std::string error;                        // why the segment is not open (down)
  std::vector<InterfaceTotals> interfaces;  // workers grouped by interface (--target eth1,eth2)
  uint64_t host_capacity = 0;               // host-table slots, summed over workers
  uint64_t host_idle_s = 0;                 // hosts idle this long age out (0 = never)
};

struct Snapshot {
  uint64_t tick = 0;
  int64_t ts_ms = 0;
  double tick_duration_ms = 0;  // how long deriving this snapshot took
  DataplaneInfo dataplane;
  GlobalCounters totals;      // since the last metrics reset
  GlobalCounters raw_totals;  // the dataplane's own counters
  double pps = 0, bps = 0, drops_per_s = 0;
  double connections_per_min = 0;  // global SYNs in the last 60 s
  uint64_t active_hosts = 0;       // hosts with traffic in the last 60 s
  uint64_t hosts_tracked = 0;
  std::array<std::vector<HostView>, kHostSortCount> top;  // best first, at most kTopHosts
  SeverityCounts open_alerts{};  // the AlertStore's open alerts at the end of this tick (App)
};

}  // namespace securenet::control
