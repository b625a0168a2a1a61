// Issue 13 item 2's victim rules: syn_flood (SYNs received that the host does not answer)
// and fan_in (distinct sources), each at its threshold, one above, cleared and raised again;
// their config fields with hostile values; the sampler's rates and fan-in estimate; and the
// top sources / protocol breakdown / attack type of victim alerts from packet samples.
#include <gtest/gtest.h>

#include <cmath>

#include "config/security_config.h"
#include "detect/detector.h"
#include "detect/victim_profile.h"
#include "detector_fixture.h"
#include "sampler/sampler.h"
#include "sampler/scan_window.h"
#include "securenet/common/uuid.h"

using namespace securenet;
using namespace securenet::control;

namespace {

class VictimRulesTest : public sn_test::DetectorFixture {
 protected:
  // A victim rule's edges (DetectorFixture::edges), its host named the victim.
  template <class Set>
  void victim_edges(const char* ip, AlertKind kind, double thr, Set set) {
    EXPECT_STREQ(alert_role(kind), "victim");
    edges(ip, kind, thr, set, "receiving");
  }
};

}  // namespace

TEST_F(VictimRulesTest, SynFloodEdges) {
  victim_edges("10.200.0.99", AlertKind::kSynFlood, 1000,
               [](HostObservation& h, double v) { h.syn_recv_pps = v; });
  HostObservation h = at("10.200.0.99");
  h.syn_recv_pps = 5000;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_STREQ(to_string(ch[0].kind), "syn_flood");
  EXPECT_EQ(ch[0].severity, Severity::kHigh);
  EXPECT_EQ(ch[0].description,
            "10.200.0.99: receiving 5000 TCP SYNs/s, 0% answered with SYN+ACK, threshold 1000 "
            "(SYN flood)");
  h.syn_recv_pps = 10001;  // above escalation_factor x threshold
  ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].severity, Severity::kCritical);
}

TEST_F(VictimRulesTest, ASynFloodIsOnlyUnansweredSyns) {
  HostObservation h = at("10.200.0.5");
  h.syn_recv_pps = 5000;
  h.synack_pps = 500;  // exactly 10% answered: a busy server, not a flood
  EXPECT_TRUE(tick({h}).empty());
  h.synack_pps = 499;
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kSynFlood);
  EXPECT_NE(ch[0].description.find("10% answered"), std::string::npos) << ch[0].description;
  // The server starts answering: the alert clears after clear_hold_s and resolves.
  h.synack_pps = 5000;
  for (int i = 0; i < 30 && !open_alerts().empty(); ++i) tick({h});
  EXPECT_TRUE(open_alerts().empty());
  cfg.syn_flood_answered_ratio = 1;  // every SYN must be answered
  h.synack_pps = 4999;
  ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kSynFlood);
}

TEST_F(VictimRulesTest, FanInEdges) {
  victim_edges("10.200.0.98", AlertKind::kFanIn, 10000,
               [](HostObservation& h, double v) { h.fanin_sources = v; });
  cfg.fan_in_sources = 200;
  victim_edges("10.200.0.98", AlertKind::kFanIn, 200,
               [](HostObservation& h, double v) { h.fanin_sources = v; });
}

TEST_F(VictimRulesTest, VictimRulesFollowTrafficReceivedScopeAndTheWhitelist) {
  HostObservation ext = at("203.0.113.9"), white = at("10.0.0.50");
  for (auto* h : {&ext, &white}) {
    h->syn_recv_pps = 1e6;
    h->fanin_sources = 20000;
  }
  cfg.whitelist.push_back(*parse_cidr("10.0.0.50/32"));
  EXPECT_TRUE(tick({ext, white}).empty());
  cfg.traffic_received_external = true;
  auto ch = tick({ext, white});
  ASSERT_EQ(ch.size(), 2u);
  for (const auto& a : ch) EXPECT_EQ(a.host, "203.0.113.9");
  EXPECT_DOUBLE_EQ(Detector::floor_for(cfg).syn_recv_pps, 800);
  EXPECT_DOUBLE_EQ(Detector::floor_for(cfg).fanin, 8000);
}

