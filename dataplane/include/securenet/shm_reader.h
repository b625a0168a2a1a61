// Read-only access to the dataplane's segment, for the control plane and tests.
// Maps the segment PROT_READ except the ControlBlock page range (PROT_READ|PROT_WRITE),
// checks magic and version, and sums workers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "securenet/ip_text.h"
#include "securenet/result.h"
#include "securenet/shm_layout.h"

namespace securenet {

// The value of a per-host field of width N, as the reader returns it.
template <size_t N>
using HostValue = std::conditional_t<N == 1, uint64_t, std::array<uint64_t, N>>;

// One host's fields (SECURENET_HOST_FIELDS), loaded from one worker or merged over several.
struct HostFields {
#define SECURENET_X(member, width, kind, api_name) HostValue<width> member{};
  SECURENET_HOST_FIELDS(SECURENET_X)
#undef SECURENET_X
};

struct HostCounters : HostFields {
  shm::IpKey key{};
};

namespace detail {
inline uint64_t load(const shm::Counter& c) noexcept { return shm::read(c); }
template <size_t N>
std::array<uint64_t, N> load(const std::array<shm::Counter, N>& a) noexcept {
  std::array<uint64_t, N> v;
  for (size_t i = 0; i < N; ++i) v[i] = shm::read(a[i]);
  return v;
}
}  // namespace detail

// Loads one occupied entry (relaxed loads; the caller has acquire-loaded `state`). Inline:
// the sampler calls it for every host of every tick.
inline HostCounters load_host(const shm::HostEntry& e) noexcept {
  HostCounters h;
  h.key = e.key;
#define SECURENET_X(member, width, kind, api_name) h.member = detail::load(e.member);
  SECURENET_HOST_FIELDS(SECURENET_X)
#undef SECURENET_X
  return h;
}
// Copies entry `e` into `out` if it holds a host: acquire-loads state, copies, re-loads
// state; the copy is one host's only if state did not change meanwhile (host_table.h).
// A slot that changed is retried a few times (the writer's change is short), then skipped.
inline bool load_host_consistent(const shm::HostEntry& e, HostCounters& out) noexcept {
  for (int tries = 0; tries < 8; ++tries) {
    const uint64_t before = e.state.load(std::memory_order_acquire);
    if (shm::host_tag(before) != shm::kHostOccupied) return false;
    out = load_host(e);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (e.state.load(std::memory_order_relaxed) == before) return true;
  }
  return false;
}
// Folds `from` (the same host seen by another worker) into `into`: counters add up,
// first_seen is the earliest non-zero, last_seen the latest.
void merge_host(HostFields& into, const HostFields& from) noexcept;
// The counters of `cur` since `base` (a counter below its base restarted: cur itself);
// first_seen and last_seen are cur's.
HostFields host_delta(const HostFields& cur, const HostFields& base) noexcept;

struct GlobalCounters {  // summed over workers (SECURENET_WORKER_COUNTERS and _ARRAYS)
#define SECURENET_X(member, type, api_metrics, api_status, help) uint64_t member = 0;
  SECURENET_WORKER_COUNTERS(SECURENET_X)
#undef SECURENET_X
#define SECURENET_X(member, length) std::array<uint64_t, length> member{};
  SECURENET_WORKER_ARRAYS(SECURENET_X)
#undef SECURENET_X
  uint64_t oldest_heartbeat_ns = 0;  // min over workers (CLOCK_MONOTONIC)
};

// a - b for every counter (0 where b is ahead); gauges and the heartbeat stay a's.
GlobalCounters subtract(const GlobalCounters& a, const GlobalCounters& b) noexcept;
// a + b (counters summed over two runs of the dataplane); gauges and the heartbeat stay a's.
GlobalCounters add_counters(const GlobalCounters& a, const GlobalCounters& b) noexcept;

// The workers that read one interface (--target eth1,eth2), and their counters summed.
struct InterfaceTotals {
  std::string name;  // WorkerRegion::source_name, or the Header's source_name
  unsigned workers = 0;
  GlobalCounters totals;
};

// Issue 17: one record of a worker's crossings ring, copied out.
struct Crossing {
  unsigned worker = 0;
  uint64_t ts_ns = 0;
  shm::IpKey key{};
  uint64_t slot = 0;
  uint64_t value = 0;
  shm::CrossingRule rule = shm::CrossingRule::kNone;
  uint8_t ip_proto = 0;
};

// One frame of an attack capture, copied out of a worker's capture ring.
struct CapturedFrame {
  uint64_t ts_ns = 0;
  uint32_t wire_len = 0;
  uint8_t link = 0;  // LinkKind
  std::string data;  // the first caplen bytes (<= shm::kCaptureSnapLen)
};

// Where a reader is in one worker's capture ring: the byte position of the next record and
// the sequence number of the next frame it expects (a gap is counted as lost).
struct CaptureCursor {
  uint64_t pos = 0;
  uint64_t seq = 0;
};

class ShmReader {
 public:
  // Opens /dev/shm/<name> (name without a leading slash, e.g. "securenet-default").
  static Result<ShmReader> open(const std::string& name, bool writable_control = false);
  ShmReader(ShmReader&&) noexcept;
  ShmReader& operator=(ShmReader&&) noexcept;
  ShmReader(const ShmReader&) = delete;
  ShmReader& operator=(const ShmReader&) = delete;
  ~ShmReader();

