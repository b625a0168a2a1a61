// Issue 17: Detector::crossing, the fast path's half in the detector. A confirmed crossing
// opens the alert at once with first_seen_ms (the packet) and detected_ms (now); the host's
// own rule decides (subnet overrides, whitelist, groups); the tick keeps the alert open
// while it sees the condition and clears it by the usual hysteresis; a manual resolve holds.
#include <gtest/gtest.h>

#include "config/publish.h"
#include "detect/detector.h"
#include "detector_fixture.h"

using namespace securenet;
using namespace securenet::control;

namespace {

class FastDetectTest : public sn_test::DetectorFixture {
 protected:
  Crossing traffic(const char* ip, uint64_t packets, int64_t packet_ms) {
    Crossing c;
    c.key = *parse_ip_text(ip);
    c.rule = shm::CrossingRule::kTraffic;
    c.value = packets;
    c.ip_proto = 17;
    c.ts_ns = static_cast<uint64_t>(packet_ms) * 1'000'000;
    return c;
  }
  HostObservation sending(const char* ip, double pps) {
    HostObservation h = at(ip);
    h.pps = h.pps_sent = pps;
    return h;
  }
};

TEST_F(FastDetectTest, OpensAtOnceWithDetectedAndFirstSeen) {
  auto ch = det.crossing(traffic("10.0.0.5", 1001, now - 40), cfg, now);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kTrafficThreshold);
  EXPECT_EQ(ch[0].host, "10.0.0.5");
  EXPECT_EQ(ch[0].first_seen_ms, now - 40);
  EXPECT_EQ(ch[0].detected_ms, now);
  EXPECT_EQ(ch[0].value, 1001);
  EXPECT_EQ(ch[0].threshold, 1000);
  EXPECT_EQ(ch[0].severity, Severity::kMedium);
  EXPECT_NE(alert_to_json(ch[0]).find("\"detected_ms\":" + std::to_string(now)), std::string::npos);
  // The same key: no second alert; a higher value updates it; a lower one is no change.
  EXPECT_TRUE(det.crossing(traffic("10.0.0.5", 1001, now), cfg, now + 10).empty());
  auto up = det.crossing(traffic("10.0.0.5", 20000, now), cfg, now + 20);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].id, ch[0].id);
  EXPECT_EQ(up[0].severity, Severity::kHigh);          // above 10x: escalated
  EXPECT_GT(up[0].last_seen_ms, up[0].first_seen_ms);  // an update, not a new alert
  EXPECT_EQ(store.open_count(), 1u);
  // The tick sees the condition: the same alert, updated.
  auto t = tick({sending("10.0.0.5", 5000)});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].id, ch[0].id);
}

TEST_F(FastDetectTest, TheHostsOwnRuleDecides) {
  cfg.subnet_thresholds = {{*parse_cidr("10.1.0.0/16"), 50000}};
  cfg.whitelist = {*parse_cidr("10.9.0.0/16")};
  EXPECT_EQ(traffic_trigger(cfg), 1000u);  // the lowest threshold: every override is found
  EXPECT_TRUE(det.crossing(traffic("10.1.0.9", 1001, now), cfg, now).empty());
  EXPECT_TRUE(det.crossing(traffic("10.9.0.9", 99999, now), cfg, now).empty());
  EXPECT_TRUE(det.crossing(traffic("224.0.0.9", 99999, now), cfg, now).empty());
  EXPECT_TRUE(det.crossing(traffic("10.0.0.9", 1000, now), cfg, now).empty()) << "not more";
  EXPECT_EQ(det.crossing(traffic("10.1.0.9", 50001, now), cfg, now).size(), 1u);
  cfg.subnet_thresholds = {{*parse_cidr("10.2.0.0/16"), 10}};
  EXPECT_EQ(traffic_trigger(cfg), 10u);
  cfg.traffic_threshold_pps = 1e9;
  cfg.subnet_thresholds.clear();
  EXPECT_EQ(traffic_trigger(cfg), 0u) << "beyond what the dataplane counts: off";
}

