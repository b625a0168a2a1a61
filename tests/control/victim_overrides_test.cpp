// Per-subnet overrides of the victim and Mbit/s rules (issue 13): traffic_received_mbps,
// traffic_sent_mbps, reflection_pps, syn_flood_per_s, syn_flood_answered_ratio and
// fan_in_sources in subnet_thresholds. Each rule's edges under an override (at the override,
// one above, cleared, raised again), a host outside the subnet keeping the default, the most
// specific prefix winning per field, the sampler's floor, and the fields' parsing with
// hostile values, through config_to_json and the config file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>

#include "config/config_file.h"
#include "config/security_config.h"
#include "detector_fixture.h"

using namespace securenet;
using namespace securenet::control;

namespace {

using Set = std::function<void(HostObservation&, double)>;

class VictimOverridesTest : public sn_test::DetectorFixture {
 protected:
  // Adds an override of `json_field` for `cidr` through the parser (as the API would).
  void override_with(const std::string& entries) {
    auto r = apply_config_json(cfg, R"({"subnet_thresholds":[)" + entries + "]}");
    ASSERT_TRUE(r.ok) << r.error.detail;
    cfg = r.config;
  }
  // The host outside the subnet keeps the global: above the override, at the global, it
  // raises nothing; one above the global it alerts with the global threshold.
  void outside_keeps_default(const char* ip, AlertKind kind, double override_thr, double global,
                             const Set& set) {
    HostObservation h = at(ip);
    set(h, override_thr + 1);
    EXPECT_TRUE(tick({h}).empty()) << "above the override outside its subnet";
    set(h, global);
    EXPECT_TRUE(tick({h}).empty()) << "at the global";
    set(h, global + 1);
    auto ch = tick({h});
    ASSERT_EQ(ch.size(), 1u) << "one above the global";
    EXPECT_EQ(ch[0].kind, kind);
    EXPECT_EQ(ch[0].threshold, global);
    clear_all();
  }
};

const Set kSynRecv = [](HostObservation& h, double v) { h.syn_recv_pps = v; };
const Set kFanIn = [](HostObservation& h, double v) { h.fanin_sources = v; };
const Set kReflection = [](HostObservation& h, double v) { h.reflection_pps = v; };
const Set kRecvPps = [](HostObservation& h, double v) { h.pps_recv = v; };
const Set kRecvMbps = [](HostObservation& h, double v) { h.bps_recv = v * 1e6; };
const Set kSentMbps = [](HostObservation& h, double v) { h.bps_sent = v * 1e6; };

}  // namespace

TEST_F(VictimOverridesTest, SynFloodUnderAnOverride) {
  override_with(R"({"cidr":"10.50.0.0/16","syn_flood_per_s":300})");
  edges("10.50.1.9", AlertKind::kSynFlood, 300, kSynRecv, "receiving");
  outside_keeps_default("10.60.0.9", AlertKind::kSynFlood, 300, 1000, kSynRecv);
  // Raised by the override: the threshold also sets the clear level and the escalation.
  HostObservation h = at("10.50.1.9");
  h.syn_recv_pps = 3001;  // > escalation_factor x 300
  auto ch = tick({h});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].severity, Severity::kCritical);
  EXPECT_NE(ch[0].description.find("threshold 300 "), std::string::npos) << ch[0].description;
}

TEST_F(VictimOverridesTest, SynFloodAnsweredRatioUnderAnOverride) {
  override_with(R"({"cidr":"10.50.0.0/16","syn_flood_answered_ratio":0.5})");
  HostObservation in = at("10.50.1.9"), out = at("10.60.0.9");
  for (auto* h : {&in, &out}) {
    h->syn_recv_pps = 5000;
    h->synack_pps = 2500;  // exactly half answered: enough in the subnet, plenty outside
  }
  EXPECT_TRUE(tick({in, out}).empty());
  in.synack_pps = out.synack_pps = 2499;  // one below half: a flood in the subnet only
  auto ch = tick({in, out});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].kind, AlertKind::kSynFlood);
  EXPECT_EQ(ch[0].host, "10.50.1.9");
  EXPECT_EQ(ch[0].threshold, 1000);  // the rate threshold stays the global
  const std::string first = ch[0].id;
  in.synack_pps = 2500;  // answered again: cleared after clear_hold_s
  for (int i = 0; i < 30 && !open_alerts().empty(); ++i) tick({in, out});
  ASSERT_TRUE(open_alerts().empty());
  in.synack_pps = 2499;
  ch = tick({in, out});
  ASSERT_EQ(ch.size(), 1u) << "raised again";
  EXPECT_NE(ch[0].id, first);
  out.synack_pps = 499;  // outside: the global 10% still applies
  ch = tick({in, out});
  ASSERT_EQ(ch.size(), 2u);
}

