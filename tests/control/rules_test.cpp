// Issue 13's rules: traffic_sent / traffic_received (packets/s and Mbit/s), the blacklist on
// the sender only and never on groups, port_scan / host_scan on the sampler's fan-out
// estimates, reflection; each at its threshold, one above, cleared and raised again. Plus
// their config fields (the old name traffic_threshold_pps, hostile values) and the scan
// window arithmetic.
#include <gtest/gtest.h>

#include <cmath>

#include "config/security_config.h"
#include "detect/detector.h"
#include "detector_fixture.h"
#include "sampler/sampler.h"
#include "sampler/scan_window.h"
#include "util/cidr.h"

using namespace securenet;
using namespace securenet::control;

namespace {

using RulesTest = sn_test::DetectorFixture;

}  // namespace

TEST_F(RulesTest, TrafficSentEdges) {
  edges(
      "10.0.0.5", AlertKind::kTrafficThreshold, 1000,
      [](HostObservation& h, double v) { h.pps_sent = v; }, "sending");
  HostObservation h = at("10.0.0.5");
  h.pps_sent = 1001;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_NE(ch[0].description.find("sending 1001 packets/s"), std::string::npos)
      << ch[0].description;
  EXPECT_STREQ(to_string(ch[0].kind), "traffic_sent");
  EXPECT_STREQ(alert_role(ch[0].kind), "attacker");
}

TEST_F(RulesTest, BothEndsUnderTheirThresholdsRaiseNothing) {
  // A download at 1,700 packets/s received, a scanner and its target at 658 each way, both
  // ends of an exchange at exactly 1,000 packets/s: none was an alert of its own direction.
  HostObservation phone = at("192.168.1.20"), a = at("10.0.0.1"), b = at("10.0.0.2");
  phone.pps = phone.pps_recv = 1700;
  a.pps_sent = a.pps_recv = b.pps_sent = b.pps_recv = 1000;
  a.pps = b.pps = 2000;
  EXPECT_TRUE(tick({phone, a, b}).empty());
}

TEST_F(RulesTest, TrafficReceivedEdgesNameTheVictim) {
  edges(
      "10.10.10.10", AlertKind::kTrafficReceived, 10000,
      [](HostObservation& h, double v) { h.pps_recv = v; }, "receiving");
  HostObservation h = at("10.10.10.10");
  h.pps_recv = 21593;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].description, "10.10.10.10: receiving 21593 packets/s, threshold 10000");
  EXPECT_STREQ(alert_role(ch[0].kind), "victim");
}

TEST_F(RulesTest, TrafficReceivedIsOffOutsideHomeNetworksUnlessAsked) {
  HostObservation h = at("203.0.113.9");
  h.pps_recv = 50000;
  EXPECT_TRUE(tick({h}).empty());
  cfg.traffic_received_external = true;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kTrafficReceived);
}

TEST_F(RulesTest, SubnetOverridesPerDirection) {
  SubnetThreshold s;
  s.cidr = *parse_cidr("10.1.0.0/16");
  s.traffic_received_pps = 100;
  cfg.subnet_thresholds.push_back(s);
  HostObservation h = at("10.1.0.9"), g = at("10.2.0.9");
  h.pps_recv = g.pps_recv = 101;
  auto ch = tick({h, g});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].host, "10.1.0.9");
  EXPECT_EQ(ch[0].threshold, 100);
  EXPECT_DOUBLE_EQ(Detector::floor_for(cfg).pps, 80);
}

TEST_F(RulesTest, MbitPerSecondThresholdsAlongsidePackets) {
  cfg.traffic_sent_mbps = 100;
  edges(
      "10.0.0.5", AlertKind::kTrafficThreshold, 100,
      [](HostObservation& h, double v) { h.bps_sent = v * 1e6; }, "sending");
  HostObservation h = at("10.0.0.5");
  h.bps_sent = 250e6;
  h.pps_sent = 900;  // under its own threshold
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_NE(ch[0].description.find("sending 250 Mbit/s, threshold 100"), std::string::npos)
      << ch[0].description;
  cfg.traffic_sent_mbps = 0;  // off: bits alone never alert
  clear_all();
  h.pps_sent = 0;
  h.bps_sent = 1e12;
  EXPECT_TRUE(tick({h}).empty());
  EXPECT_EQ(Detector::floor_for(cfg).bps, 0);
}

