// Detector semantics driven by synthetic per-tick observations (the detector is pure logic).
#include "detect/detector.h"

#include <gtest/gtest.h>

#include <map>

#include "detector_fixture.h"

using namespace securenet;
using namespace securenet::control;

namespace {

constexpr size_t kIcmp = static_cast<size_t>(shm::ProtoClass::kIcmp);
constexpr size_t kTcp = static_cast<size_t>(shm::ProtoClass::kTcp);
constexpr size_t kOther = static_cast<size_t>(shm::ProtoClass::kOther);

class DetectorTest : public sn_test::DetectorFixture {
 protected:
  HostObservation host(const char* ip, double pps, double syn = 0) {
    HostObservation h = at(ip);
    h.pps = h.pps_sent = pps;
    h.syn_per_min = syn;
    return h;
  }
};

class DetectorProtocols : public sn_test::DetectorFixture {};

}  // namespace

TEST_F(DetectorTest, TrafficThresholdRaisesMediumAtTheCrossingTick) {
  EXPECT_TRUE(tick({host("10.0.0.5", 999)}).empty());
  auto ch = tick({host("10.0.0.5", 1500)});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kTrafficThreshold);
  EXPECT_EQ(ch[0].severity, Severity::kMedium);
  EXPECT_EQ(ch[0].host, "10.0.0.5");
  EXPECT_TRUE(ch[0].open);
  EXPECT_EQ(ch[0].threshold, 1000);
  EXPECT_EQ(ch[0].value, 1500);
}

TEST_F(DetectorTest, DedupUpdatesCountPeakAndLastSeen) {
  tick({host("10.0.0.5", 1500)});
  tick({host("10.0.0.5", 3000)});
  auto ch = tick({host("10.0.0.5", 2000)});
  ASSERT_EQ(ch.size(), 1u);
  auto open = open_alerts();
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]->count, 3u);
  EXPECT_EQ(open[0]->peak, 3000);
  EXPECT_EQ(open[0]->value, 2000);
  EXPECT_EQ(open[0]->last_seen_ms, now);
  EXPECT_LT(open[0]->first_seen_ms, open[0]->last_seen_ms);
}

TEST_F(DetectorTest, EscalatesOneLevelAboveTheFactor) {
  auto ch = tick({host("10.0.0.5", 10001)});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].severity, Severity::kHigh);
  cfg.escalation_factor = 2;
  auto ch2 = tick({host("10.0.0.6", 2500)});
  ASSERT_EQ(ch2.size(), 1u);
  EXPECT_EQ(ch2[0].severity, Severity::kHigh);
  // Once escalated it stays escalated while open.
  tick({host("10.0.0.6", 1200)});
  EXPECT_EQ(store.find(ch2[0].id)->severity, Severity::kHigh);
}

TEST_F(DetectorTest, HysteresisClearsOnlyBelowTheClearLevelHeldLongEnough) {
  cfg.clear_hold_s = 3;
  auto id = tick({host("10.0.0.5", 1500)})[0].id;
  // In the band (800..1000): stays open indefinitely.
  for (int i = 0; i < 10; ++i) tick({host("10.0.0.5", 900)});
  EXPECT_TRUE(store.find(id)->open);
  // Below 800 for 2 s, back in the band (resets the hold), below again for 3 s.
  tick({host("10.0.0.5", 100)});
  tick({host("10.0.0.5", 100)});
  tick({host("10.0.0.5", 850)});
  tick({});
  tick({});
  tick({});
  EXPECT_TRUE(store.find(id)->open);
  auto ch = tick({});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_FALSE(ch[0].open);
  EXPECT_EQ(ch[0].resolved_at_ms, now);
  EXPECT_FALSE(store.find(id)->open);
  // A new crossing opens a new alert.
  auto again = tick({host("10.0.0.5", 1500)});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].id, id);
}

