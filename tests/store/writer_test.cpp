// The batched writer against a real PostgreSQL 15: batching, the packet cap, and no loss
// and no duplicates when the server stops mid-stream and the writer itself restarts with
// a non-empty spool.
#include "writer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "auth_store.h"
#include "db_helpers.h"
#include "pg_cluster.h"
#include "rows.h"
#include "securenet/common/clock.h"
#include "securenet/common/uuid.h"

using namespace securenet::testing;
namespace st = securenet::store;
using namespace std::chrono_literals;

namespace {

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/securenet-writertest-XXXXXX";
    path_ = ::mkdtemp(t);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

st::WriterOptions options(const std::string& url, const std::string& owner,
                          const std::string& spool_dir) {
  st::WriterOptions o;
  o.db = st::db_config_from(url);
  o.db.connect_timeout_s = 2;
  o.owner_user_id = owner;
  o.sensor_id = securenet::new_uuid();
  o.sensor.name = "test-sensor";
  o.spool.dir = spool_dir;
  o.flush_interval = 100ms;
  o.backoff_min = 50ms;
  o.backoff_max = 400ms;
  return o;
}

std::string owner(const std::string& url) {
  st::Session s(st::db_config_from(url));
  auto u =
      st::create_user(s, "owner" + std::to_string(::getpid()) + "@example.com", "owner-password");
  return u ? u->id : "";
}

// Waits until the writer has nothing queued or spooled and is connected.
bool settle(st::Writer& w, std::chrono::seconds limit = 60s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    const auto s = w.status();
    if (s.state == st::DbState::connected && s.queue_depth == 0 && s.spool_rows == 0) return true;
    w.wake();
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::set<std::string> ids(const std::string& url, const std::string& table) {
  pqxx::connection c(url);
  pqxx::work tx(c);
  std::set<std::string> out;
  for (const auto& row : tx.exec("select id::text from " + table)) out.insert(row[0].c_str());
  return out;
}

st::AlertRow alert(const std::string& id, int64_t count, int64_t t_ms) {
  st::AlertRow a;
  a.id = id;
  a.kind = "traffic_threshold";
  a.severity = "MEDIUM";
  a.host = "10.0.0.7";
  a.description = "host over threshold";
  a.value = 1500;
  a.threshold = 1000;
  a.peak = 1500;
  a.count = count;
  a.first_seen_ms = t_ms;
  a.last_seen_ms = t_ms + count;
  return a;
}

}  // namespace

TEST(Writer, BatchesRowsIntoFewStatements) {
  SN_MIGRATED_DB_OR_SKIP(url, "batches");
  const auto who = owner(url);
  ASSERT_FALSE(who.empty());
  TempDir spool;
  auto opts = options(url, who, spool.path());
  opts.flush_interval = 1000ms;
  opts.batch_rows = 2000;
  auto w = st::Writer::start(opts);
  ASSERT_TRUE(w) << w.error().message;
  const int64_t t0 = securenet::wall_ms();
  for (int i = 0; i < 5000; ++i) {
    auto id = securenet::new_uuid();
    ASSERT_TRUE((*w)->enqueue(st::Table::alerts, id, st::to_json(alert(id, 1, t0))));
  }
  ASSERT_TRUE(settle(**w));
  EXPECT_EQ(count(url, "select count(*) from network_alerts"), 5000);
  EXPECT_EQ(scalar(url,
                   "select string_agg(distinct coalesce(sensor_id::text, 'null') || '/' || "
                   "user_id::text, ',') from network_alerts"),
            opts.sensor_id + "/" + who);
  EXPECT_EQ(count(url, "select count(*) from network_alerts where user_id = '" + who +
                           "' and sensor_id = '" + opts.sensor_id + "'"),
            5000);
  EXPECT_EQ(count(url, "select count(*) from sensors where name = 'test-sensor'"), 1);
  const auto s = (*w)->status();
  EXPECT_LE(s.batches, 20u) << "5000 rows should take a handful of statements";
  EXPECT_EQ(s.rows_rejected, 0u);
}

TEST(Writer, AlertUpdatesReplaceAndBadRowsAreRejectedAlone) {
  SN_MIGRATED_DB_OR_SKIP(url, "updates");
  const auto who = owner(url);
  TempDir spool;
  auto w = st::Writer::start(options(url, who, spool.path()));
  ASSERT_TRUE(w);
  const auto id = securenet::new_uuid();
  const int64_t t0 = securenet::wall_ms();
  for (int c = 1; c <= 5; ++c) (*w)->enqueue(st::Table::alerts, id, st::to_json(alert(id, c, t0)));
  auto resolved = alert(id, 6, t0);
  resolved.status = "resolved";
  resolved.resolved_at_ms = t0 + 10;
  (*w)->enqueue(st::Table::alerts, id, st::to_json(resolved));
  // A bad row (severity outside the check constraint) among good ones.
  const auto bad = securenet::new_uuid();
  auto b = alert(bad, 1, t0);
  b.severity = "HUGE";
  (*w)->enqueue(st::Table::alerts, bad, st::to_json(b));
  const auto good = securenet::new_uuid();
  (*w)->enqueue(st::Table::alerts, good, st::to_json(alert(good, 1, t0)));
  ASSERT_TRUE(settle(**w));
  EXPECT_EQ(
      scalar(url, "select status || ' ' || count from network_alerts where id = '" + id + "'"),
      "resolved 6");
  EXPECT_EQ(count(url, "select count(*) from network_alerts"), 2)
      << scalar(url,
                "select string_agg(id::text || ' ' || status || count, ',') from network_alerts")
      << " id=" << id << " good=" << good;
  EXPECT_EQ((*w)->status().rows_rejected, 1u);
}

TEST(Writer, PacketRowsAreCappedPerSecond) {
  SN_MIGRATED_DB_OR_SKIP(url, "packetcap");
  const auto who = owner(url);
  TempDir spool;
  auto opts = options(url, who, spool.path());
  opts.packet_rows_per_s = 100;
  auto w = st::Writer::start(opts);
  ASSERT_TRUE(w);
  int accepted = 0;
  for (int i = 0; i < 1000; ++i) {
    st::PacketRow p;
    p.id = securenet::new_uuid();
    p.ts_ms = securenet::wall_ms();
    p.src = "10.0.0.1";
    p.dst = "10.0.0.2";
    p.protocol = "TCP";
    p.sport = 1234;
    p.dport = 443;
    p.length = 60;
    p.flags = 2;
    accepted += (*w)->enqueue(st::Table::packets, p.id, st::to_json(p));
  }
  ASSERT_TRUE(settle(**w));
  EXPECT_GE(accepted, 100);
  EXPECT_LE(accepted, 200);  // the loop may straddle one second boundary
  EXPECT_EQ((*w)->status().packets_rate_limited, static_cast<uint64_t>(1000 - accepted));
  EXPECT_EQ(count(url, "select count(*) from network_packets"), accepted);
}

// The acceptance test: the database goes away during traffic, the writer is restarted
// while its spool is non-empty, the database comes back: every alert, config and metric
// row is in its table exactly once.
TEST(Writer, DatabaseOutageAndWriterRestartLoseAndDuplicateNothing) {
  std::string why;
  auto* cluster = PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  const std::string url = cluster->create_database("outage");
  ASSERT_EQ(migrate_url(url), "");
  const auto who = owner(url);
  TempDir spool;
  const auto opts = options(url, who, spool.path());
  auto w = st::Writer::start(opts);
  ASSERT_TRUE(w);

  std::set<std::string> alert_ids, config_ids, metric_ids;
  std::map<std::string, int64_t> alert_count;
  const int64_t t0 = securenet::wall_ms();
  const int n = 400;
  for (int i = 0; i < n; ++i) {
    if (i == n / 4) {
      ASSERT_TRUE(cluster->stop());
    }
    if (i == n / 2) {  // restart the writer with rows in its spool
      EXPECT_GT((*w)->status().spool_rows, 0u);
      w->reset();
      w = st::Writer::start(opts);
      ASSERT_TRUE(w) << w.error().message;
      EXPECT_GT((*w)->status().spool_rows, 0u);
    }
    if (i == 3 * n / 4) {
      ASSERT_TRUE(cluster->start());
    }

    // Every 5th step opens a new alert; the others update one of the open ones.
    std::string aid;
    if (i % 5 == 0 || alert_ids.empty()) {
      aid = securenet::new_uuid();
      alert_ids.insert(aid);
    } else {
      aid = *std::next(alert_ids.begin(), i % alert_ids.size());
    }
    const int64_t c = ++alert_count[aid];
    (*w)->enqueue(st::Table::alerts, aid, st::to_json(alert(aid, c, t0)));

    st::MetricsRow m;
    m.id = securenet::new_uuid();
    m.ts_ms = t0 + i;
    m.pps = i;
    m.anomalies_json = "{\"HIGH\":1}";
    metric_ids.insert(m.id);
    (*w)->enqueue(st::Table::metrics, m.id, st::to_json(m));

    if (i % 10 == 0) {
      st::ConfigRow cfg;
      cfg.id = securenet::new_uuid();
      cfg.config_json = "{\"traffic_threshold_pps\":" + std::to_string(1000 + i) + "}";
      cfg.traffic_threshold = 1000 + i;
      cfg.connection_rate = 100;
      cfg.protocol_blacklist = {"ICMP", "IGMP"};
      config_ids.insert(cfg.id);
      (*w)->enqueue(st::Table::configs, cfg.id, st::to_json(cfg));
    }
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(settle(**w)) << (*w)->status().last_error;

  EXPECT_EQ(count(url, "select count(*) from network_alerts"), static_cast<long>(alert_ids.size()));
  EXPECT_EQ(ids(url, "network_alerts"), alert_ids);
  EXPECT_EQ(count(url, "select count(*) from network_metrics"),
            static_cast<long>(metric_ids.size()));
  EXPECT_EQ(ids(url, "network_metrics"), metric_ids);
  EXPECT_EQ(count(url, "select count(*) from network_configs"),
            static_cast<long>(config_ids.size()));
  EXPECT_EQ(ids(url, "network_configs"), config_ids);
  // Every alert holds its newest state.
  long stale = 0;
  for (const auto& [id, c] : alert_count)
    stale += count(url, "select count(*) from network_alerts where id = '" + id +
                            "' and count <> " + std::to_string(c));
  EXPECT_EQ(stale, 0);
  EXPECT_EQ(scalar(url, "select protocol_blacklist::text from network_configs limit 1"),
            "{ICMP,IGMP}");
  const auto s = (*w)->status();
  EXPECT_GT(s.rows_spilled, 0u);
  EXPECT_EQ(s.rows_rejected, 0u);
  EXPECT_EQ(s.spool_rows, 0u);
}

TEST(Writer, TornSpoolTailIsCutAndTheRestReplayed) {
  SN_MIGRATED_DB_OR_SKIP(url, "torn");
  const auto who = owner(url);
  TempDir spool;
  std::vector<std::string> metric_ids;
  {
    auto s = st::Spool::open({spool.path()});
    ASSERT_TRUE(s);
    std::vector<st::SpoolRecord> recs;
    for (int i = 0; i < 10; ++i) {
      st::MetricsRow m;
      m.id = securenet::new_uuid();
      m.ts_ms = securenet::wall_ms();
      metric_ids.push_back(m.id);
      recs.push_back({st::Table::metrics, m.id, st::to_json(m)});
    }
    ASSERT_TRUE((*s)->append(recs));
    std::filesystem::resize_file((*s)->path(), std::filesystem::file_size((*s)->path()) - 7);
  }
  auto w = st::Writer::start(options(url, who, spool.path()));
  ASSERT_TRUE(w);
  EXPECT_GT((*w)->status().spool_corrupt_bytes, 0u);
  ASSERT_TRUE(settle(**w));
  EXPECT_EQ(count(url, "select count(*) from network_metrics"), 9);
  EXPECT_EQ(count(url, "select count(*) from network_metrics where id = '" + metric_ids[9] + "'"),
            0);
}

namespace {

// A tmpfs of `size` mounted on a temp dir for one test (root only); unmounted at the end.
class TinyDisk {
 public:
  explicit TinyDisk(const char* size) {
    const std::string opts = std::string("size=") + size + ",mode=0700";
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, opts.c_str()) == 0)
      mounted_ = true;
    else
      why_ = std::string("cannot mount a ") + size + " tmpfs (" + std::strerror(errno) +
             "; needs root)";
  }
  ~TinyDisk() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& why() const { return why_; }
  std::string path(const std::string& rel) const { return dir_.path() + "/" + rel; }
  // Writes a file until the disk is full (ENOSPC).
  void fill(const std::string& rel) {
    const int fd = ::open(path(rel).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    std::string block(4096, 'x');
    while (fd >= 0 && ::write(fd, block.data(), block.size()) > 0) {
    }
    if (fd >= 0) ::close(fd);
  }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string why_;
};

bool drained(st::Writer& w) {  // everything queued reached the spool or the memory hold
  const auto until = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < until) {
    const auto s = w.status();
    if (s.queue_depth == s.held_rows) return true;
    w.wake();
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

}  // namespace

// Issue 14 item 2: the spool on a 256 KiB tmpfs while the database is down, flooded with
// packet rows and metric snapshots among alert updates and config changes; then another
// program fills the disk to the last byte. Packet rows go first, metrics thin to one a
// minute, the reserve and then memory keep the alerts and configs; once the disk frees and
// the database returns every alert (newest state) and every config reaches the tables.
TEST(Writer, FullSpoolDiskDuringAnOutageKeepsEveryAlertAndConfig) {
  std::string why;
  auto* cluster = PgCluster::shared(why);
  if (!cluster) GTEST_SKIP() << why;
  TinyDisk disk("256k");
  if (!disk.mounted()) GTEST_SKIP() << disk.why();
  const std::string url = cluster->create_database("fulldisk");
  ASSERT_EQ(migrate_url(url), "");
  const auto who = owner(url);
  auto opts = options(url, who, disk.path("spool"));
  opts.spool.reserve_bytes = 32 << 10;
  opts.spool.min_free_bytes = 64 << 10;
  opts.packet_rows_per_s = 1e9;
  auto w = st::Writer::start(opts);
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE(settle(**w));
  EXPECT_EQ((*w)->status().spool_degraded, 0);
  ASSERT_TRUE(cluster->stop());

  std::map<std::string, int64_t> alert_count;
  std::set<std::string> config_ids, early_minutes;
  std::vector<std::string> alert_ids;
  const int64_t t0 = securenet::wall_ms();
  int degraded_seen = 0;
  uint64_t held_seen = 0;
  for (int round = 0; round < 240; ++round) {
    if (round == 120) disk.fill("filler");  // another program takes the rest of the disk
    for (int p = 0; p < 40; ++p) {
      st::PacketRow pk;
      pk.id = securenet::new_uuid();
      pk.ts_ms = securenet::wall_ms();
      pk.src = "10.1.0." + std::to_string(p);
      pk.dst = "10.2.0.1";
      pk.protocol = "TCP";
      pk.length = 60;
      (*w)->enqueue(st::Table::packets, pk.id, st::to_json(pk));
    }
    st::MetricsRow m;
    m.id = securenet::new_uuid();
    m.ts_ms = t0 + int64_t{round} * 15000;  // four snapshots a minute
    if (round < 60) early_minutes.insert(st::iso_time(m.ts_ms).substr(0, 16));
    (*w)->enqueue(st::Table::metrics, m.id, st::to_json(m));
    // Every 4th round a new alert, the others update an open one.
    if (round % 4 == 0) alert_ids.push_back(securenet::new_uuid());
    const std::string& aid = alert_ids[static_cast<size_t>(round) % alert_ids.size()];
    auto a = alert(aid, ++alert_count[aid], t0);
    a.host = "10.0.0." +
             std::to_string(std::find(alert_ids.begin(), alert_ids.end(), aid) - alert_ids.begin());
    (*w)->enqueue(st::Table::alerts, aid, st::to_json(a));
    if (round % 8 == 0) {
      st::ConfigRow cfg;
      cfg.id = securenet::new_uuid();
      cfg.config_json = "{\"traffic_threshold_pps\":" + std::to_string(1000 + round) + "}";
      cfg.traffic_threshold = 1000 + round;
      config_ids.insert(cfg.id);
      (*w)->enqueue(st::Table::configs, cfg.id, st::to_json(cfg));
    }
    ASSERT_TRUE(drained(**w)) << "round " << round;
    degraded_seen = std::max(degraded_seen, (*w)->status().spool_degraded);
    held_seen = std::max(held_seen, (*w)->status().held_rows);
  }
  auto s = (*w)->status();
  EXPECT_GT(s.spool_dropped[static_cast<int>(st::Table::packets)], 0u);
  EXPECT_GT(s.spool_dropped[static_cast<int>(st::Table::metrics)], 0u);
  EXPECT_EQ(s.spool_dropped[static_cast<int>(st::Table::alerts)], 0u);
  EXPECT_EQ(s.spool_dropped[static_cast<int>(st::Table::configs)], 0u);
  EXPECT_EQ(s.held_lost, 0u);
  EXPECT_TRUE(s.reserve_in_use) << "the full disk should have used the reserve";
  EXPECT_EQ(s.spool_degraded, 2);
  EXPECT_EQ(degraded_seen, 2);
  EXPECT_GT(held_seen, 0u) << "past the reserve, alert and config rows wait in memory";
  EXPECT_LT(s.disk_free_bytes, 64u << 10);

  std::filesystem::remove(disk.path("filler"));
  ASSERT_TRUE(cluster->start());
  ASSERT_TRUE(settle(**w, 180s)) << [&] {
    const auto x = (*w)->status();
    return std::string(st::db_state_name(x.state)) + " queue " + std::to_string(x.queue_depth) +
           " held " + std::to_string(x.held_rows) + " spool " + std::to_string(x.spool_rows) +
           ": " + x.last_error;
  }();
  s = (*w)->status();
  EXPECT_EQ(s.held_rows, 0u);
  EXPECT_EQ(s.rows_rejected, 0u);
  EXPECT_FALSE(s.reserve_in_use) << "the reserve is made again once the disk has room";
  EXPECT_TRUE(std::filesystem::exists(disk.path("spool/reserve")));

  EXPECT_EQ(count(url, "select count(*) from network_alerts"), static_cast<long>(alert_ids.size()));
  long stale = 0;
  for (const auto& [id, c] : alert_count)
    stale += count(url, "select count(*) from network_alerts where id = '" + id +
                            "' and count = " + std::to_string(c));
  EXPECT_EQ(stale, static_cast<long>(alert_ids.size())) << "an alert is missing its newest state";
  EXPECT_EQ(ids(url, "network_configs"), config_ids);
  // Before the disk was full to the last byte, every minute kept at least one snapshot.
  pqxx::connection c(url);
  pqxx::work tx(c);
  std::set<std::string> minutes;
  for (const auto& row : tx.exec(
           "select to_char(ts at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI') from network_metrics"))
    minutes.insert(row[0].c_str());
  for (const auto& mnt : early_minutes)
    EXPECT_TRUE(minutes.count(mnt)) << "no snapshot kept for minute " << mnt;
  EXPECT_LT(count(url, "select count(*) from network_packets"), 240 * 40)
      << "packet rows should have been dropped";
}
