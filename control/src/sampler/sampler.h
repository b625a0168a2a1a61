// The sampler: once per tick it is fed the segment's totals and every host (summed over
// workers), derives rates, windows and top lists, and returns an immutable Snapshot plus
// the hosts the detector must look at. Pure computation: no I/O, so tests drive it with
// synthetic counters; the App feeds it from the ShmReader.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "sampler/host_index.h"
#include "sampler/host_state.h"
#include "sampler/snapshot.h"

namespace securenet::control {

// A host whose values this tick are high enough that the detector must evaluate it.
struct HostObservation {
  shm::IpKey ip{};
  double pps = 0;
  double syn_per_min = 0;
  uint64_t blacklisted_delta = 0;  // blacklisted packets since the previous tick
  double blacklisted_pps = 0;
  std::array<uint64_t, shm::kProtoClassCount> class_delta{};
  // Issue 13: blacklisted packets this host SENT since the previous tick (the rule's count),
  // each direction's rates, fan-out of its probes over the last 45-60 s, reflection UDP.
  uint64_t blacklisted_sent_delta = 0;
  double pps_sent = 0, pps_recv = 0, bps_sent = 0, bps_recv = 0;
  double ports_fanout = 0, hosts_fanout = 0;
  double reflection_pps = 0;
  // Issue 13 item 2 (victims): TCP SYNs received and SYN+ACKs sent per second, and the
  // distinct sources that sent to this host over the last 15-30 s (estimated, fan-in).
  double syn_recv_pps = 0, synack_pps = 0, fanin_sources = 0;
};

// Hosts below every floor are certainly below every clear level, so the detector can
// skip them (it treats a host it is not given as value 0).
struct InterestFloor {
  double pps = 0;
  double syn_per_min = 0;
  double bps = 0;     // 0: no Mbit/s rule is on (every host's bps is above it: use pps)
  double fanout = 0;  // the lower of the scan thresholds' clear levels
  double reflection_pps = 0;
  double syn_recv_pps = 0;  // the syn_flood rule's clear level
  double fanin = 0;         // the fan_in rule's clear level
};

struct HistoryPoint {
  int64_t ts_ms = 0;
  double pps = 0, bps = 0, connections_per_min = 0;
  uint64_t active_hosts = 0;
};

class Sampler {
 public:
  static constexpr uint64_t kActiveWindowNs = 60'000'000'000ULL;
  static constexpr size_t kHistoryMax = 3600;

  void begin_tick(uint64_t mono_ns, int64_t wall_ms, const GlobalCounters& raw);
  void add_host(const HostCounters& h);  // once per (worker, host) visit
  // The same, with the host's stable position in the segment as a lookup hint.
  void add_host_at(unsigned worker, uint64_t slot, const HostCounters& h);
  // All at once (tests, benchmarks), or in slices so one io_context thread can serve
  // requests between them: begin_derive, derive_range over [0, hosts_tracked()), finish_tick.
  std::shared_ptr<Snapshot> end_tick(const InterestFloor& floor, std::vector<HostObservation>& out);
  void begin_derive(const InterestFloor& floor, std::vector<HostObservation>& out);
  void derive_range(size_t from, size_t to);
  std::shared_ptr<Snapshot> finish_tick();

  // After a whole scan of the segment: drops the hosts this tick did not visit (their
  // entries aged out of every worker's table), so no stale rates, views or ghost hosts.
  void forget_unseen();
  // Dataplane restarted: new baselines, no rates next tick. `final_raw` is the old segment's
  // last counters when known (else the last tick's): the API's totals go on from them.
  void forget_all(const GlobalCounters* final_raw = nullptr);
  void request_metrics_reset();  // API: counters restart from zero at the next tick
  std::optional<HostView> host(const shm::IpKey& ip) const;
  // Issue 17's connection-rate fast path: the SYNs in the last minute of the host whose
  // entry at (worker, slot) reads `e` now (that worker's counts; a lower bound when other
  // workers also see it). A host whose entry is at most a minute old (packet time) has sent
  // all its SYNs within it; an older one adds the SYNs since the last tick to the tick's
  // 5 s buckets. nullopt when the host is unknown to the last tick.
  std::optional<uint64_t> syns_last_minute(unsigned worker, uint64_t slot, const HostCounters& e,
                                           uint64_t mono_ns) const;
  const std::deque<HistoryPoint>& history() const { return history_; }
  size_t hosts_tracked() const { return hosts_.size(); }

 private:
  uint32_t slot_for(const shm::IpKey& k);
  void merge(HostState& h, const HostCounters& c);
  void derive_host(HostState& h, double dt_s, bool first, const InterestFloor& floor,
                   std::vector<HostObservation>& out);
  void derive_idle(HostState& h, const InterestFloor& floor, std::vector<HostObservation>& out);
  void build_top_lists(Snapshot& s);
  static double sort_value(const HostState& h, const HostFields* base, size_t key);
  HostView view_of(uint32_t i) const;
  double global_conn_per_min(uint64_t syn_delta);

  std::vector<HostState> hosts_;
  // Each host's counters at the last metrics reset (parallel to hosts_); empty until the
  // first reset, when every base is 0 (cold: the tick reads it only after a reset).
  std::vector<HostFields> bases_;
  HostIndex index_;
  std::vector<std::vector<uint32_t>> hints_;        // [worker][segment slot] -> dense index + 1
  std::vector<std::vector<uint64_t>> syn_at_tick_;  // [worker][segment slot] -> its syn_sent
  std::array<std::vector<std::pair<double, uint32_t>>, kHostSortCount> pool_;  // rankings (heaps)
  InterestFloor floor_;
  std::vector<HostObservation>* out_ = nullptr;
  uint64_t active_ = 0;
  double dt_s_ = 1;
  bool first_ = true;
  std::chrono::steady_clock::time_point derive_t0_;
  uint32_t epoch_ = 0;
  uint64_t now_ns_ = 0, prev_ns_ = 0;
  uint64_t scan_now_win_ = 0;  // the latest packet-time window any host was seen in
  int64_t wall_ms_ = 0;
  GlobalCounters raw_{}, prev_raw_{}, base_{};
  GlobalCounters carried_{};  // totals of earlier dataplane runs (since the last reset)
  bool have_prev_ = false;
  bool reset_pending_ = false;
  std::deque<std::pair<uint64_t, uint64_t>> syn_window_;  // (mono ns, SYN delta)
  std::deque<HistoryPoint> history_;
  uint64_t tick_ = 0;
};

// subtract(a, b) and add_counters(a, b) (GlobalCounters) are securenet's, from the contract.

}  // namespace securenet::control
