// Adaptive baselines (issue 13 item 4): the hour-of-week statistics, their warm-up, the
// file they live in (hostile contents refused), and the baseline_deviation rule's edges.
#include "detect/baseline.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "config/security_config.h"
#include "detector_fixture.h"

namespace securenet::control {
namespace {

constexpr int64_t kHour = 3'600'000;
// Monday 2026-11-30 00:00 UTC.
constexpr int64_t kMonday = 1'795'996'800'000;

LinkSample sample(double pps, double mbps = 1, double conn = 10, double hosts = 20) {
  return {pps, mbps, conn, hosts};
}

TEST(Baselines, HourOfWeekStartsOnMondayUtc) {
  EXPECT_EQ(Baselines::hour_of_week(kMonday), 0u);
  EXPECT_EQ(Baselines::hour_of_week(kMonday + 30 * 60'000), 0u);
  EXPECT_EQ(Baselines::hour_of_week(kMonday + 25 * kHour), 25u);
  EXPECT_EQ(Baselines::hour_of_week(kMonday + 7 * 24 * kHour - 1), 167u);
  EXPECT_EQ(Baselines::hour_of_week(kMonday + 7 * 24 * kHour), 0u);
  EXPECT_EQ(Baselines::hour_of_week(0), 72u);  // 1970-01-01 was a Thursday
}

TEST(Baselines, NothingIsExpectedBeforeTheWarmUp) {
  Baselines b;
  for (int i = 0; i < 99; ++i) b.learn(kMonday + i * 1000, sample(500), {});
  EXPECT_FALSE(b.expected(kMonday, BaselineMetric::kPps, 100));
  b.learn(kMonday + 99'000, sample(500), {});
  auto st = b.expected(kMonday, BaselineMetric::kPps, 100);
  ASSERT_TRUE(st);
  EXPECT_DOUBLE_EQ(st->mean, 500);
  EXPECT_DOUBLE_EQ(st->var, 0);
  EXPECT_EQ(st->n, 100u);
}

TEST(Baselines, AnHourOfItsOwnWinsOverThePooledStatisticOnceWarm) {
  Baselines b;
  // Monday 00:00-01:00 quiet (100 pps), Monday 01:00-02:00 busy (5000 pps).
  for (int i = 0; i < 200; ++i) b.learn(kMonday + i * 1000, sample(100), {});
  for (int i = 0; i < 50; ++i) b.learn(kMonday + kHour + i * 1000, sample(5000), {});
  // Hour 1 has 50 samples: below a warm-up of 100, the pooled mean (of 250 samples) answers.
  auto pooled = b.expected(kMonday + kHour, BaselineMetric::kPps, 100);
  ASSERT_TRUE(pooled);
  EXPECT_NEAR(pooled->mean, (200 * 100.0 + 50 * 5000.0) / 250, 1e-6);
  EXPECT_EQ(pooled->n, 250u);
  for (int i = 50; i < 100; ++i) b.learn(kMonday + kHour + i * 1000, sample(5000), {});
  auto own = b.expected(kMonday + kHour, BaselineMetric::kPps, 100);
  ASSERT_TRUE(own);
  EXPECT_DOUBLE_EQ(own->mean, 5000);
  EXPECT_DOUBLE_EQ(b.expected(kMonday, BaselineMetric::kPps, 100)->mean, 100);
}

TEST(Baselines, VarianceIsThatOfTheSamplesAndFrozenMetricsAreNotLearned) {
  Baselines b;
  for (int i = 0; i < 1000; ++i) {
    const double pps = i % 2 ? 900 : 1100;  // mean 1000, deviation 100
    b.learn(kMonday + i * 1000, sample(pps, 5), {false, true, false, false});
  }
  auto st = b.expected(kMonday, BaselineMetric::kPps, 10);
  ASSERT_TRUE(st);
  EXPECT_NEAR(st->mean, 1000, 1);
  EXPECT_NEAR(std::sqrt(st->var), 100, 2);
  EXPECT_FALSE(b.expected(kMonday, BaselineMetric::kMbps, 1)) << "a frozen metric learned";
  // NaN, infinity and negative samples are not learned.
  b.learn(kMonday, sample(NAN), {});
  b.learn(kMonday, sample(-5), {});
  b.learn(kMonday, sample(INFINITY), {});
  EXPECT_EQ(b.pooled(BaselineMetric::kPps).n, 1000u);
}

TEST(Baselines, JsonRoundTripsAndHostileFilesAreRefused) {
  Baselines b;
  for (int i = 0; i < 300; ++i) b.learn(kMonday + i * 997 * 60, sample(i * 3.7, i * 0.01), {});
  auto back = Baselines::from_json(b.to_json());
  ASSERT_TRUE(back);
  EXPECT_EQ(back->to_json(), b.to_json());
  for (size_t m = 0; m < kBaselineMetrics; ++m) {
    const auto metric = static_cast<BaselineMetric>(m);
    EXPECT_EQ(back->pooled(metric).mean, b.pooled(metric).mean);
    EXPECT_EQ(back->pooled(metric).var, b.pooled(metric).var);
  }
  std::string good = b.to_json();
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = good;
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
  };
  const std::vector<std::string> bad = {
      "",
      "not json",
      "[]",
      "{}",
      replaced("\"format\":1", "\"format\":2"),
      replaced("\"pooled\":[[", "\"pooled\":[[-1,0,1],["),                         // five metrics
      replaced("\"hours\":[[", "\"hours\":[[[0,0,0],[0,0,0],[0,0,0],[0,0,0]],["),  // 169 hours
      replaced("\"pooled\":[[", "\"pooled\":[[1,-1,3],[0,0,0],[0,0,0],[0,0,0]],\"x\":[["),
      replaced("\"pooled\":[[", "\"pooled\":[[1,\"2\",3],[0,0,0],[0,0,0],[0,0,0]],\"x\":[["),
      replaced("\"pooled\":[[", "\"pooled\":[[1,1e999,3],[0,0,0],[0,0,0],[0,0,0]],\"x\":[["),
      replaced("\"pooled\":[[", "\"pooled\":[[1,1,0.5],[0,0,0],[0,0,0],[0,0,0]],\"x\":[["),
      good.substr(0, good.size() / 2)};
  for (const auto& s : bad) {
    std::string why;
    EXPECT_FALSE(Baselines::from_json(s, &why)) << s.substr(0, 120);
    EXPECT_FALSE(why.empty()) << s.substr(0, 120);
  }
}

TEST(Baselines, AFileThatIsNotOursIsSetAsideAndLearningStartsAnew) {
  const auto dir =
      std::filesystem::path(::testing::TempDir()) / ("sn-baseline-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "baselines.json").string();
  std::string note;
  EXPECT_EQ(load_baselines(path, &note).pooled(BaselineMetric::kPps).n, 0u);
  EXPECT_TRUE(note.empty()) << "a missing file is a fresh start, not an error: " << note;
  Baselines b;
  for (int i = 0; i < 10; ++i) b.learn(kMonday + i * 1000, sample(42), {});
  ASSERT_TRUE(save_baselines(path, b));
  EXPECT_EQ(load_baselines(path, &note).pooled(BaselineMetric::kPps).n, 10u);
  std::ofstream(path) << "{\"format\":1,\"pooled\":\"oops\"}";
  EXPECT_EQ(load_baselines(path, &note).pooled(BaselineMetric::kPps).n, 0u);
  EXPECT_NE(note.find("set aside"), std::string::npos) << note;
  EXPECT_TRUE(std::filesystem::exists(path + ".bad"));
  EXPECT_FALSE(std::filesystem::exists(path));
  std::filesystem::remove_all(dir);
}

TEST(BaselineConfig, FieldsAreValidated) {
  const SecurityConfig base = SecurityConfig::defaults();
  EXPECT_TRUE(base.baseline_enabled);
  auto ok = apply_config_json(base, R"({"baseline_enabled":false,"baseline_low_sigma":3,
    "baseline_medium_sigma":3,"baseline_warmup_s":60})");
  ASSERT_TRUE(ok.ok) << ok.error.detail;
  EXPECT_FALSE(ok.config.baseline_enabled);
  EXPECT_EQ(ok.config.baseline_low_sigma, 3);
  EXPECT_NE(config_to_json(ok.config).find("\"baseline_warmup_s\":60"), std::string::npos);
  const std::vector<std::pair<const char*, const char*>> bad = {
      {R"({"baseline_enabled":1})", "baseline_enabled"},
      {R"({"baseline_low_sigma":0.5})", "baseline_low_sigma"},
      {R"({"baseline_low_sigma":101})", "baseline_low_sigma"},
      {R"({"baseline_medium_sigma":"6"})", "baseline_medium_sigma"},
      {R"({"baseline_low_sigma":8})", "baseline_medium_sigma"},  // above the default medium 6
      {R"({"baseline_low_sigma":5,"baseline_medium_sigma":4})", "baseline_medium_sigma"},
      {R"({"baseline_warmup_s":59})", "baseline_warmup_s"},
      {R"({"baseline_warmup_s":604801})", "baseline_warmup_s"}};
  for (const auto& [json, field] : bad) {
    auto r = apply_config_json(base, json);
    EXPECT_FALSE(r.ok) << json;
    EXPECT_EQ(r.error.field, field) << json << ": " << r.error.detail;
  }
}

class BaselineRule : public sn_test::DetectorFixture {
 protected:
  Baselines b;
  void SetUp() override {
    now = kMonday;
    cfg.baseline_warmup_s = 60;
    // 120 ticks of 1000 +- 50 packets/s: the deviation is the floor of 100 packets/s (10% of
    // the mean), so LOW above 1000 + 4 x 100 = 1400 and MEDIUM above 1000 + 6 x 100 = 1600.
    for (int i = 0; i < 120; ++i) link_tick(i % 2 ? 950 : 1050);
  }
  std::vector<Alert> link_tick(double pps) {
    now += 1000;
    TickInput in;
    in.now_ms = now;
    in.baselines = &b;
    in.link = sample(pps);
    return det.evaluate(in, cfg);
  }
};

TEST_F(BaselineRule, ExactlyAtTheLevelIsNoAlert) {
  EXPECT_TRUE(open_alerts().empty());
  EXPECT_TRUE(link_tick(1400).empty());
  EXPECT_TRUE(open_alerts().empty());
}

TEST_F(BaselineRule, OneAboveIsLowFarAboveIsMediumAndTheNormalHoldsUntilItClears) {
  auto low = link_tick(1401);
  ASSERT_EQ(low.size(), 1u);
  EXPECT_EQ(low[0].kind, AlertKind::kBaselineDeviation);
  EXPECT_EQ(low[0].condition, "pps");
  EXPECT_EQ(low[0].severity, Severity::kLow);
  EXPECT_NEAR(low[0].threshold, 1400, 1);
  EXPECT_NE(low[0].description.find("packets/s"), std::string::npos) << low[0].description;
  const Baselines::Stat before = b.pooled(BaselineMetric::kPps);
  auto medium = link_tick(1601);
  ASSERT_EQ(medium.size(), 1u);
  EXPECT_EQ(medium[0].severity, Severity::kMedium);
  EXPECT_EQ(medium[0].id, low[0].id);
  for (int i = 0; i < 30; ++i) link_tick(5000);  // an attack: the normal must not move
  EXPECT_EQ(b.pooled(BaselineMetric::kPps).mean, before.mean);
  EXPECT_EQ(b.pooled(BaselineMetric::kPps).n, before.n);
  // Back to normal: resolves after clear_hold_s (10 s) below the clear level.
  bool resolved = false;
  for (int i = 0; i < 12 && !resolved; ++i)
    for (const auto& a : link_tick(1000)) resolved |= !a.open && a.id == low[0].id;
  EXPECT_TRUE(resolved);
  EXPECT_EQ(b.pooled(BaselineMetric::kPps).n, before.n) << "learned while the alert was open";
  link_tick(1000);
  EXPECT_EQ(b.pooled(BaselineMetric::kPps).n, before.n + 1) << "learning resumes once resolved";
}

TEST_F(BaselineRule, TurnedOffItStillLearnsButNeverAlerts) {
  cfg.baseline_enabled = false;
  const uint64_t n = b.pooled(BaselineMetric::kPps).n;
  EXPECT_TRUE(link_tick(100000).empty());
  EXPECT_EQ(b.pooled(BaselineMetric::kPps).n, n + 1);
}

TEST_F(BaselineRule, AQuietLinkGetsTheAbsoluteFloorNotAThousandDeviations) {
  b = Baselines{};
  for (int i = 0; i < 120; ++i) link_tick(2);  // 2 packets/s, no variance: deviation floor 100
  EXPECT_TRUE(link_tick(300).empty()) << "298 packets/s above a mean of 2 is < 4 x 100";
  ASSERT_EQ(link_tick(500).size(), 1u);
}

TEST_F(BaselineRule, NotWarmNoAlert) {
  b = Baselines{};
  for (int i = 0; i < 59; ++i) link_tick(1000);  // warm-up 60 samples
  EXPECT_TRUE(link_tick(100000).empty());
  EXPECT_EQ(link_tick(100000).size(), 1u);
}

}  // namespace
}  // namespace securenet::control