TEST_F(RulesTest, BlacklistAlertsOnTheSenderOnly) {
  HostObservation sender = at("10.0.0.9"), target = at("10.1.2.7");
  sender.blacklisted_delta = sender.blacklisted_sent_delta = 254;
  sender.class_delta[static_cast<size_t>(shm::ProtoClass::kIcmp)] = 254;
  target.blacklisted_delta = 1;  // received: shown in its host view, not alerted
  target.class_delta[static_cast<size_t>(shm::ProtoClass::kIcmp)] = 1;
  auto ch = tick({sender, target});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].host, "10.0.0.9");
  EXPECT_EQ(ch[0].count, 254u);
  EXPECT_EQ(ch[0].protocol, "ICMP");
  EXPECT_NE(ch[0].description.find("sending"), std::string::npos);
}

TEST_F(RulesTest, NoHostRuleOnMulticastOrBroadcastAddresses) {
  cfg.home_networks.push_back(*parse_cidr("192.168.7.0/24"));
  cfg.traffic_received_external = true;
  for (const char* g :
       {"224.0.0.1", "239.255.255.250", "255.255.255.255", "ff02::1", "192.168.7.255"}) {
    HostObservation h = at(g);
    h.blacklisted_delta = h.blacklisted_sent_delta = 5;
    h.class_delta[static_cast<size_t>(shm::ProtoClass::kIgmp)] = 5;
    h.pps_recv = 1e6;
    h.pps_sent = 1e6;
    h.reflection_pps = 1e6;
    h.hosts_fanout = 500;
    EXPECT_TRUE(tick({h}).empty()) << g;
  }
  EXPECT_TRUE(cfg.subnet_broadcast(*parse_ip_text("192.168.7.255")));
  EXPECT_FALSE(cfg.subnet_broadcast(*parse_ip_text("192.168.7.254")));
  EXPECT_FALSE(cfg.subnet_broadcast(*parse_ip_text("10.255.255.254")));
}

TEST_F(RulesTest, PortScanEdges) {
  edges(
      "10.0.0.9", AlertKind::kPortScan, 100,
      [](HostObservation& h, double v) { h.ports_fanout = v; }, "sending");
}

TEST_F(RulesTest, HostScanEdges) {
  edges(
      "10.0.0.9", AlertKind::kHostScan, 50,
      [](HostObservation& h, double v) { h.hosts_fanout = v; }, "sending");
}

TEST_F(RulesTest, ReflectionEdgesAreHigh) {
  edges(
      "10.0.0.7", AlertKind::kReflection, 1000,
      [](HostObservation& h, double v) { h.reflection_pps = v; }, "receiving");
  HostObservation h = at("10.0.0.7");
  h.reflection_pps = 5000;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].severity, Severity::kHigh);
  EXPECT_NE(ch[0].description.find("reflection"), std::string::npos);
}

TEST_F(RulesTest, AlertJsonCarriesDirectionAndRole) {
  Alert a;
  a.kind = AlertKind::kTrafficReceived;
  std::string j = alert_to_json(a);
  EXPECT_NE(j.find("\"direction\":\"receiving\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"role\":\"victim\""), std::string::npos) << j;
  a.kind = AlertKind::kSensorHealth;
  j = alert_to_json(a);
  EXPECT_NE(j.find("\"direction\":null"), std::string::npos) << j;
  EXPECT_NE(j.find("\"role\":null"), std::string::npos) << j;
}

