#include "config/publish.h"

#include <algorithm>
#include <memory>

namespace securenet::control {

uint64_t traffic_trigger(const SecurityConfig& cfg) {
  double lowest = cfg.traffic_threshold_pps;
  for (const auto& s : cfg.subnet_thresholds) {
    if (s.traffic_threshold_pps && *s.traffic_threshold_pps < lowest)
      lowest = *s.traffic_threshold_pps;
  }
  if (!(lowest >= 1) || lowest >= static_cast<double>(shm::kRateCountMax)) return 0;  // off
  return static_cast<uint64_t>(lowest);  // more than N packets: a count above floor(N)
}

uint64_t syn_trigger(const SecurityConfig& cfg) {
  const double lowest = cfg.min_connection_rate();
  if (!(lowest > 0)) return 0;  // off
  return std::max<uint64_t>(1, static_cast<uint64_t>(std::min(lowest / 2, 1e15)));
}

void publish_config(shm::ControlBlock& cb, const SecurityConfig& cfg) {
  auto c = std::make_unique<shm::ControlConfig>();  // 16 KiB: not on the stack
  write_blacklist(*c, compile_blacklist(cfg.protocol_blacklist));
  c->sample_one_in = cfg.sample_one_in;
  c->traffic_trigger = traffic_trigger(cfg);
  c->syn_trigger = syn_trigger(cfg);
  c->generation = shm::read(cb.generation) + 1;
  shm::write_control(cb, *c);
}

}  // namespace securenet::control