  const shm::Header& header() const { return *header_; }
  GlobalCounters totals() const;
  // Worker w's own counters (w < num_workers).
  GlobalCounters worker_totals(unsigned w) const;
  // The name of the interface (file, port) worker w reads.
  std::string worker_source(unsigned w) const;
  // Workers grouped by the interface they read, in the order of their first worker.
  std::vector<InterfaceTotals> interfaces() const;
  // Visits every host of every worker. The same address seen by two workers is visited
  // twice (once per worker); merge_hosts() merges them.
  void for_each_host(const std::function<void(const HostCounters&)>& fn) const;
  // Visits the occupied slots [from, to) of worker w: fn(unsigned w, uint64_t slot,
  // const HostCounters&). A host keeps its slot while it lives; a slot whose host aged
  // out may later hold another host (the sampler's hints check the key).
  template <typename Fn>
  void scan_hosts(unsigned w, uint64_t from, uint64_t to, Fn&& fn) const {
    if (w >= header_->num_workers || w >= shm::kMaxWorkers) return;
    const shm::WorkerRegion& r = header_->workers[w];
    const auto* e = hosts(w);
    HostCounters h;
    for (uint64_t i = from; i < to && i < r.host_capacity; ++i) {
      if (shm::host_tag(e[i].state.load(std::memory_order_relaxed)) != shm::kHostOccupied) continue;
      if (load_host_consistent(e[i], h)) fn(w, i, h);
    }
  }
  template <typename Fn>  // every worker, every slot
  void scan_hosts(Fn&& fn) const {
    for (unsigned w = 0; w < header_->num_workers && w < shm::kMaxWorkers; ++w) {
      scan_hosts(w, 0, header_->workers[w].host_capacity, fn);
    }
  }
  std::vector<HostCounters> merge_hosts() const;
  // Copies sample records with sequence >= cursor[w] for each worker; advances cursors.
  // Returns how many records were lost (overwritten before they were read).
  uint64_t read_samples(std::vector<uint64_t>& cursors, std::vector<shm::SampleRecord>& out) const;
  // Issue 17: appends the crossings with sequence >= cursor[w] of each worker to `out`;
  // advances the cursors. Returns how many were lost (overwritten before they were read).
  uint64_t read_crossings(std::vector<uint64_t>& cursors, std::vector<Crossing>& out) const;
  // Attack capture (issue 16, segment/capture_reader.cpp): appends to `out` the frames of
  // capture `id` from cursors[w] on for each worker, advances the cursors; returns how many
  // frames (of any capture) were lost (overwritten before read; never returned torn).
  // done_id(w): the last capture whose window worker w has closed.
  uint64_t read_captures(std::vector<CaptureCursor>& cursors, uint64_t id,
                         std::vector<CapturedFrame>& out) const;
  uint64_t capture_done_id(unsigned w) const;
  // Worker w's host table (header().workers[w].host_capacity entries).
  const shm::HostEntry* hosts(unsigned w) const {
    return reinterpret_cast<const shm::HostEntry*>(static_cast<const char*>(base_) +
                                                   header_->workers[w].hosts_offset);
  }
  // The control block; null unless opened with writable_control.
  shm::ControlBlock* control() const { return control_; }

 private:
  ShmReader() = default;
  void reset() noexcept;
  void* base_ = nullptr;
  size_t size_ = 0;
  const shm::Header* header_ = nullptr;
  shm::ControlBlock* control_ = nullptr;
};

}  // namespace securenet
