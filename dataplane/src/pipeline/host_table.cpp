#include "pipeline/host_table.h"

namespace securenet {

const shm::HostEntry* HostTable::find(const shm::IpKey& k) const noexcept {
  const uint64_t slot = slot_of(k);
  for (uint32_t i = 0; i < kMaxProbe; ++i) {
    const shm::HostEntry& e = entries_[(slot + i) & mask_];
    if (e.state.load(std::memory_order_acquire) == 0) return nullptr;
    if (key_equal(e.key, k)) return &e;
  }
  return nullptr;
}

void HostTable::clear() noexcept {
  for (uint64_t i = 0; i <= mask_; ++i) {
    shm::HostEntry& e = entries_[i];
    if (e.state.load(std::memory_order_relaxed) == 0) continue;
    e.state.store(0, std::memory_order_release);  // readers skip it from now on
    auto zero = [](shm::Counter& c) { c.store(0, std::memory_order_relaxed); };
    zero(e.packets_sent);
    zero(e.bytes_sent);
    zero(e.packets_recv);
    zero(e.bytes_recv);
    zero(e.syn_sent);
    for (auto& c : e.proto_class_packets) zero(c);
    zero(e.blacklisted_packets);
    zero(e.first_seen_ns);
    zero(e.last_seen_ns);
    std::memset(&e.key, 0, sizeof(e.key));
  }
  counters_->hosts_in_table.store(0, std::memory_order_relaxed);
}

}  // namespace securenet