TEST_F(DetectorTest, WhitelistIsExemptFromThresholdsNotFromTheBlacklist) {
  cfg.whitelist = {*parse_cidr("10.9.0.0/16")};
  auto h = host("10.9.1.1", 50000, 5000);
  h.blacklisted_delta = h.blacklisted_sent_delta = 3;
  h.blacklisted_pps = 3;
  h.class_delta[kIcmp] = 3;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kProtocolBlacklist);
}

TEST_F(DetectorTest, SubnetOverrideRaisesAndLowersTheThreshold) {
  cfg.subnet_thresholds = {{*parse_cidr("10.1.0.0/16"), 50000}, {*parse_cidr("2001:db8::/32"), 10}};
  EXPECT_TRUE(tick({host("10.1.0.9", 40000)}).empty());
  auto v6 = tick({host("2001:db8::7", 11)});
  ASSERT_EQ(v6.size(), 1u);
  EXPECT_EQ(v6[0].threshold, 10);
  EXPECT_EQ(v6[0].host, "2001:db8::7");
  auto floor = Detector::floor_for(cfg);
  EXPECT_DOUBLE_EQ(floor.pps, 8);
}

TEST_F(DetectorTest, ConnectionRatePerHostAndGlobal) {
  auto ch = tick({host("10.0.0.66", 10, 150)}, 150);
  ASSERT_EQ(ch.size(), 2u);
  bool host_alert = false, global_alert = false;
  for (const auto& a : ch) {
    EXPECT_EQ(a.severity, Severity::kMedium);
    host_alert |= a.kind == AlertKind::kConnectionRate && a.host == "10.0.0.66";
    global_alert |= a.kind == AlertKind::kConnectionRateGlobal && a.host.empty();
  }
  EXPECT_TRUE(host_alert);
  EXPECT_TRUE(global_alert);
  auto esc = tick({host("10.0.0.67", 10, 1001)});
  ASSERT_FALSE(esc.empty());
  EXPECT_EQ(esc.back().severity, Severity::kHigh);
}

TEST_F(DetectorTest, SubnetConnectionRateOverrideRaisesAndLowersThePerHostThreshold) {
  // 10.1.0.0/16 raises the connection rate (a proxy subnet), 10.2.0.0/16 lowers it, and a
  // /24 inside 10.1/16 sets only traffic (the connection rate still comes from the /16).
  cfg.subnet_thresholds = {{*parse_cidr("10.1.0.0/16"), std::nullopt, 1000},
                           {*parse_cidr("10.1.5.0/24"), 20, std::nullopt},
                           {*parse_cidr("10.2.0.0/16"), std::nullopt, 10}};
  auto conn = [](const std::vector<Alert>& ch) {
    std::vector<Alert> out;
    for (const auto& a : ch) {
      if (a.kind == AlertKind::kConnectionRate) out.push_back(a);
    }
    return out;
  };
  // The same 150 SYN/min: alerts outside any override, not inside the raised subnets.
  auto ch =
      conn(tick({host("10.0.0.66", 1, 150), host("10.1.0.66", 1, 150), host("10.1.5.66", 1, 150)}));
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].host, "10.0.0.66");
  EXPECT_EQ(ch[0].threshold, 100);
  // Above the raised threshold it alerts, and the alert carries the override.
  auto raised = conn(tick({host("10.1.5.66", 1, 1500)}));
  ASSERT_EQ(raised.size(), 1u);
  EXPECT_EQ(raised[0].host, "10.1.5.66");
  EXPECT_EQ(raised[0].threshold, 1000);
  EXPECT_EQ(raised[0].severity, Severity::kMedium);  // escalation is relative to the override
  // A lowered override alerts below the global threshold.
  auto lowered = conn(tick({host("10.2.0.7", 1, 15)}));
  ASSERT_EQ(lowered.size(), 1u);
  EXPECT_EQ(lowered[0].host, "10.2.0.7");
  EXPECT_EQ(lowered[0].threshold, 10);
  EXPECT_EQ(lowered[0].value, 15);
  // The network-wide alert still uses the global connection_rate_per_min.
  auto global = tick({}, 150);
  ASSERT_EQ(global.size(), 1u);
  EXPECT_EQ(global[0].kind, AlertKind::kConnectionRateGlobal);
  EXPECT_EQ(global[0].threshold, 100);
  // The sampler's prefilter reaches down to the lowest override (10 x 0.8).
  auto floor = Detector::floor_for(cfg);
  EXPECT_DOUBLE_EQ(floor.syn_per_min, 8);
  EXPECT_DOUBLE_EQ(floor.pps, 16);
}