TEST_F(VictimOverridesTest, FanInUnderAnOverride) {
  override_with(R"({"cidr":"10.50.0.0/16","fan_in_sources":300})");
  edges("10.50.1.9", AlertKind::kFanIn, 300, kFanIn, "receiving");
  outside_keeps_default("10.60.0.9", AlertKind::kFanIn, 300, 10000, kFanIn);
  // Raised above the global in a subnet that allows more (a CDN's front door).
  override_with(R"({"cidr":"10.50.0.0/16","fan_in_sources":20000})");
  edges("10.50.1.9", AlertKind::kFanIn, 20000, kFanIn, "receiving");
}

TEST_F(VictimOverridesTest, ReflectionUnderAnOverride) {
  override_with(R"({"cidr":"10.50.0.0/16","reflection_pps":50})");
  edges("10.50.1.9", AlertKind::kReflection, 50, kReflection, "receiving");
  outside_keeps_default("10.60.0.9", AlertKind::kReflection, 50, 1000, kReflection);
}

TEST_F(VictimOverridesTest, ReceivedMbpsUnderAnOverride) {
  override_with(R"({"cidr":"10.50.0.0/16","traffic_received_mbps":40})");
  edges("10.50.1.9", AlertKind::kTrafficReceived, 40, kRecvMbps, "receiving");
  // Outside, the global Mbit/s rule is off (0): only packets/s count there.
  HostObservation h = at("10.60.0.9");
  h.bps_recv = 1e12;
  EXPECT_TRUE(tick({h}).empty());
  cfg.traffic_received_mbps = 100;
  outside_keeps_default("10.60.0.9", AlertKind::kTrafficReceived, 40, 100, kRecvMbps);
  // An override of 0 turns the Mbit/s rule off in its subnet while the global is on.
  override_with(R"({"cidr":"10.50.0.0/16","traffic_received_mbps":0})");
  h = at("10.50.1.9");
  h.bps_recv = 1e12;
  EXPECT_TRUE(tick({h}).empty());
}

TEST_F(VictimOverridesTest, SentMbpsUnderAnOverride) {
  override_with(R"({"cidr":"10.50.0.0/16","traffic_sent_mbps":25})");
  edges("10.50.1.9", AlertKind::kTrafficThreshold, 25, kSentMbps, "sending");
  cfg.traffic_sent_mbps = 500;
  outside_keeps_default("10.60.0.9", AlertKind::kTrafficThreshold, 25, 500, kSentMbps);
}

TEST_F(VictimOverridesTest, ReceivedPpsOverrideStillHolds) {
  override_with(R"({"cidr":"10.50.0.0/16","traffic_received_pps":700})");
  edges("10.50.1.9", AlertKind::kTrafficReceived, 700, kRecvPps, "receiving");
  outside_keeps_default("10.60.0.9", AlertKind::kTrafficReceived, 700, 10000, kRecvPps);
}

TEST_F(VictimOverridesTest, TheMostSpecificPrefixWinsPerField) {
  override_with(R"({"cidr":"10.50.0.0/16","syn_flood_per_s":500,"fan_in_sources":400},
                   {"cidr":"10.50.7.0/24","syn_flood_per_s":200},
                   {"cidr":"10.50.7.128/25","reflection_pps":30})");
  const VictimThresholds a = cfg.host_victim(*parse_ip_text("10.50.7.200"));
  EXPECT_EQ(a.syn_flood_per_s, 200);           // the /24
  EXPECT_EQ(a.fan_in_sources, 400);            // the /16 (the /24 and /25 do not set it)
  EXPECT_EQ(a.reflection_pps, 30);             // the /25
  EXPECT_EQ(a.syn_flood_answered_ratio, 0.1);  // no override sets it: the global
  EXPECT_EQ(a.received_pps, 10000);
  const VictimThresholds b = cfg.host_victim(*parse_ip_text("10.50.8.1"));
  EXPECT_EQ(b.syn_flood_per_s, 500);
  EXPECT_EQ(b.reflection_pps, 1000);
  edges("10.50.7.200", AlertKind::kSynFlood, 200, kSynRecv, "receiving");
  edges("10.50.8.1", AlertKind::kSynFlood, 500, kSynRecv, "receiving");
  edges("10.50.7.200", AlertKind::kFanIn, 400, kFanIn, "receiving");
}

