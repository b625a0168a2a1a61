#include "pipeline/capture_ring.h"

namespace securenet {

bool CaptureTap::reload(const shm::CaptureControl& c, uint64_t id) noexcept {
  if (active_) finish();  // a new capture (or none) ends the one in force
  if (id == 0) {
    seen_ = 0;
    return false;
  }
  std::atomic_thread_fence(std::memory_order_acquire);
  uint64_t w[2] = {shm::read(c.host[0]), shm::read(c.host[1])};
  const uint64_t max_packets = shm::read(c.max_packets), max_ns = shm::read(c.max_ns);
  std::atomic_thread_fence(std::memory_order_acquire);
  if (c.id.load(std::memory_order_relaxed) != id) return false;  // rewritten: next poll
  seen_ = id;
  std::memcpy(host_.bytes, w, sizeof host_.bytes);
  left_ = max_packets;
  max_ns_ = max_ns;
  started_ = false;
  active_ = left_ > 0;
  if (!active_) writer_.close(id);
  return active_;
}

void CaptureTap::finish() noexcept {
  active_ = false;
  writer_.close(seen_);
}

void CaptureTap::burst(const PacketView* pkts, const ParsedPacket* parsed, const uint64_t* src_slot,
                       const uint64_t* dst_slot, uint32_t n) noexcept {
  for (uint32_t i = 0; i < n; ++i) {
    const ParsedPacket& p = parsed[i];
    if (!p.has_addrs || (src_slot[i] != slot_ && dst_slot[i] != slot_)) continue;
    if (!is_host(p.src) && !is_host(p.dst)) continue;  // another host of the same home slot
    const uint64_t ts = pkts[i].ts_ns;
    if (!started_) {
      started_ = true;
      start_ns_ = ts;
    } else if (ts > start_ns_ && ts - start_ns_ >= max_ns_) {
      return finish();
    }
    writer_.write(pkts[i], seen_);
    if (--left_ == 0) return finish();
  }
  // The window also ends while the host is quiet (packet time of the burst's last packet).
  const uint64_t last = pkts[n - 1].ts_ns;
  if (started_ && last > start_ns_ && last - start_ns_ >= max_ns_) finish();
}

}  // namespace securenet