TEST(VictimConfig, DefaultsRoundTripAndHostileValues) {
  const SecurityConfig d = SecurityConfig::defaults();
  EXPECT_EQ(d.syn_flood_per_s, 1000);
  EXPECT_EQ(d.syn_flood_answered_ratio, 0.1);
  EXPECT_EQ(d.fan_in_sources, 10000);
  auto r = apply_config_json(
      d, R"({"syn_flood_per_s":250.5,"syn_flood_answered_ratio":0.5,"fan_in_sources":20000})");
  ASSERT_TRUE(r.ok) << r.error.detail;
  EXPECT_EQ(r.config.syn_flood_per_s, 250.5);
  EXPECT_EQ(r.config.syn_flood_answered_ratio, 0.5);
  EXPECT_EQ(r.config.fan_in_sources, 20000);
  const std::string j = config_to_json(r.config);
  EXPECT_NE(j.find("\"syn_flood_per_s\":250.5"), std::string::npos) << j;
  auto back = apply_config_json(d, j);
  ASSERT_TRUE(back.ok) << back.error.detail;
  EXPECT_EQ(config_to_json(back.config), j);
  struct Case {
    const char* json;
    const char* field;
  } cases[] = {
      {R"({"syn_flood_per_s":0})", "syn_flood_per_s"},
      {R"({"syn_flood_per_s":-1})", "syn_flood_per_s"},
      {R"({"syn_flood_per_s":1e13})", "syn_flood_per_s"},
      {R"({"syn_flood_per_s":"NaN"})", "syn_flood_per_s"},
      {R"({"syn_flood_per_s":null})", "syn_flood_per_s"},
      {R"({"syn_flood_answered_ratio":0})", "syn_flood_answered_ratio"},
      {R"({"syn_flood_answered_ratio":1.01})", "syn_flood_answered_ratio"},
      {R"({"syn_flood_answered_ratio":-0.1})", "syn_flood_answered_ratio"},
      {R"({"fan_in_sources":0})", "fan_in_sources"},
      {R"({"fan_in_sources":20001})", "fan_in_sources"},
      {R"({"fan_in_sources":[1]})", "fan_in_sources"},
  };
  for (const auto& c : cases) {
    auto e = apply_config_json(d, c.json);
    EXPECT_FALSE(e.ok) << c.json;
    EXPECT_EQ(e.error.field, c.field) << c.json << " -> " << e.error.detail;
  }
}

TEST(FaninSketch, LinearCountingTimesTheSamplingRate) {
  EXPECT_EQ(fanin_estimate({0, 0, 0, 0}), 0);
  EXPECT_NEAR(fanin_estimate({1, 0, 0, 0}), 16 * 256 * std::log(256.0 / 255), 1e-9);
  EXPECT_NEAR(fanin_estimate({~0ULL, ~0ULL, ~0ULL, ~0ULL}), 16 * 256 * std::log(256.0), 1e-6);
  // Half the bits: 256 ln 2 = 177 sampled sources, about 2,840 sources.
  EXPECT_NEAR(fanin_estimate({~0ULL, ~0ULL, 0, 0}), 16 * 256 * std::log(2.0), 1e-6);
  EXPECT_GT(fanin_estimate({~0ULL, ~0ULL, ~0ULL, 0x7fffffffffffffffULL}), kMaxFanIn);
}

TEST(FaninSketch, TheUnionCoversTheLastTwoWindowsOnly) {
  FaninHistory h;
  double e = update_fanin(h, 10, {1, 0, 0, 0}, 10);
  EXPECT_NEAR(e, fanin_estimate({1, 0, 0, 0}), 1e-9);
  e = update_fanin(h, 11, {2, 0, 0, 0}, 11);
  EXPECT_NEAR(e, fanin_estimate({3, 0, 0, 0}), 1e-9);
  e = update_fanin(h, 11, {4, 0, 0, 0}, 11);  // the same window read again: bits only grow
  EXPECT_NEAR(e, fanin_estimate({7, 0, 0, 0}), 1e-9);
  e = update_fanin(h, 12, {0, 1, 0, 0}, 12);  // window 10 ages out
  EXPECT_NEAR(e, fanin_estimate({6, 1, 0, 0}), 1e-9);
  e = update_fanin(h, 12, {0, 1, 0, 0}, 14);  // a quiet host while the network moved on
  EXPECT_EQ(e, 0);
}

