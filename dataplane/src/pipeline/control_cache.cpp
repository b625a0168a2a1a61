#include "pipeline/control_cache.h"

namespace securenet {

bool ControlCache::reload(const shm::ControlBlock& cb) noexcept {
  if (!shm::try_read_control(cb, staging_)) return false;  // a write was under way
  cfg_ = staging_;
  uint64_t any = 0;
  for (int i = 0; i < 1024; ++i) any |= cfg_.tcp_port_blacklist[i] | cfg_.udp_port_blacklist[i];
  any_port_ = any != 0;
  for (uint64_t w : cfg_.proto_blacklist) any |= w;
  any_ = any != 0;
  return true;
}

}  // namespace securenet
