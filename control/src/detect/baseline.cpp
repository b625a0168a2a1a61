#include "detect/baseline.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "securenet/common/json_writer.h"

namespace securenet::control {

namespace {
// The weight of a new sample never falls below these: an hour-of-week slot gets 3,600
// samples a week, so it follows about the last two weeks of that hour; the pooled statistic
// about the last day.
constexpr double kSlotMinAlpha = 1.0 / 7200;
constexpr double kPooledMinAlpha = 1.0 / 86400;
constexpr int kFormat = 1;
}  // namespace

const char* to_string(BaselineMetric m) {
  switch (m) {
    case BaselineMetric::kPps:
      return "pps";
    case BaselineMetric::kMbps:
      return "mbps";
    case BaselineMetric::kConnPerMin:
      return "connections_per_min";
    case BaselineMetric::kActiveHosts:
      return "active_hosts";
  }
  return "?";
}

const char* baseline_unit(BaselineMetric m) {
  switch (m) {
    case BaselineMetric::kPps:
      return "packets/s";
    case BaselineMetric::kMbps:
      return "Mbit/s";
    case BaselineMetric::kConnPerMin:
      return "new connections/min";
    case BaselineMetric::kActiveHosts:
      return "active hosts";
  }
  return "";
}

double baseline_min_deviation(BaselineMetric m) {
  static constexpr double kMin[kBaselineMetrics] = {100, 1, 10, 5};
  return kMin[static_cast<size_t>(m)];
}

size_t Baselines::hour_of_week(int64_t now_ms) {
  // 1970-01-01 was a Thursday: day 0 of the epoch is day 3 of a Monday-first week.
  const int64_t hours = (now_ms >= 0 ? now_ms : 0) / 3'600'000;
  const int64_t day = (hours / 24 + 3) % 7;
  return static_cast<size_t>(day * 24 + hours % 24);
}

// West's exponentially weighted mean and variance: an average of every sample while there
// are few, then an exponential forgetting with weight min_alpha.
void Baselines::update(Stat& st, double x, double min_alpha) {
  if (!std::isfinite(x) || x < 0) return;
  st.n += 1;
  const double alpha = std::max(1.0 / static_cast<double>(st.n), min_alpha);
  const double d = x - st.mean;
  st.mean += alpha * d;
  st.var = (1 - alpha) * (st.var + alpha * d * d);
}

void Baselines::learn(int64_t now_ms, const LinkSample& s,
                      const std::array<bool, kBaselineMetrics>& frozen) {
  auto& slot = slots_[hour_of_week(now_ms)];
  for (size_t m = 0; m < kBaselineMetrics; ++m) {
    if (frozen[m]) continue;
    update(slot[m], s[m], kSlotMinAlpha);
    update(pooled_[m], s[m], kPooledMinAlpha);
  }
}

std::optional<Baselines::Stat> Baselines::expected(int64_t now_ms, BaselineMetric m,
                                                   uint64_t warmup) const {
  const size_t i = static_cast<size_t>(m);
  const Stat& slot = slots_[hour_of_week(now_ms)][i];
  if (slot.n >= warmup && slot.n > 0) return slot;
  if (pooled_[i].n >= warmup && pooled_[i].n > 0) return pooled_[i];
  return std::nullopt;
}

namespace {
void write_stat(JsonWriter& w, const Baselines::Stat& s) {
  w.begin_array().value(s.mean).value(s.var).value(static_cast<uint64_t>(s.n)).end_array();
}

bool read_stat(simdjson::dom::element e, Baselines::Stat& s) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS || a.size() != 3) return false;
  double mean = 0, var = 0;
  uint64_t n = 0;
  if (a.at(0).get_double().get(mean) != simdjson::SUCCESS ||
      a.at(1).get_double().get(var) != simdjson::SUCCESS)
    return false;
  // n is written as an integer; a float there means the file is not ours.
  if (a.at(2).get_uint64().get(n) != simdjson::SUCCESS) return false;
  if (!std::isfinite(mean) || !std::isfinite(var) || mean < 0 || var < 0) return false;
  s = Baselines::Stat{mean, var, n};
  return true;
}

bool read_metrics(simdjson::dom::element e, std::array<Baselines::Stat, kBaselineMetrics>& out) {
  simdjson::dom::array a;
  if (e.get_array().get(a) != simdjson::SUCCESS || a.size() != kBaselineMetrics) return false;
  size_t i = 0;
  for (auto item : a)
    if (!read_stat(item, out[i++])) return false;
  return true;
}
}  // namespace

std::string Baselines::to_json() const {
  JsonWriter w;
  w.begin_object().field("format", kFormat).key("metrics").begin_array();
  for (size_t m = 0; m < kBaselineMetrics; ++m) w.value(to_string(static_cast<BaselineMetric>(m)));
  w.end_array().key("pooled").begin_array();
  for (const auto& s : pooled_) write_stat(w, s);
  w.end_array().key("hours").begin_array();
  for (const auto& slot : slots_) {
    w.begin_array();
    for (const auto& s : slot) write_stat(w, s);
    w.end_array();
  }
  return w.end_array().end_object().take();
}

std::optional<Baselines> Baselines::from_json(std::string_view json, std::string* err) {
  auto fail = [&](const char* why) -> std::optional<Baselines> {
    if (err) *err = why;
    return std::nullopt;
  };
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  const simdjson::padded_string padded(json);
  if (parser.parse(padded).get(root) != simdjson::SUCCESS) return fail("not JSON");
  int64_t format = 0;
  if (root["format"].get_int64().get(format) != simdjson::SUCCESS || format != kFormat)
    return fail("unknown format");
  Baselines b;
  simdjson::dom::element pooled, hours;
  if (root["pooled"].get(pooled) != simdjson::SUCCESS || !read_metrics(pooled, b.pooled_))
    return fail("bad pooled statistics");
  simdjson::dom::array arr;
  if (root["hours"].get(hours) != simdjson::SUCCESS ||
      hours.get_array().get(arr) != simdjson::SUCCESS || arr.size() != kHoursOfWeek)
    return fail("bad hour-of-week statistics");
  size_t h = 0;
  for (auto slot : arr)
    if (!read_metrics(slot, b.slots_[h++])) return fail("bad hour-of-week statistics");
  return b;
}

Baselines load_baselines(const std::string& path, std::string* note) {
  std::ifstream in(path);
  if (!in) return Baselines{};  // none yet: learning starts now
  std::stringstream ss;
  ss << in.rdbuf();
  std::string why;
  constexpr size_t kMaxFile = 1 << 20;  // ours is ~40 KB
  auto b = ss.str().size() <= kMaxFile ? Baselines::from_json(ss.str(), &why)
                                       : (why = "larger than 1 MiB", std::nullopt);
  if (b) return *b;
  std::error_code ec;
  std::filesystem::rename(path, path + ".bad", ec);
  if (note) *note = path + ": " + why + "; set aside as " + path + ".bad, learning anew";
  return Baselines{};
}

bool save_baselines(const std::string& path, const Baselines& b) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!(out << b.to_json() << "\n")) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  return !ec;
}

}  // namespace securenet::control
