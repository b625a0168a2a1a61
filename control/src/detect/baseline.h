// Adaptive baselines (issue 13 item 4, "machine learning-based anomaly detection" done
// plainly): for the whole link, an exponentially weighted mean and variance of packets/s,
// Mbit/s, new connections/min and active hosts, learned per hour of the week (UTC) and
// pooled over all hours. The Detector asks what is expected now and raises
// baseline_deviation when a measure is many deviations above it (detector.h); this class
// only learns, answers and (de)serialises. Owned by the App, saved in the state directory.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace securenet::control {

enum class BaselineMetric : uint8_t { kPps = 0, kMbps, kConnPerMin, kActiveHosts };
inline constexpr size_t kBaselineMetrics = 4;
inline constexpr size_t kHoursOfWeek = 168;
const char* to_string(BaselineMetric m);  // "pps", "mbps", "connections_per_min", "active_hosts"
const char* baseline_unit(BaselineMetric m);
// The smallest deviation a metric is given (a quiet link's near-zero variance would make any
// small burst look like many deviations): packets/s 100, Mbit/s 1, connections/min 10, hosts 5.
double baseline_min_deviation(BaselineMetric m);

using LinkSample = std::array<double, kBaselineMetrics>;  // indexed by BaselineMetric

class Baselines {
 public:
  struct Stat {
    double mean = 0, var = 0;
    uint64_t n = 0;  // samples learned (ticks)
  };
  // Learns one tick's sample at wall time now_ms; metrics with frozen[m] set are not learned
  // (their alert is open: an attack must not become the new normal).
  void learn(int64_t now_ms, const LinkSample& s, const std::array<bool, kBaselineMetrics>& frozen);
  // What is expected now: the hour-of-week statistic once it has `warmup` samples, else the
  // pooled one once that has, else nothing (still learning).
  std::optional<Stat> expected(int64_t now_ms, BaselineMetric m, uint64_t warmup) const;
  const Stat& pooled(BaselineMetric m) const { return pooled_[static_cast<size_t>(m)]; }
  static size_t hour_of_week(int64_t now_ms);  // 0 = Monday 00:00-01:00 UTC

  std::string to_json() const;
  // Refuses anything but this class's own JSON with finite, non-negative variances (a
  // hostile or truncated file): nullopt and why in *err.
  static std::optional<Baselines> from_json(std::string_view json, std::string* err = nullptr);

 private:
  static void update(Stat& st, double x, double min_alpha);
  std::array<std::array<Stat, kBaselineMetrics>, kHoursOfWeek> slots_{};
  std::array<Stat, kBaselineMetrics> pooled_{};
};

// The file the App keeps them in: load (a missing file is an empty baseline; a bad one is
// set aside as <path>.bad and reported) and an atomic save.
Baselines load_baselines(const std::string& path, std::string* note);
bool save_baselines(const std::string& path, const Baselines& b);

}  // namespace securenet::control