TEST_F(VictimOverridesTest, AnOverrideDoesNotWidenTheScopeOrTheWhitelist) {
  // Outside home_networks the victim rules are off unless traffic_received_external.
  override_with(R"({"cidr":"203.0.113.0/24","syn_flood_per_s":10,"fan_in_sources":10},
                   {"cidr":"10.0.0.50/32","syn_flood_per_s":10})");
  cfg.whitelist.push_back(*parse_cidr("10.0.0.50/32"));
  HostObservation ext = at("203.0.113.9"), white = at("10.0.0.50");
  for (auto* h : {&ext, &white}) h->syn_recv_pps = 500;
  EXPECT_TRUE(tick({ext, white}).empty());
  cfg.traffic_received_external = true;
  auto ch = tick({ext, white});
  ASSERT_EQ(ch.size(), 1u);
  EXPECT_EQ(ch[0].host, "203.0.113.9");
  EXPECT_EQ(ch[0].threshold, 10);
}

TEST(VictimOverridesFloor, TheSamplersFloorIsTheLowestOverride) {
  SecurityConfig cfg = SecurityConfig::defaults();
  auto f = Detector::floor_for(cfg);
  EXPECT_DOUBLE_EQ(f.reflection_pps, 800);
  EXPECT_DOUBLE_EQ(f.syn_recv_pps, 800);
  EXPECT_DOUBLE_EQ(f.fanin, 8000);
  EXPECT_EQ(f.bps, 0);  // no Mbit/s rule on
  auto r = apply_config_json(cfg, R"({"subnet_thresholds":[
      {"cidr":"10.1.0.0/16","reflection_pps":100,"syn_flood_per_s":50,"fan_in_sources":250},
      {"cidr":"10.2.0.0/16","traffic_received_mbps":10,"fan_in_sources":15000},
      {"cidr":"10.3.0.0/16","traffic_sent_mbps":0}]})");
  ASSERT_TRUE(r.ok) << r.error.detail;
  f = Detector::floor_for(r.config);
  EXPECT_DOUBLE_EQ(f.reflection_pps, 80);
  EXPECT_DOUBLE_EQ(f.syn_recv_pps, 40);
  EXPECT_DOUBLE_EQ(f.fanin, 200);
  EXPECT_DOUBLE_EQ(f.bps, 8e6);  // the override's 10 Mbit/s, though the globals are off
  r.config.traffic_sent_mbps = 4;
  EXPECT_DOUBLE_EQ(Detector::floor_for(r.config).bps, 3.2e6);
}