TEST_F(DetectorTest, SubnetConnectionRateHysteresisUsesThePerHostThreshold) {
  cfg.clear_hold_s = 2;
  cfg.subnet_thresholds = {{*parse_cidr("10.1.0.0/16"), std::nullopt, 1000}};
  auto id = tick({host("10.1.0.9", 1, 1200)})[0].id;
  // 850 is under the global (100) clear level by far but inside the override's band
  // (800..1000): the alert stays open.
  for (int i = 0; i < 5; ++i) tick({host("10.1.0.9", 1, 850)});
  EXPECT_TRUE(store.find(id)->open);
  EXPECT_EQ(store.find(id)->threshold, 1000);
  // Below 800 for the hold: resolves.
  tick({host("10.1.0.9", 1, 700)});
  tick({host("10.1.0.9", 1, 700)});
  EXPECT_TRUE(store.find(id)->open);
  tick({host("10.1.0.9", 1, 700)});
  EXPECT_FALSE(store.find(id)->open);
}

TEST_F(DetectorTest, SubnetConnectionRateOverrideForIpv6) {
  cfg.subnet_thresholds = {{*parse_cidr("2001:db8::/32"), std::nullopt, 5000},
                           {*parse_cidr("2001:db8:bad::/48"), std::nullopt, 5}};
  auto ch = tick(
      {host("2001:db8:1::1", 1, 150), host("2001:db8:bad::1", 1, 6), host("2001:db9::1", 1, 150)});
  std::map<std::string, double> thr;
  for (const auto& a : ch) {
    if (a.kind == AlertKind::kConnectionRate) thr[a.host] = a.threshold;
  }
  EXPECT_EQ(thr.size(), 2u);
  EXPECT_EQ(thr.count("2001:db8:1::1"), 0u);
  EXPECT_EQ(thr["2001:db8:bad::1"], 5);
  EXPECT_EQ(thr["2001:db9::1"], 100);
  EXPECT_DOUBLE_EQ(Detector::floor_for(cfg).syn_per_min, 4);
}

TEST_F(DetectorTest, BlacklistIsHighAndNamesTheProtocol) {
  auto h = host("10.0.0.66", 50);
  h.blacklisted_delta = h.blacklisted_sent_delta = 50;
  h.blacklisted_pps = 50;
  h.class_delta[kIcmp] = 50;
  h.class_delta[kTcp] = 20;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kProtocolBlacklist);
  EXPECT_EQ(ch[0].severity, Severity::kHigh);
  EXPECT_EQ(ch[0].protocol, "ICMP");
  EXPECT_EQ(ch[0].count, 50u);
  tick({h});
  EXPECT_EQ(store.find(ch[0].id)->count, 100u);
}

TEST_F(DetectorTest, BlacklistNamesServicesOnlyWhenNeeded) {
  std::string why;
  cfg.protocol_blacklist = {*parse_blacklist_entry("ICMP", &why),
                            *parse_blacklist_entry("TELNET", &why),
                            *parse_blacklist_entry("GRE", &why)};
  HostObservation h = host("10.0.0.1", 0);
  h.blacklisted_delta = h.blacklisted_sent_delta = 5;
  h.class_delta[kTcp] = 5;
  EXPECT_EQ(name_blacklisted(h, cfg.protocol_blacklist), "TELNET");
  h.class_delta[kIcmp] = 5;  // ICMP explains all 5: TELNET is not named
  EXPECT_EQ(name_blacklisted(h, cfg.protocol_blacklist), "ICMP");
  h.blacklisted_delta = h.blacklisted_sent_delta =
      8;  // 3 more than ICMP explains: TCP services too
  EXPECT_EQ(name_blacklisted(h, cfg.protocol_blacklist), "ICMP,TELNET");
  HostObservation g = host("10.0.0.2", 0);
  g.blacklisted_delta = g.blacklisted_sent_delta = 1;
  g.class_delta[kOther] = 1;
  EXPECT_EQ(name_blacklisted(g, cfg.protocol_blacklist), "GRE");
}

