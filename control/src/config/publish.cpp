#include "config/publish.h"

namespace securenet::control {

void publish_config(shm::ControlBlock& cb, const SecurityConfig& cfg) {
  write_blacklist(cb, compile_blacklist(cfg.protocol_blacklist));
  cb.sample_one_in.store(cfg.sample_one_in, std::memory_order_relaxed);
  uint64_t gen = cb.generation.load(std::memory_order_relaxed);
  cb.generation.store(gen + 1, std::memory_order_release);
}

}  // namespace securenet::control
