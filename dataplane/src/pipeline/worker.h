// One poll-mode worker: a thread that pulls bursts from its source and counts them into
// its own region of the segment. Heartbeat every ~1 ms, source stats every ~10 ms, both
// from one CLOCK_MONOTONIC read per loop iteration (vDSO, no system call).
#pragma once

#include <atomic>
#include <cstdint>

#include "pipeline/dedupe.h"
#include "pipeline/packet_counter.h"
#include "securenet/common/clock.h"
#include "securenet/source.h"
#include "segment/writer.h"

namespace securenet {

struct WorkerOptions {
  unsigned index = 0;
  int cpu = -1;            // pin to this CPU (-1 = not pinned)
  uint32_t burst = 32;     // 1..kMaxBurst
  ParseConfig parse{};     // layers looked into, hosts counted (--decap, --vxlan-ports)
  uint64_t dedupe_us = 0;  // --dedupe-us: drop duplicates within this window (0 = off)
};

class Worker {
 public:
  // Allocates the dedupe table when opts.dedupe_us is set (may throw std::bad_alloc).
  Worker(const Segment& seg, PacketSource& src, const WorkerOptions& opts,
         const std::atomic<bool>& stop);

  // Runs until `stop` is set or a finite source is finished. Returns false if pinning
  // to the requested CPU failed (the worker still runs, unpinned).
  bool run() noexcept;
  bool finished() const noexcept { return done_.load(std::memory_order_acquire); }
  const PacketCounter& counter() const noexcept { return counter_; }

 private:
  void tick(uint64_t now) noexcept;

  PacketSource& src_;
  WorkerOptions opts_;
  const std::atomic<bool>& stop_;
  PacketCounter counter_;
  Dedupe dedupe_;
  std::atomic<bool> done_{false};
  uint64_t next_heartbeat_ = 0;
  uint64_t next_stats_ = 0;
};

}  // namespace securenet
