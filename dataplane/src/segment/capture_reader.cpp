// The control plane's side of the attack-capture rings (issue 16): walks each worker's byte
// ring from the reader's cursor to the writer's head, copying the frames of one capture;
// after each copy it re-checks the writer's reserve (protocol in shm_layout.h), so a record
// the writer may have overwritten meanwhile is counted as lost, never returned torn.
#include <algorithm>
#include <cstring>

#include "securenet/shm_reader.h"

namespace securenet {
namespace {

using Hdr = shm::CaptureRecordHeader;

const shm::CaptureRingHeader& ring_of(const shm::Header& h, const void* base, unsigned w) {
  return *reinterpret_cast<const shm::CaptureRingHeader*>(static_cast<const char*>(base) +
                                                          h.capture_offset + w * h.capture_stride);
}

class RingWalk {
 public:
  RingWalk(const shm::CaptureRingHeader& ring, uint64_t cap, CaptureCursor& c)
      : ring_(ring), bytes_(reinterpret_cast<const char*>(&ring + 1)), cap_(cap), c_(c) {}

  uint64_t run(uint64_t id, std::vector<CapturedFrame>& out) {
    head_ = ring_.head.load(std::memory_order_acquire);
    // Past the head: a new ring (the dataplane restarted), or a resync that went past a
    // record still being written. The head is always a record's start.
    if (c_.pos > head_) c_.pos = head_;
    while (c_.pos < head_) {
      if (head_ - c_.pos > cap_) {
        resync();
      } else {
        step(id, out);
      }
    }
    return lost_;
  }

 private:
  // One record at the cursor: copied, then kept only if the writer has not reached it.
  void step(uint64_t id, std::vector<CapturedFrame>& out) {
    const uint64_t off = c_.pos & (cap_ - 1);
    const uint64_t room = shm::kCaptureBlock - (c_.pos & (shm::kCaptureBlock - 1));
    if (room < sizeof(Hdr)) {  // too little left for a record: the block ends here
      c_.pos += room;
      return;
    }
    Hdr h;
    std::memcpy(&h, bytes_ + off, sizeof h);
    const uint64_t n = std::min<uint64_t>({h.caplen, shm::kCaptureSnapLen, room - sizeof h});
    const bool want = h.kind == shm::kCaptureFrame && h.capture_id == id;
    CapturedFrame f;
    if (want) {
      f.ts_ns = h.ts_ns;
      f.wire_len = h.wire_len;
      f.link = h.link;
      f.data.assign(bytes_ + off + sizeof h, n);
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    if (ring_.reserve.load(std::memory_order_relaxed) > c_.pos + cap_) return resync();
    if (h.kind != shm::kCaptureFrame) {  // a skip marker: the next record starts the next block
      c_.pos += room;
      return;
    }
    if (h.seq > c_.seq) lost_ += h.seq - c_.seq;
    c_.seq = h.seq + 1;
    c_.pos += shm::capture_record_size(n);
    if (want) out.push_back(std::move(f));
  }
  // The cursor fell behind the writer: resume at the first block start the writer has not
  // begun to overwrite (every block starts with a record); the frames skipped show as a gap
  // in seq at the next record read.
  void resync() {
    const uint64_t end = std::max(ring_.reserve.load(std::memory_order_acquire), head_);
    c_.pos = std::max(c_.pos, (end - cap_ + shm::kCaptureBlock - 1) & ~(shm::kCaptureBlock - 1));
    head_ = ring_.head.load(std::memory_order_acquire);
  }

  const shm::CaptureRingHeader& ring_;
  const char* bytes_;
  const uint64_t cap_;
  CaptureCursor& c_;
  uint64_t head_ = 0;
  uint64_t lost_ = 0;
};

}  // namespace

uint64_t ShmReader::capture_done_id(unsigned w) const {
  if (w >= header_->num_workers) return 0;
  return shm::read(ring_of(*header_, base_, w).done_id);
}

uint64_t ShmReader::read_captures(std::vector<CaptureCursor>& cursors, uint64_t id,
                                  std::vector<CapturedFrame>& out) const {
  uint64_t lost = 0;
  if (cursors.size() < header_->num_workers) cursors.resize(header_->num_workers);
  for (uint32_t w = 0; w < header_->num_workers; ++w) {
    lost += RingWalk(ring_of(*header_, base_, w), header_->capture_bytes, cursors[w]).run(id, out);
  }
  return lost;
}

}  // namespace securenet
