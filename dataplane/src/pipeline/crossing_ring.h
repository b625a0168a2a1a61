// The single producer of a worker's crossings ring (issue 17; seqlock per slot like the
// sample ring, shm_layout.h): invalidate the slot, write the record, publish seq+1, then
// advance `head`. The control plane reads it every ~25 ms with its own cursor; a reader
// that falls more than a ring behind loses the oldest records (the tick still sees them).
#pragma once

#include "securenet/shm_layout.h"

namespace securenet {

class CrossingWriter {
 public:
  CrossingWriter() = default;
  CrossingWriter(shm::CrossingRingHeader* ring, shm::CrossingRecord* records) noexcept
      : ring_(ring),
        records_(records),
        mask_(shm::read(ring->capacity) - 1),
        head_(shm::read(ring->head)) {}

  void push(const shm::IpKey& key, uint64_t slot, shm::CrossingRule rule, uint64_t value,
            uint8_t ip_proto, uint64_t ts_ns) noexcept {
    if (!ring_) return;
    shm::CrossingRecord& r = records_[head_ & mask_];
    r.seq_plus_one.store(0, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    r.ts_ns.store(ts_ns, std::memory_order_relaxed);
    r.key = key;
    r.slot = slot;
    r.value = value;
    r.rule = rule;
    r.ip_proto = ip_proto;
    r.seq_plus_one.store(head_ + 1, std::memory_order_release);
    ++head_;
    ring_->head.store(head_, std::memory_order_release);
  }

 private:
  shm::CrossingRingHeader* ring_ = nullptr;
  shm::CrossingRecord* records_ = nullptr;
  uint64_t mask_ = 0;
  uint64_t head_ = 0;
};

}  // namespace securenet
