// The control plane's side of the attack-capture rings (issue 16): copies whole records of
// one capture with the per-slot protocol of shm_layout.h (seq_plus_one before and after).
#include <algorithm>
#include <cstring>

#include "securenet/shm_reader.h"

namespace securenet {
namespace {

const shm::CaptureRingHeader& ring_of(const shm::Header& h, const void* base, unsigned w) {
  return *reinterpret_cast<const shm::CaptureRingHeader*>(static_cast<const char*>(base) +
                                                          h.capture_offset + w * h.capture_stride);
}

}  // namespace

uint64_t ShmReader::capture_done_id(unsigned w) const {
  if (w >= header_->num_workers) return 0;
  return shm::read(ring_of(*header_, base_, w).done_id);
}

uint64_t ShmReader::read_captures(std::vector<uint64_t>& cursors, uint64_t id,
                                  std::vector<CapturedFrame>& out) const {
  uint64_t lost = 0;
  if (cursors.size() < header_->num_workers) cursors.resize(header_->num_workers, 0);
  const uint64_t cap = header_->capture_capacity;
  for (uint32_t w = 0; w < header_->num_workers; ++w) {
    const auto& ring = ring_of(*header_, base_, w);
    const auto* recs = reinterpret_cast<const shm::CaptureRecord*>(&ring + 1);
    const uint64_t head = ring.head.load(std::memory_order_acquire);
    uint64_t seq = cursors[w];
    if (seq > head) seq = head;  // the dataplane restarted its ring
    if (head - seq > cap) {
      lost += head - seq - cap;
      seq = head - cap;
    }
    for (; seq < head; ++seq) {
      const shm::CaptureRecord& slot = recs[seq & (cap - 1)];
      const uint64_t before = slot.seq_plus_one.load(std::memory_order_acquire);
      CapturedFrame f;
      f.ts_ns = shm::read(slot.ts_ns);
      const uint64_t rid = shm::read(slot.capture_id);
      const uint32_t caplen = std::min(slot.caplen, shm::kCaptureSnapLen);
      f.wire_len = slot.wire_len;
      f.link = slot.link;
      f.data.assign(reinterpret_cast<const char*>(slot.data), caplen);
      std::atomic_thread_fence(std::memory_order_acquire);
      const uint64_t after = slot.seq_plus_one.load(std::memory_order_relaxed);
      if (before != seq + 1 || after != seq + 1) {
        ++lost;  // overwritten while we read it
        continue;
      }
      if (rid == id) out.push_back(std::move(f));
    }
    cursors[w] = seq;
  }
  return lost;
}

}  // namespace securenet