TEST_F(FastDetectTest, BlacklistNamesTheProtocolEvenWhitelisted) {
  cfg.whitelist = {*parse_cidr("10.9.0.0/16")};
  Crossing c = traffic("10.9.0.1", 1, now);
  c.rule = shm::CrossingRule::kBlacklist;
  c.ip_proto = 1;
  auto ch = det.crossing(c, cfg, now);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kProtocolBlacklist);
  EXPECT_EQ(ch[0].protocol, "ICMP");
  EXPECT_EQ(ch[0].severity, Severity::kHigh);
}

TEST_F(FastDetectTest, ClearsByTheTicksHysteresisAndAManualResolveHolds) {
  cfg.clear_hold_s = 2;
  auto ch = det.crossing(traffic("10.0.0.5", 1500, now), cfg, now);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_TRUE(tick({}).empty());  // a short burst: the tick does not see it; held 2 s
  EXPECT_TRUE(tick({}).empty());
  auto r = tick({});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].open);
  // Resolved by hand while the flood goes on: crossings do not reopen it.
  auto again = det.crossing(traffic("10.0.0.5", 1500, now), cfg, now);
  ASSERT_EQ(again.size(), 1u);
  ASSERT_TRUE(det.resolve(again[0].id, now));
  EXPECT_TRUE(det.crossing(traffic("10.0.0.5", 3000, now), cfg, now + 5).empty());
  EXPECT_EQ(store.open_count(), 0u);
}

// Connection rate (issue 17): the crossing carries the host's SYNs in the last minute; the
// host's own connection_rate_per_min decides (exactly at it: nothing), the text is the
// tick's, and the tick keeps the same alert; whitelisted hosts never alert; the trigger is
// half the lowest threshold.
TEST_F(FastDetectTest, SynCrossingsFollowTheConnectionRateRule) {
  auto syn = [&](const char* ip, uint64_t per_min) {
    Crossing c = traffic(ip, per_min, now - 5);
    c.rule = shm::CrossingRule::kSyn;
    c.ip_proto = 6;
    return c;
  };
  EXPECT_TRUE(det.crossing(syn("10.0.0.6", 100), cfg, now).empty()) << "100 is not more than 100";
  auto ch = det.crossing(syn("10.0.0.6", 101), cfg, now);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kConnectionRate);
  EXPECT_EQ(ch[0].host, "10.0.0.6");
  EXPECT_EQ(ch[0].value, 101);
  EXPECT_EQ(ch[0].threshold, 100);
  EXPECT_EQ(ch[0].detected_ms, now);
  EXPECT_EQ(ch[0].first_seen_ms, now - 5);
  EXPECT_EQ(ch[0].description, "10.0.0.6: 101 new connections/min, threshold 100");
  auto up = det.crossing(syn("10.0.0.6", 180), cfg, now + 30);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].id, ch[0].id);
  EXPECT_EQ(up[0].value, 180);
  HostObservation h = at("10.0.0.6");
  h.syn_per_min = 190;
  auto t = tick({h});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].id, ch[0].id) << "the tick continues the fast path's alert";
  cfg.whitelist = {*parse_cidr("10.9.0.0/16")};
  EXPECT_TRUE(det.crossing(syn("10.9.0.1", 5000), cfg, now).empty());
  cfg.subnet_thresholds = {{*parse_cidr("10.7.0.0/16"), std::nullopt, 10.0}};
  EXPECT_EQ(det.crossing(syn("10.7.0.1", 11), cfg, now).size(), 1u) << "its own, lower rule";
  EXPECT_EQ(syn_trigger(cfg), 5u);
  cfg.subnet_thresholds.clear();
  EXPECT_EQ(syn_trigger(cfg), 50u);
}

}  // namespace
