// Attack capture (issue 16), the worker's side: while the control block names a host, every
// packet to or from it is copied whole (up to shm::kCaptureSnapLen bytes) into the worker's
// capture ring, for a window of max_packets packets or max_ns of packet time, whichever ends
// first. Idle cost: one relaxed load per burst (poll) and one predictable branch per burst
// (active()); nothing per packet.
#pragma once

#include <cstdint>
#include <cstring>

#include "securenet/parser.h"
#include "securenet/shm_layout.h"
#include "securenet/source.h"

namespace securenet {

// The single producer of a worker's capture ring: records packed back to back in a byte
// ring (protocol and record format in shm_layout.h), so the copies of small frames are
// sequential writes that touch one or two lines each.
class CaptureWriter {
 public:
  CaptureWriter() = default;
  CaptureWriter(shm::CaptureRingHeader* ring, uint8_t* bytes) noexcept
      : ring_(ring),
        bytes_(bytes),
        cap_(shm::read(ring->capacity)),
        head_(shm::read(ring->head)),
        records_(shm::read(ring->records)) {}

  void write(const PacketView& v, uint64_t id) noexcept {
    const uint32_t n = v.caplen < shm::kCaptureSnapLen ? v.caplen : shm::kCaptureSnapLen;
    const uint64_t len = shm::capture_record_size(n);
    const uint64_t room = shm::kCaptureBlock - (head_ & (shm::kCaptureBlock - 1));
    const uint64_t at = __builtin_expect(room < len, 0) ? head_ + room : head_;  // next block
    ring_->reserve.store(at + len, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    if (__builtin_expect(at != head_ && room >= sizeof(shm::CaptureRecordHeader), 0))
      put(head_ & (cap_ - 1), 0, 0, 0, 0, 0, shm::kCaptureSkip);
    const uint64_t off = at & (cap_ - 1);
    put(off, v.ts_ns, id, v.wire_len, n, static_cast<uint8_t>(v.link), shm::kCaptureFrame);
    std::memcpy(bytes_ + off + sizeof(shm::CaptureRecordHeader), v.data, n);
    head_ = at + len;
    ring_->records.store(++records_, std::memory_order_relaxed);
    ring_->head.store(head_, std::memory_order_release);
  }
  // The window of capture `id` is over on this worker.
  void close(uint64_t id) noexcept { ring_->done_id.store(id, std::memory_order_release); }

 private:
  // The header's fields stored in place (building it on the stack and copying it cost a
  // store-forwarding stall per record).
  void put(uint64_t off, uint64_t ts, uint64_t id, uint32_t wire_len, uint32_t caplen, uint8_t link,
           uint8_t kind) noexcept {
    auto* h = reinterpret_cast<shm::CaptureRecordHeader*>(bytes_ + off);
    h->seq = records_;
    h->ts_ns = ts;
    h->capture_id = id;
    h->wire_len = wire_len;
    h->caplen = static_cast<uint16_t>(caplen);
    h->link = link;
    h->kind = kind;
  }

  shm::CaptureRingHeader* ring_ = nullptr;
  uint8_t* bytes_ = nullptr;
  uint64_t cap_ = 0;
  uint64_t head_ = 0;
  uint64_t records_ = 0;
};

// One worker's view of the capture in force.
class CaptureTap {
 public:
  CaptureTap() = default;
  CaptureTap(shm::CaptureRingHeader* ring, uint8_t* bytes) noexcept : writer_(ring, bytes) {}

  bool active() const noexcept { return active_; }
  // Once per burst, where the control cache is polled. True when the capture changed: the
  // caller then sets the host's home slot in its host table (set_slot).
  bool poll(const shm::CaptureControl& c) noexcept {
    const uint64_t id = c.id.load(std::memory_order_relaxed);
    if (__builtin_expect(id == seen_, 1)) return false;
    return reload(c, id);
  }
  const shm::IpKey& host() const noexcept { return host_; }
  void set_slot(uint64_t slot) noexcept { slot_ = slot; }
  // The packets of the burst to or from the host (parsed[i] belongs to pkts[i]; src_slot and
  // dst_slot are the home slots of its addresses, valid where parsed[i].has_addrs): a slot
  // compare first, the key compare only on a match.
  void burst(const PacketView* pkts, const ParsedPacket* parsed, const uint64_t* src_slot,
             const uint64_t* dst_slot, uint32_t n) noexcept;

 private:
  bool reload(const shm::CaptureControl& c, uint64_t id) noexcept;
  void finish() noexcept;
  bool is_host(const shm::IpKey& k) const noexcept {
    return std::memcmp(k.bytes, host_.bytes, sizeof host_.bytes) == 0;
  }

  CaptureWriter writer_;
  bool active_ = false;
  bool started_ = false;  // the window's first packet was seen (start_ns_ is set)
  uint64_t seen_ = 0;     // the capture id last taken from the control block
  shm::IpKey host_{};
  uint64_t slot_ = ~0ULL;  // the host's home slot in the worker's host table
  uint64_t left_ = 0;      // packets still to take
  uint64_t max_ns_ = 0;
  uint64_t start_ns_ = 0;
};

}  // namespace securenet