TEST(RulesConfig, DefaultsAndTheOldNameOfTrafficSent) {
  auto d = SecurityConfig::defaults();
  EXPECT_EQ(d.traffic_threshold_pps, 1000);
  EXPECT_EQ(d.traffic_received_pps, 10000);
  EXPECT_EQ(d.traffic_sent_mbps, 0);
  EXPECT_EQ(d.traffic_received_mbps, 0);
  EXPECT_FALSE(d.traffic_received_external);
  EXPECT_EQ(d.port_scan_ports, 100);
  EXPECT_EQ(d.host_scan_hosts, 50);
  EXPECT_EQ(d.reflection_pps, 1000);
  auto r = apply_config_json(d, R"({"traffic_threshold_pps":700,
    "subnet_thresholds":[{"cidr":"10.1.0.0/16","traffic_threshold_pps":50},{"cidr":"10.2.0.0/16","traffic_received_pps":9}]})");
  ASSERT_TRUE(r.ok) << r.error.detail;
  EXPECT_EQ(r.config.traffic_threshold_pps, 700);
  EXPECT_EQ(r.config.host_threshold(*parse_ip_text("10.1.0.1")), 50);
  EXPECT_EQ(r.config.host_received_threshold(*parse_ip_text("10.2.0.1")), 9);
  EXPECT_EQ(r.config.host_received_threshold(*parse_ip_text("10.1.0.1")), 10000);
  const std::string j = config_to_json(r.config);
  EXPECT_NE(j.find("\"traffic_sent_pps\":700"), std::string::npos) << j;
  EXPECT_EQ(j.find("traffic_threshold_pps"), std::string::npos) << j;
  EXPECT_NE(j.find("\"traffic_received_pps\":9"), std::string::npos) << j;
  // What GET returns is accepted back as is.
  auto back = apply_config_json(d, j);
  ASSERT_TRUE(back.ok) << back.error.detail;
  EXPECT_EQ(config_to_json(back.config), j);
  auto all = apply_config_json(
      d, R"({"traffic_sent_pps":10,"traffic_sent_mbps":5,"traffic_received_pps":20,
    "traffic_received_mbps":0,"traffic_received_external":true,"port_scan_ports":30,"host_scan_hosts":40,
    "reflection_pps":60})");
  ASSERT_TRUE(all.ok) << all.error.detail;
  EXPECT_EQ(all.config.traffic_threshold_pps, 10);
  EXPECT_EQ(all.config.traffic_sent_mbps, 5);
  EXPECT_TRUE(all.config.traffic_received_external);
  EXPECT_EQ(all.config.port_scan_ports, 30);
  EXPECT_EQ(all.config.host_scan_hosts, 40);
  EXPECT_EQ(all.config.reflection_pps, 60);
}

TEST(RulesConfig, HostileValuesAreRefusedWithTheirField) {
  const SecurityConfig d = SecurityConfig::defaults();
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"traffic_sent_pps":1,"traffic_threshold_pps":2})", "traffic_threshold_pps"},
      {R"({"traffic_received_pps":0})", "traffic_received_pps"},
      {R"({"traffic_received_pps":-5})", "traffic_received_pps"},
      {R"({"traffic_sent_mbps":-1})", "traffic_sent_mbps"},
      {R"({"traffic_received_mbps":1e13})", "traffic_received_mbps"},
      {R"({"traffic_received_external":"yes"})", "traffic_received_external"},
      {R"({"traffic_received_external":1})", "traffic_received_external"},
      {R"({"port_scan_ports":0})", "port_scan_ports"},
      {R"({"port_scan_ports":501})", "port_scan_ports"},
      {R"({"host_scan_hosts":"50"})", "host_scan_hosts"},
      {R"({"reflection_pps":null})", "reflection_pps"},
      {R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_sent_pps":1,"traffic_threshold_pps":2}]})",
       "subnet_thresholds"},
      {R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","traffic_received_pps":0}]})",
       "subnet_thresholds"},
  };
  for (const auto& c : cases) {
    auto r = apply_config_json(d, c.json);
    EXPECT_FALSE(r.ok) << c.json;
    EXPECT_EQ(r.error.field, c.field) << c.json << " -> " << r.error.detail;
  }
}

