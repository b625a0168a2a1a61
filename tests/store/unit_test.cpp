// Store pieces that need no database: the spool file, the login limiter, row JSON, URLs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "db_config.h"
#include "login_limiter.h"
#include "rows.h"
#include "securenet/common/uuid.h"
#include "spool.h"

namespace st = securenet::store;

namespace {

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/securenet-spooltest-XXXXXX";
    path_ = ::mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<st::SpoolRecord> read_all(st::Spool& s) {
  std::vector<st::SpoolRecord> out;
  auto c = s.read(s.begin(), 1u << 20, out);
  EXPECT_TRUE(c);
  return out;
}

st::SpoolRecord rec(st::Table t, int i) {
  return {t, "id-" + std::to_string(i), "{\"n\":" + std::to_string(i) + "}"};
}

}  // namespace

TEST(Spool, RoundTripsAndSurvivesReopen) {
  TempDir d;
  {
    auto s = st::Spool::open({d.path()});
    ASSERT_TRUE(s) << s.error().message;
    ASSERT_TRUE((*s)->append({rec(st::Table::alerts, 1), rec(st::Table::metrics, 2)}));
    ASSERT_TRUE((*s)->append({rec(st::Table::configs, 3)}));
    EXPECT_EQ((*s)->stats().rows, 3u);
  }
  auto s = st::Spool::open({d.path()});
  ASSERT_TRUE(s);
  auto all = read_all(**s);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].table, st::Table::alerts);
  EXPECT_EQ(all[1].id, "id-2");
  EXPECT_EQ(all[2].json, "{\"n\":3}");
  EXPECT_EQ((*s)->stats().corrupt_bytes, 0u);
}

TEST(Spool, TruncatedLastRecordIsCutAndTheGoodPrefixKept) {
  TempDir d;
  std::string path;
  {
    auto s = st::Spool::open({d.path()});
    ASSERT_TRUE(s);
    ASSERT_TRUE((*s)->append({rec(st::Table::alerts, 1), rec(st::Table::alerts, 2)}));
    ASSERT_TRUE((*s)->append({rec(st::Table::alerts, 3)}));
    path = (*s)->path();
  }
  const auto full = std::filesystem::file_size(path);
  std::filesystem::resize_file(path, full - 5);  // a crash mid-write of record 3
  auto s = st::Spool::open({d.path()});
  ASSERT_TRUE(s);
  auto all = read_all(**s);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].id, "id-2");
  EXPECT_GT((*s)->stats().corrupt_bytes, 0u);
  // Appending after the repair continues cleanly.
  ASSERT_TRUE((*s)->append({rec(st::Table::alerts, 4)}));
  all = read_all(**s);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].id, "id-4");
}

TEST(Spool, FlippedByteIsCaughtByTheCrc) {
  TempDir d;
  std::string path;
  {
    auto s = st::Spool::open({d.path()});
    ASSERT_TRUE(s);
    ASSERT_TRUE((*s)->append({rec(st::Table::alerts, 1), rec(st::Table::alerts, 2)}));
    path = (*s)->path();
  }
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-3, std::ios::end);
    f.put('X');
  }
  auto s = st::Spool::open({d.path()});
  ASSERT_TRUE(s);
  auto all = read_all(**s);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id, "id-1");
}

TEST(Spool, BoundDropsOldestPacketsFirstNeverAlerts) {
  TempDir d;
  auto s = st::Spool::open({d.path(), 20000});
  ASSERT_TRUE(s);
  std::vector<st::SpoolRecord> batch;
  for (int i = 0; i < 200; ++i)
    batch.push_back(rec(i % 4 ? st::Table::packets : st::Table::alerts, i));
  ASSERT_TRUE((*s)->append(batch));  // ~5 KB
  for (int round = 0; round < 10; ++round) {
    batch.clear();
    for (int i = 0; i < 100; ++i) batch.push_back(rec(st::Table::packets, 1000 * (round + 1) + i));
    ASSERT_TRUE((*s)->append(batch));
  }
  const auto stats = (*s)->stats();
  EXPECT_LE(stats.bytes, 20000u);
  EXPECT_GT(stats.packets_dropped, 0u);
  EXPECT_EQ(stats.metrics_dropped, 0u);
  auto all = read_all(**s);
  EXPECT_EQ(all.size(), stats.rows);
  int alerts = 0;
  for (const auto& r : all) alerts += r.table == st::Table::alerts;
  EXPECT_EQ(alerts, 50);                 // every alert kept
  EXPECT_EQ(all.back().id, "id-10099");  // newest packets kept, oldest dropped
  EXPECT_EQ(stats.packets_dropped + stats.rows, 200u + 1000u);
}