TEST(VictimSampler, SynRatesAndFanInReachTheObservation) {
  Sampler s;
  constexpr uint64_t kSec = 1'000'000'000ULL;
  uint64_t t = 1000 * kSec;
  HostCounters h;
  h.key = *parse_ip_text("10.200.0.99");
  std::vector<HostObservation> obs;
  InterestFloor floor{1e18, 1e18, 0, 1e18, 1e18, 800, 8000};
  auto tick = [&](uint64_t syn, uint64_t synack) {
    t += kSec;
    h.syn_recv = syn;
    h.synack_sent = synack;
    h.last_seen_ns = 1'700'000'000'000'000'000ULL + t;
    h.fanin_window = h.last_seen_ns / shm::kScanWindowNs + 1;
    GlobalCounters g;
    g.packets = syn;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), g);
    s.add_host(h);
    s.end_tick(floor, obs);
  };
  tick(0, 0);
  tick(900, 10);  // 900 SYNs/s: above the floor
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_DOUBLE_EQ(obs[0].syn_recv_pps, 900);
  EXPECT_DOUBLE_EQ(obs[0].synack_pps, 10);
  EXPECT_EQ(obs[0].fanin_sources, 0);
  tick(1000, 20);  // 100 SYNs/s, no fan-in: below every floor
  EXPECT_TRUE(obs.empty());
  h.fanin_bits = {~0ULL, ~0ULL, 0, 0};  // about 2,840 sources: under the floor
  tick(1000, 20);
  EXPECT_TRUE(obs.empty());
  h.fanin_bits = {~0ULL, ~0ULL, ~0ULL, ~0ULL};  // saturated: about 22,700
  tick(1000, 20);
  ASSERT_EQ(obs.size(), 1u);
  EXPECT_NEAR(obs[0].fanin_sources, fanin_estimate({~0ULL, ~0ULL, ~0ULL, ~0ULL}), 1e-9);
}

namespace {
ProfileSample sample(const char* src, const char* dst, uint8_t proto, uint16_t sport,
                     uint16_t dport, uint8_t flags = 0) {
  ProfileSample s;
  s.ms = 1000;
  s.src = *parse_ip_text(src);
  s.dst = *parse_ip_text(dst);
  s.ip_proto = proto;
  s.sport = sport;
  s.dport = dport;
  s.tcp_flags = flags;
  return s;
}
}  // namespace

TEST(VictimProfile, BreakdownKeysAndAttackTypes) {
  auto syn = breakdown_key(sample("198.18.0.1", "10.0.0.1", 6, 40000, 80, 0x02));
  EXPECT_EQ(syn.protocol, "tcp_syn");
  EXPECT_EQ(syn.dst_port, 80);
  EXPECT_EQ(syn.src_port, -1);
  auto dns = breakdown_key(sample("203.0.113.1", "10.0.0.1", 17, 53, 40000));
  EXPECT_EQ(dns.protocol, "udp");
  EXPECT_EQ(dns.src_port, 53);
  EXPECT_EQ(dns.dst_port, -1);
  auto mc = breakdown_key(sample("203.0.113.1", "10.0.0.1", 17, 11211, 5000));
  EXPECT_EQ(mc.src_port, 11211);
  auto icmp = breakdown_key(sample("203.0.113.1", "10.0.0.1", 1, 0, 0));
  EXPECT_EQ(icmp.protocol, "icmp");
  EXPECT_EQ(icmp.src_port, -1);
  EXPECT_EQ(icmp.dst_port, -1);
  EXPECT_EQ(breakdown_key(sample("203.0.113.1", "10.0.0.1", 47, 0, 0)).protocol, "ip-47");
  EXPECT_EQ(attack_type({{"tcp_syn", -1, 80, 6}, {"udp", -1, 53, 4}}, 10), "SYN flood");
  EXPECT_EQ(attack_type({{"udp", 53, -1, 6}, {"udp", 123, -1, 4}}, 10),
            "DNS reflection/amplification");
  EXPECT_EQ(attack_type({{"udp", 53, -1, 4}, {"udp", 123, -1, 4}, {"tcp", -1, 80, 2}}, 10),
            "UDP reflection/amplification");
  EXPECT_EQ(attack_type({{"udp", -1, 9999, 6}, {"tcp", -1, 80, 4}}, 10), "UDP flood");
  EXPECT_EQ(attack_type({{"icmp", -1, -1, 5}, {"tcp", -1, 80, 5}}, 10), "ICMP flood");
  EXPECT_EQ(attack_type({{"tcp", -1, 443, 3}, {"tcp_syn", -1, 80, 2}, {"udp", -1, 9, 4}}, 10),
            "TCP flood");
  EXPECT_EQ(attack_type({{"udp", -1, 9, 5}, {"tcp", -1, 443, 5}}, 10), "UDP flood");  // half
  EXPECT_EQ(attack_type({{"icmp", -1, -1, 4}, {"tcp", -1, 80, 3}, {"udp", -1, 9, 3}}, 10),
            "mixed flood");
  EXPECT_EQ(attack_type({}, 0), "");
}

