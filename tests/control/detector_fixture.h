// The detector as the unit tests drive it: an alert store, a Detector over it, the default
// config and a clock that one tick moves on by a second.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "config/security_config.h"
#include "detect/alert.h"
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
  // Ticks quiet until every open alert has resolved (clear_hold_s).
  void clear_all() {
    for (int i = 0; i < 30 && !open_alerts().empty(); ++i) tick({});
    ASSERT_TRUE(open_alerts().empty());
  }
  // The edge cases of one rule: `set(h, v)` puts value v on an observation of `ip`.
  template <class Set>
  void edges(const char* ip, securenet::control::AlertKind kind, double thr, Set set,
             const char* direction) {
    HostObservation h = at(ip);
    set(h, thr);
    EXPECT_TRUE(tick({h}).empty()) << "exactly at the threshold";
    set(h, thr + 1);
    auto ch = tick({h});
    ASSERT_EQ(ch.size(), 1u) << "one above";
    EXPECT_EQ(ch[0].kind, kind);
    EXPECT_EQ(ch[0].host, ip);
    EXPECT_EQ(ch[0].threshold, thr);
    EXPECT_STREQ(securenet::control::alert_direction(ch[0].kind), direction);
    EXPECT_NE(ch[0].description.find(ip), std::string::npos);
    const std::string first = ch[0].id;
    clear_all();
    ch = tick({h});
    ASSERT_EQ(ch.size(), 1u) << "raised again";
    EXPECT_NE(ch[0].id, first);
    EXPECT_TRUE(ch[0].open);
    clear_all();
  }
};

}  // namespace sn_test
