#include "core/control_cache.h"

namespace securenet {

void ControlCache::init(const shm::ControlBlock& cb) noexcept {
  reload(cb);
  reset_seen_ = cb.reset_request.load(std::memory_order_acquire);
}

void ControlCache::reload(const shm::ControlBlock& cb) noexcept {
  // Acquire pairs with the control plane's release store of `generation`, which it makes
  // after writing every other field.
  generation_ = cb.generation.load(std::memory_order_acquire);
  sample_one_in_ = shm::read(cb.sample_one_in);
  for (int i = 0; i < 4; ++i) proto_[i] = shm::read(cb.proto_blacklist[i]);
  uint64_t any = 0;
  for (int i = 0; i < 1024; ++i) {
    tcp_[i] = shm::read(cb.tcp_port_blacklist[i]);
    udp_[i] = shm::read(cb.udp_port_blacklist[i]);
    any |= tcp_[i] | udp_[i];
  }
  any_port_ = any != 0;
}

}  // namespace securenet