TEST(VictimOverridesConfig, RoundTripThroughJsonAndTheConfigFile) {
  const SecurityConfig d = SecurityConfig::defaults();
  auto r = apply_config_json(d, R"({"subnet_thresholds":[
      {"cidr":"10.1.0.0/16","traffic_sent_mbps":0,"traffic_received_mbps":250.5,
       "reflection_pps":100,"syn_flood_per_s":50,"syn_flood_answered_ratio":1,
       "fan_in_sources":20000},
      {"cidr":"fd00:1::/32","syn_flood_answered_ratio":0.25}]})");
  ASSERT_TRUE(r.ok) << r.error.detail;
  const auto& s = r.config.subnet_thresholds;
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].traffic_sent_mbps, 0);
  EXPECT_EQ(s[0].traffic_received_mbps, 250.5);
  EXPECT_EQ(s[0].reflection_pps, 100);
  EXPECT_EQ(s[0].syn_flood_per_s, 50);
  EXPECT_EQ(s[0].syn_flood_answered_ratio, 1);
  EXPECT_EQ(s[0].fan_in_sources, 20000);
  EXPECT_FALSE(s[0].traffic_threshold_pps.has_value());
  EXPECT_FALSE(s[1].syn_flood_per_s.has_value());
  const std::string j = config_to_json(r.config);
  EXPECT_NE(j.find(R"({"cidr":"10.1.0.0/16","traffic_sent_mbps":0,"traffic_received_mbps":250.5,)"
                   R"("reflection_pps":100,"syn_flood_per_s":50,"syn_flood_answered_ratio":1,)"
                   R"("fan_in_sources":20000})"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find(R"({"cidr":"fd00:1::/32","syn_flood_answered_ratio":0.25})"), std::string::npos)
      << j;
  auto again = apply_config_json(d, j);
  ASSERT_TRUE(again.ok) << again.error.detail;
  EXPECT_EQ(config_to_json(again.config), j);
  // The config file: saved as the API returns it, loaded back the same.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sn-victim-overrides-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "config.json").string();
  ASSERT_TRUE(save_config_file(path, j));
  auto loaded = load_config_file(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(config_to_json(*loaded), j);
  std::filesystem::remove_all(dir);
}

TEST(VictimOverridesConfig, HostileValuesAreRefusedWithTheEntry) {
  const SecurityConfig d = SecurityConfig::defaults();
  struct Case {
    const char* entry;
    const char* detail;
  } cases[] = {
      {R"("syn_flood_per_s":0)", "subnet_thresholds[0].syn_flood_per_s: "},
      {R"("syn_flood_per_s":-1)", "subnet_thresholds[0].syn_flood_per_s: "},
      {R"("syn_flood_per_s":1e13)", "subnet_thresholds[0].syn_flood_per_s: "},
      {R"("syn_flood_per_s":"NaN")", "subnet_thresholds[0].syn_flood_per_s: must be a number"},
      {R"("syn_flood_per_s":null)", "subnet_thresholds[0].syn_flood_per_s: must be a number"},
      {R"("syn_flood_answered_ratio":0)", "subnet_thresholds[0].syn_flood_answered_ratio: "},
      {R"("syn_flood_answered_ratio":1.01)", "subnet_thresholds[0].syn_flood_answered_ratio: "},
      {R"("syn_flood_answered_ratio":-0.1)", "subnet_thresholds[0].syn_flood_answered_ratio: "},
      {R"("fan_in_sources":0)", "subnet_thresholds[0].fan_in_sources: "},
      {R"("fan_in_sources":20001)", "subnet_thresholds[0].fan_in_sources: "},
      {R"("fan_in_sources":[1])", "subnet_thresholds[0].fan_in_sources: must be a number"},
      {R"("reflection_pps":0)", "subnet_thresholds[0].reflection_pps: "},
      {R"("reflection_pps":true)", "subnet_thresholds[0].reflection_pps: must be a number"},
      {R"("traffic_received_mbps":-0.5)", "subnet_thresholds[0].traffic_received_mbps: "},
      {R"("traffic_received_mbps":1e13)", "subnet_thresholds[0].traffic_received_mbps: "},
      {R"("traffic_sent_mbps":{"a":1})", "subnet_thresholds[0].traffic_sent_mbps: must be"},
      {R"("syn_flood":5)", "subnet_thresholds[0]: unknown field 'syn_flood'"},
      {R"("fan_in_sources\u0000":5)", "unknown field"},
  };
  for (const auto& c : cases) {
    const std::string body =
        R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8",)" + std::string(c.entry) + "}]}";
    auto e = apply_config_json(d, body);
    EXPECT_FALSE(e.ok) << body;
    EXPECT_EQ(e.error.field, "subnet_thresholds") << body << " -> " << e.error.detail;
    EXPECT_NE(e.error.detail.find(c.detail), std::string::npos) << body << " -> " << e.error.detail;
  }
  // A key twice in one entry: refused (the later value cannot hide behind the first).
  auto twice = apply_config_json(
      d,
      R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","syn_flood_per_s":5,"syn_flood_per_s":6}]})");
  ASSERT_FALSE(twice.ok);
  EXPECT_NE(twice.error.detail.find("appears twice"), std::string::npos) << twice.error.detail;
  // A 1e400 is not JSON a parser can hold: the whole body is refused, nothing applied.
  auto huge = apply_config_json(
      d, R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8","fan_in_sources":1e400}]})");
  EXPECT_FALSE(huge.ok);
  // Only the cidr: at least one threshold is required, and the message names the new ones.
  auto bare = apply_config_json(d, R"({"subnet_thresholds":[{"cidr":"10.0.0.0/8"}]})");
  ASSERT_FALSE(bare.ok);
  EXPECT_NE(bare.error.detail.find("fan_in_sources"), std::string::npos) << bare.error.detail;
  // The list limit holds for entries of the new fields too.
  std::string many = R"({"subnet_thresholds":[)";
  for (size_t i = 0; i <= kMaxListEntries; ++i)
    many += std::string(i ? "," : "") + R"({"cidr":"10.0.0.0/8","fan_in_sources":5})";
  auto too_many = apply_config_json(d, many + "]}");
  EXPECT_FALSE(too_many.ok);
  EXPECT_NE(too_many.error.detail.find("more than 1024 entries"), std::string::npos);
}