TEST_F(DetectorTest, BlacklistClearsAfterTheHoldWithoutPackets) {
  cfg.clear_hold_s = 2;
  auto h = host("10.0.0.66", 5);
  h.blacklisted_delta = h.blacklisted_sent_delta = 1;
  h.class_delta[kIcmp] = 1;
  auto id = tick({h})[0].id;
  tick({});
  tick({});
  EXPECT_TRUE(store.find(id)->open);
  auto ch = tick({});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_FALSE(store.find(id)->open);
}

TEST_F(DetectorTest, ManualResolveHoldsUntilTheConditionClears) {
  cfg.clear_hold_s = 1;
  auto id = tick({host("10.0.0.5", 1500)})[0].id;
  auto r = det.resolve(id, now);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->open);
  EXPECT_TRUE(r->resolved_by_user);
  EXPECT_TRUE(tick({host("10.0.0.5", 1500)}).empty());  // still above: no new alert
  EXPECT_TRUE(open_alerts().empty());
  tick({});
  tick({});  // cleared and held
  auto again = tick({host("10.0.0.5", 1500)});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(again[0].id, id);
  EXPECT_FALSE(det.resolve("00000000-0000-4000-8000-000000000000", now));
}

TEST_F(DetectorTest, ConfigChangeKeepsOpenAlerts) {
  auto id = tick({host("10.0.0.5", 1500)})[0].id;
  cfg.traffic_threshold_pps = 1200;
  auto ch = tick({host("10.0.0.5", 1500)});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].id, id);
  EXPECT_EQ(ch[0].threshold, 1200);
}

TEST_F(DetectorTest, SensorHealth) {
  HealthInput h;
  h.dataplane = DataplaneState::kStale;
  auto ch = tick({}, 0, h);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kSensorHealth);
  EXPECT_EQ(ch[0].condition, "dataplane_stale");
  EXPECT_EQ(ch[0].severity, Severity::kMedium);
  h.dataplane = DataplaneState::kDown;
  h.drops_per_s = 50;
  h.pps = 1000;
  h.host_table_full_delta = 7;
  auto ch2 = tick({}, 0, h);
  std::map<std::string, Severity> seen;
  for (const auto& a : ch2) seen[a.condition] = a.severity;
  EXPECT_EQ(seen.at("dataplane_down"), Severity::kHigh);
  EXPECT_EQ(seen.at("source_drops"), Severity::kMedium);  // 50 of 1050 > 1%
  EXPECT_EQ(seen.at("host_table_full"), Severity::kLow);
}

TEST(AlertStore, EvictsOldestResolvedFirst) {
  AlertStore s(3);
  for (int i = 0; i < 3; ++i) {
    Alert a;
    a.id = "id" + std::to_string(i);
    a.host = "10.0.0." + std::to_string(i);  // one open alert per key
    a.open = i != 1;
    s.insert(a);
  }
  Alert d;
  d.id = "id3";
  d.host = "10.0.0.3";
  s.insert(d);
  EXPECT_EQ(s.size(), 3u);
  EXPECT_FALSE(s.find("id1"));
  EXPECT_TRUE(s.find("id0"));
  auto newest = s.list({10, {}, {}, {}});
  ASSERT_EQ(newest.size(), 3u);
  EXPECT_EQ(newest[0]->id, "id3");
}