TEST(ScanWindow, LinearCountingEstimates) {
  EXPECT_EQ(sketch_estimate(0), 0);
  EXPECT_NEAR(sketch_estimate(1), 1.0, 0.01);
  EXPECT_NEAR(sketch_estimate(~0ULL), 64 * std::log(64.0), 0.01);
  // 32 of 64 bits set: 64 ln 2, about 44 distinct values
  EXPECT_NEAR(sketch_estimate(0xFFFFFFFFULL), 64 * std::log(2.0), 0.01);
  EXPECT_NEAR(sketch_estimate(0xFFFFFFFF00000000ULL), sketch_estimate(0x5555555555555555ULL), 1e-9);
}

TEST(ScanWindow, TheUnionCoversTheLastFourWindowsOnly) {
  ScanHistory h;
  // One distinct port per window (a different bit each): four windows add up to 4 bits.
  Fanout f;
  for (uint64_t w = 10; w < 14; ++w) f = update_scan(h, w, 1ULL << w, 1, w);
  EXPECT_NEAR(f.ports, sketch_estimate(0xFULL << 10), 1e-9);
  EXPECT_NEAR(f.hosts, sketch_estimate(1), 1e-9);
  // Window 13 read again with one more bit: its bits only grow.
  f = update_scan(h, 13, 1ULL << 40, 0, 13);
  EXPECT_NEAR(f.ports, sketch_estimate(0xFULL << 10 | 1ULL << 40), 1e-9);
  EXPECT_NEAR(f.hosts, sketch_estimate(1), 1e-9);
  // Window 14: window 10 ages out.
  f = update_scan(h, 14, 1ULL << 14, 0, 14);
  EXPECT_NEAR(f.ports, sketch_estimate(0xFULL << 11 | 1ULL << 40), 1e-9);
  // The host has been quiet while the network moved on: everything ages out.
  f = update_scan(h, 14, 1ULL << 14, 0, 18);
  EXPECT_EQ(f.ports, 0);
  EXPECT_EQ(f.hosts, 0);
}

TEST(RulesSampler, DirectionsAndFanOutReachTheObservation) {
  Sampler s;
  constexpr uint64_t kSec = 1'000'000'000ULL;
  uint64_t t = 1000 * kSec;
  HostCounters h;
  h.key = *parse_ip_text("10.0.0.9");
  std::vector<HostObservation> obs;
  InterestFloor floor{1e18, 1e18, 0, 40, 1e18};
  auto tick = [&](uint64_t sent, uint64_t recv) {
    t += kSec;
    h.packets_sent = sent;
    h.packets_recv = recv;
    h.bytes_sent = sent * 100;
    h.bytes_recv = recv * 60;
    h.last_seen_ns = 1'700'000'000'000'000'000ULL + t;
    h.scan_window = h.last_seen_ns / shm::kScanWindowNs + 1;
    GlobalCounters g;
    g.packets = sent + recv;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), g);
    s.add_host(h);
    s.end_tick(floor, obs);
  };
  h.scan_port_bits = 0xFFFFFFFFULL;  // 32 of 64 bits: about 44 ports
  tick(0, 0);
  tick(300, 7000);
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_DOUBLE_EQ(obs[0].pps_sent, 300);
  EXPECT_DOUBLE_EQ(obs[0].pps_recv, 7000);
  EXPECT_DOUBLE_EQ(obs[0].bps_sent, 300 * 800);
  EXPECT_DOUBLE_EQ(obs[0].bps_recv, 7000 * 480);
  EXPECT_NEAR(obs[0].ports_fanout, sketch_estimate(0xFFFFFFFFULL), 1e-9);
  EXPECT_EQ(obs[0].hosts_fanout, 0);
  tick(600, 7500);
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_DOUBLE_EQ(obs[0].pps_sent, 300);
  EXPECT_DOUBLE_EQ(obs[0].pps_recv, 500);
}