// Issue 14 item 2: below the free-space floor (here: a floor no disk reaches) packet rows
// are dropped, metric rows thinned to one a minute, and everything else kept; the reserve
// file is preallocated; degraded says MEDIUM.
TEST(Spool, LowDiskDropsPacketsThenThinsMetricsNeverAlerts) {
  TempDir d;
  st::SpoolOptions o;
  o.dir = d.path();
  o.reserve_bytes = 64 << 10;
  o.min_free_bytes = uint64_t{1} << 62;
  auto s = st::Spool::open(o);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(std::filesystem::file_size(d.path() + "/reserve"), 64u << 10);
  std::vector<st::SpoolRecord> batch;
  for (int i = 0; i < 12; ++i) {
    batch.push_back(rec(st::Table::packets, i));
    // Four snapshots a minute: 19:00:00, :15, :30, :45, 19:01:00, ...
    const int sec = i * 15;
    char ts[64];
    std::snprintf(ts, sizeof ts, "{\"ts\":\"2026-11-25T19:%02d:%02d.000Z\"}", sec / 60, sec % 60);
    batch.push_back({st::Table::metrics, "m-" + std::to_string(i), ts});
    batch.push_back(rec(st::Table::alerts, 100 + i));
    batch.push_back(rec(st::Table::configs, 200 + i));
  }
  ASSERT_TRUE((*s)->append(batch));
  auto all = read_all(**s);
  size_t by[st::kTableCount] = {};
  for (const auto& r : all) ++by[static_cast<int>(r.table)];
  EXPECT_EQ(by[static_cast<int>(st::Table::packets)], 0u);
  EXPECT_EQ(by[static_cast<int>(st::Table::metrics)], 3u);  // minutes 19:00, 19:01, 19:02
  EXPECT_EQ(by[static_cast<int>(st::Table::alerts)], 12u);
  EXPECT_EQ(by[static_cast<int>(st::Table::configs)], 12u);
  const auto stats = (*s)->stats();
  EXPECT_EQ(stats.packets_dropped, 12u);
  EXPECT_EQ(stats.metrics_dropped, 9u);
  EXPECT_EQ(stats.dropped[static_cast<int>(st::Table::alerts)], 0u);
  EXPECT_EQ(stats.degraded, 1);
  EXPECT_FALSE(stats.reserve_in_use);
  EXPECT_GT(stats.disk_free_bytes, 0u);
}

TEST(Spool, TruncateOnlyWhenNothingWasAppendedSinceTheRead) {
  TempDir d;
  auto s = st::Spool::open({d.path()});
  ASSERT_TRUE(s);
  ASSERT_TRUE((*s)->append({rec(st::Table::alerts, 1)}));
  std::vector<st::SpoolRecord> out;
  auto end = (*s)->read((*s)->begin(), 100, out);
  ASSERT_TRUE(end);
  ASSERT_TRUE((*s)->append({rec(st::Table::alerts, 2)}));
  auto t = (*s)->truncate_if_at_end(*end);
  ASSERT_TRUE(t);
  EXPECT_FALSE(*t);
  out.clear();
  end = (*s)->read(*end, 100, out);
  ASSERT_EQ(out.size(), 1u);
  t = (*s)->truncate_if_at_end(*end);
  ASSERT_TRUE(t);
  EXPECT_TRUE(*t);
  EXPECT_TRUE((*s)->empty());
}

TEST(Rows, JsonShapesAndEscaping) {
  st::AlertRow a;
  a.id = "11111111-1111-4111-8111-111111111111";
  a.kind = "traffic_threshold";
  a.severity = "MEDIUM";
  a.description = "quote \" backslash \\ newline \n";
  a.first_seen_ms = 1700000000123;
  a.last_seen_ms = 1700000001000;
  const auto j = st::to_json(a);
  EXPECT_NE(j.find("\"first_seen\":\"2023-11-14T22:13:20.123Z\""), std::string::npos) << j;
  EXPECT_NE(j.find("quote \\\" backslash \\\\ newline \\n"), std::string::npos) << j;
  EXPECT_NE(j.find("\"host\":null"), std::string::npos);
  EXPECT_NE(j.find("\"resolved_at\":null"), std::string::npos);
  const auto u = securenet::new_uuid();
  EXPECT_EQ(u.size(), 36u);
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(u, securenet::new_uuid());
}

TEST(DbConfig, PoolerDetectionAndRedaction) {
  EXPECT_TRUE(st::url_is_transaction_pooler(
      "postgresql://postgres.ref:pw@aws-0-eu.pooler.supabase.com:6543/postgres"));
  EXPECT_FALSE(st::url_is_transaction_pooler(
      "postgresql://postgres.ref:pw@aws-0-eu.pooler.supabase.com:5432/postgres"));
  EXPECT_TRUE(st::url_is_transaction_pooler("host=x port=6543 dbname=postgres"));
  EXPECT_EQ(st::redact_url("postgresql://u:secret@h:5432/d"), "postgresql://u:***@h:5432/d");
  const auto eff = st::effective_url(st::db_config_from("postgresql://u@h/d?sslmode=require"));
  EXPECT_NE(eff.find("sslmode=require&connect_timeout=5"), std::string::npos) << eff;
}

TEST(Rows, SensorIdIsCreatedOnceAndKept) {
  TempDir d;
  const auto first = st::load_or_create_sensor_id(d.path() + "/state");
  ASSERT_EQ(first.size(), 36u);
  EXPECT_EQ(st::load_or_create_sensor_id(d.path() + "/state"), first);
  std::ofstream(d.path() + "/state/sensor-id") << "garbage";
  const auto replaced = st::load_or_create_sensor_id(d.path() + "/state");
  EXPECT_EQ(replaced.size(), 36u);
  EXPECT_NE(replaced, first);
}