TEST_F(DetectorProtocols, AnOpenAlertListsEachBlacklistedProtocolOnce) {
  // The default config blacklists ICMP and IGMP.
  auto send = [&](uint64_t icmp, uint64_t igmp) {
    HostObservation h = at("10.0.0.48");
    h.pps = h.pps_sent = static_cast<double>(icmp + igmp);
    h.blacklisted_delta = h.blacklisted_sent_delta = icmp + igmp;
    h.blacklisted_pps = static_cast<double>(icmp + igmp);
    h.class_delta[static_cast<size_t>(shm::ProtoClass::kIcmp)] = icmp;
    h.class_delta[static_cast<size_t>(shm::ProtoClass::kIgmp)] = igmp;
    return tick({h});
  };
  auto first = send(2, 0);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].protocol, "ICMP");
  send(2, 1);
  send(1, 1);
  send(0, 1);
  EXPECT_EQ(store.find(first[0].id)->protocol, "ICMP,IGMP");
}

namespace {
Alert stored(const char* id, AlertKind kind, const char* host, const char* condition,
             uint64_t count, int64_t last) {
  Alert a;
  a.id = id;
  a.kind = kind;
  a.host = host;
  a.condition = condition;
  a.severity = Severity::kMedium;
  a.count = count;
  a.first_seen_ms = 1000;
  a.last_seen_ms = last;
  return a;
}
}  // namespace

// Issue 14 item 1: alerts adopted after a restart continue when seen, resolve as "restart"
// when not, and of two stored open alerts for one key only the newest is kept.
TEST_F(DetectorTest, AdoptedAlertsContinueOrResolveAsRestart) {
  cfg.clear_hold_s = 3;
  auto closed = det.adopt({stored("a-old", AlertKind::kTrafficThreshold, "10.0.0.5", "", 7, 500),
                           stored("a-new", AlertKind::kTrafficThreshold, "10.0.0.5", "", 9, 900),
                           stored("b", AlertKind::kTrafficThreshold, "10.0.0.6", "", 4, 900)},
                          now);
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].id, "a-old");
  EXPECT_FALSE(closed[0].open);
  EXPECT_STREQ(resolved_by(closed[0]), "restart");
  // 10.0.0.5 is still over its threshold: same id, the count goes on.
  auto ch = tick({host("10.0.0.5", 1500)});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].id, "a-new");
  EXPECT_EQ(ch[0].count, 10u);
  EXPECT_EQ(ch[0].first_seen_ms, 1000);
  // 10.0.0.6 is never seen again: resolved after clear_hold_s, by "restart".
  std::vector<Alert> all;
  for (int i = 0; i < 4; ++i)
    for (auto& a : tick({host("10.0.0.5", 1500)})) all.push_back(a);
  const Alert* b = store.find("b");
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->open);
  EXPECT_STREQ(resolved_by(*b), "restart");
  EXPECT_TRUE(store.find("a-new")->open);
  // Cleared after being seen: an ordinary resolve.
  for (int i = 0; i < 5; ++i) tick({});
  EXPECT_FALSE(store.find("a-new")->open);
  EXPECT_STREQ(resolved_by(*store.find("a-new")), "auto");
}

TEST_F(DetectorTest, SpoolDegradedIsMediumThenHigh) {
  HealthInput h;
  h.spool_degraded = 1;
  auto ch = tick({}, 0, h);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].condition, "spool_degraded");
  EXPECT_EQ(ch[0].severity, Severity::kMedium);
  h.spool_degraded = 2;
  ch = tick({}, 0, h);
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].severity, Severity::kHigh);
  EXPECT_EQ(ch[0].id, open_alerts()[0]->id);
}

TEST_F(DetectorTest, EventAlertStaysOpenUntilResolvedByHand) {
  cfg.clear_hold_s = 1;
  auto a = det.raise_event("config_recovered", Severity::kHigh, "sensor: recovered", now);
  for (int i = 0; i < 5; ++i) tick({});
  EXPECT_TRUE(store.find(a.id)->open);
  auto again = det.raise_event("config_recovered", Severity::kHigh, "sensor: recovered", now);
  EXPECT_EQ(again.id, a.id);
  EXPECT_EQ(again.count, 2u);
  ASSERT_TRUE(det.resolve(a.id, now));
  EXPECT_FALSE(store.find(a.id)->open);
}
