// The detector as the unit tests drive it: an alert store, a Detector over it, the default
// config and a clock that one tick moves on by a second.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "config/security_config.h"
#include "detect/detector.h"
#include "securenet/ip_text.h"

namespace sn_test {

class DetectorFixture : public ::testing::Test {
 protected:
  using Alert = securenet::control::Alert;
  using HostObservation = securenet::control::HostObservation;

  securenet::control::AlertStore store{100};
  securenet::control::Detector det{store};
  securenet::control::SecurityConfig cfg = securenet::control::SecurityConfig::defaults();
  int64_t now = 1'000'000;

  // An observation of `ip` with every rate zero.
  static HostObservation at(const char* ip) {
    HostObservation h;
    h.ip = *securenet::parse_ip_text(ip);
    return h;
  }
  // One tick, a second after the last, over `hosts`.
  std::vector<Alert> tick(std::vector<HostObservation> hosts, double global_syn = 0,
                          securenet::control::HealthInput health = {}) {
    now += 1000;
    securenet::control::TickInput in;
    in.now_ms = now;
    in.hosts = &hosts;
    in.global_conn_per_min = global_syn;
    in.health = health;
    return det.evaluate(in, cfg);
  }
  std::vector<const Alert*> open_alerts() { return store.list({1000, {}, true, {}}); }
};

}  // namespace sn_test