TEST(VictimProfile, AVictimAlertGetsItsTopSourcesBreakdownAndAttackType) {
  VictimProfiler vp;
  // 12 spoofed sources, source i sending i+1 SYNs to port 80; other traffic elsewhere.
  for (int i = 0; i < 12; ++i) {
    const std::string src = "198.18.0." + std::to_string(i + 1);
    for (int k = 0; k <= i; ++k) vp.add(sample(src.c_str(), "10.200.0.99", 6, 1024 + k, 80, 0x02));
  }
  vp.add(sample("10.0.0.1", "10.200.0.99", 17, 40000, 53));
  vp.add(sample("10.0.0.1", "10.200.0.1", 17, 40000, 53));
  const VictimProfile p = vp.profile(*parse_ip_text("10.200.0.99"));
  EXPECT_EQ(p.samples, 79u);  // 78 SYNs + 1 UDP
  ASSERT_EQ(p.top_sources.size(), kProfileTop);
  EXPECT_EQ(p.top_sources[0].ip, "198.18.0.12");
  EXPECT_EQ(p.top_sources[0].packets, 12u);
  EXPECT_EQ(p.top_sources[9].ip, "198.18.0.3");
  ASSERT_EQ(p.breakdown.size(), 2u);
  EXPECT_EQ(p.breakdown[0].protocol, "tcp_syn");
  EXPECT_EQ(p.breakdown[0].dst_port, 80);
  EXPECT_EQ(p.breakdown[0].packets, 78u);
  EXPECT_EQ(p.attack_type, "SYN flood");

  AlertStore store;
  Alert victim, attacker;
  victim.id = new_uuid();
  victim.kind = AlertKind::kSynFlood;
  victim.host = "10.200.0.99";
  victim.description = "10.200.0.99: receiving";
  attacker.id = new_uuid();
  attacker.kind = AlertKind::kTrafficThreshold;
  attacker.host = "10.200.0.99";
  attacker.description = "sending";
  store.insert(victim);
  store.insert(attacker);
  std::vector<Alert> changed{victim, attacker};
  vp.annotate(changed, store);
  EXPECT_EQ(changed[0].attack_type, "SYN flood");
  EXPECT_EQ(changed[0].top_sources.size(), kProfileTop);
  EXPECT_EQ(store.find(victim.id)->breakdown.size(), 2u);
  EXPECT_NE(changed[0].description.find("attack type: SYN flood (79 sampled packets, top source "
                                        "198.18.0.12, mostly tcp_syn to port 80)"),
            std::string::npos)
      << changed[0].description;
  EXPECT_TRUE(changed[1].top_sources.empty());  // an attacker's alert is not profiled
  EXPECT_EQ(changed[1].description, "sending");
  const std::string j = alert_to_json(changed[0]);
  EXPECT_NE(j.find("\"top_sources\":[{\"ip\":\"198.18.0.12\",\"packets\":12}"), std::string::npos)
      << j;
  EXPECT_NE(j.find("\"breakdown\":[{\"protocol\":\"tcp_syn\",\"src_port\":null,\"dst_port\":80,"
                   "\"packets\":78}"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find("\"attack_type\":\"SYN flood\""), std::string::npos) << j;
  const std::string k = alert_to_json(changed[1]);
  EXPECT_NE(k.find("\"top_sources\":null"), std::string::npos) << k;
  // Samples older than the window are gone; without new samples the profile stays.
  vp.expire(1000 + kProfileWindowMs + 1);
  EXPECT_EQ(vp.size(), 0u);
  changed = {*store.find(victim.id)};
  vp.annotate(changed, store);
  EXPECT_EQ(changed[0].attack_type, "SYN flood");
}
