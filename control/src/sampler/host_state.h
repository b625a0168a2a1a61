// What the sampler keeps per host between ticks, and the per-host view it serves.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "sampler/scan_window.h"
#include "securenet/shm_reader.h"

namespace securenet::control {

// Connections per minute per host: SYN counts in 12 buckets of 5 s (a 55-60 s window).
inline constexpr unsigned kSynBuckets = 12;
inline constexpr uint64_t kSynBucketNs = 5'000'000'000ULL;

// One cache-line-aligned record per host (7 lines at layout 7). Its first two lines hold
// what the tick reads of a host whose counters did not move (`clean`): the rates, the SYN
// window's position, the latest change, and cur's packet and byte counters (the rankings).
// The merge of a tick writes cur (lines 0-3) only when it changed. The base of a metrics
// reset is not here (Sampler::bases_, allocated at the first reset): at 1M hosts the tick
// is bound by the bytes of this record it touches (bench/control/README.md).
struct alignas(64) HostState {
  uint32_t epoch = 0;  // tick number of the latest visit
  // The prev_* values and the rates were derived from cur as it is, and no worker's
  // counters changed it since (Sampler::derive_host's idle path).
  bool clean = false;
  bool history = false;  // scan or fanin below is set (read here, not on the last line)
  float pps = 0, bps = 0, syn_per_min = 0;
  uint64_t last_active_ns = 0;  // control-plane monotonic time of the latest change
  uint64_t syn_bucket_no = 0;   // absolute 5 s bucket number of syn_buckets' newest slot
  HostCounters cur;             // summed over workers at the latest tick (bytes 40-255)
  uint64_t prev_packets = 0, prev_bytes = 0, prev_syn = 0, prev_blacklisted = 0;
  std::array<uint64_t, shm::kProtoClassCount> prev_class{};
  std::array<uint32_t, kSynBuckets> syn_buckets{};
  // Issue 13: each direction on its own, reflection-port UDP received, scan sketches.
  uint64_t prev_packets_sent = 0, prev_bytes_sent = 0, prev_reflection = 0,
           prev_blacklisted_sent = 0;
  std::unique_ptr<ScanHistory> scan;  // once the host has sent a probe
  // Issue 13 item 2: SYNs received, SYN+ACKs sent, the fan-in sketches.
  uint64_t prev_syn_recv = 0, prev_synack = 0;
  std::unique_ptr<FaninHistory> fanin;  // once a sampled source has sent to the host
};

// One host as the API shows it (counters since the last metrics reset).
// The fields are SECURENET_HOST_FIELDS (shm_fields.h) through host_delta().
struct HostView : HostFields {
  shm::IpKey ip{};
  double pps = 0, bps = 0, syn_per_min = 0;
};

// `base`: the host's counters at the last metrics reset, or null (none: the counters as
// they are).
HostView make_view(const HostState& h, const HostFields* base);

}  // namespace securenet::control
