// The single producer of a worker's sample ring (seqlock per slot, see shm_layout.h):
// invalidate the slot, write the record, publish seq+1, then advance `head`.
#pragma once

#include "securenet/parser.h"
#include "securenet/shm_layout.h"

namespace securenet {

class SampleWriter {
 public:
  SampleWriter() = default;
  SampleWriter(shm::SampleRingHeader* ring, shm::SampleRecord* records) noexcept
      : ring_(ring),
        records_(records),
        mask_(shm::read(ring->capacity) - 1),
        head_(shm::read(ring->head)) {}

  void write(const ParsedPacket& p, uint64_t ts_ns, bool blacklisted) noexcept {
    shm::SampleRecord& r = records_[head_ & mask_];
    r.seq_plus_one.store(0, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    r.ts_ns.store(ts_ns, std::memory_order_relaxed);
    r.src = p.src;
    r.dst = p.dst;
    r.sport = p.sport;
    r.dport = p.dport;
    r.ip_proto = p.ip_proto;
    r.ip_version = p.l3 == L3::kIpv4 ? 4 : 6;
    r.tcp_flags = p.tcp_flags;
    r.blacklisted = blacklisted ? 1 : 0;
    r.wire_len = p.wire_len;
    r.reserved = 0;
    r.seq_plus_one.store(head_ + 1, std::memory_order_release);
    ++head_;
    ring_->head.store(head_, std::memory_order_release);
  }

 private:
  shm::SampleRingHeader* ring_ = nullptr;
  shm::SampleRecord* records_ = nullptr;
  uint64_t mask_ = 0;
  uint64_t head_ = 0;
};

}  // namespace securenet
