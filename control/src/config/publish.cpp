#include "config/publish.h"

#include <memory>

namespace securenet::control {

void publish_config(shm::ControlBlock& cb, const SecurityConfig& cfg) {
  auto c = std::make_unique<shm::ControlConfig>();  // 16 KiB: not on the stack
  write_blacklist(*c, compile_blacklist(cfg.protocol_blacklist));
  c->sample_one_in = cfg.sample_one_in;
  c->generation = shm::read(cb.generation) + 1;
  shm::write_control(cb, *c);
}

}  // namespace securenet::control
