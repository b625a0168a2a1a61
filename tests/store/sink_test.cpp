// The control plane's EventSink on the Writer, against a real PostgreSQL 15: alert
// changes upsert one row, config changes and snapshots append, samples become packets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <thread>

#include "auth_store.h"
#include "config/security_config.h"
#include "db_helpers.h"
#include "persist/store_sink.h"
#include "pg_cluster.h"
#include "recovery.h"
#include "rows.h"
#include "securenet/common/clock.h"
#include "securenet/common/uuid.h"
#include "securenet/shm_reader.h"

using namespace securenet;
using namespace securenet::testing;
using namespace std::chrono_literals;

TEST(StoreSink, EventsBecomeRows) {
  SN_MIGRATED_DB_OR_SKIP(url, "sink");
  store::Session s(store::db_config_from(url));
  auto owner = store::create_user(s, "sink@example.com", "sink-password");
  ASSERT_TRUE(owner);
  char tmpl[] = "/tmp/securenet-sinktest-XXXXXX";
  const std::string spool = ::mkdtemp(tmpl);
  store::WriterOptions o;
  o.db = store::db_config_from(url);
  o.owner_user_id = owner->id;
  o.sensor_id = new_uuid();
  o.spool.dir = spool;
  o.flush_interval = 50ms;
  auto w = store::Writer::start(o);
  ASSERT_TRUE(w);
  store::StoreSink sink(**w, {10000});

  control::Alert a;
  a.id = new_uuid();
  a.kind = control::AlertKind::kProtocolBlacklist;
  a.severity = control::Severity::kHigh;
  a.host = "10.0.0.9";
  a.protocol = "ICMP";
  a.description = "blacklisted protocol";
  a.count = 1;
  a.first_seen_ms = a.last_seen_ms = wall_ms();
  a.detected_ms = a.first_seen_ms + 35;  // issue 17: the fast path knew 35 ms after
  sink.on_alert_changed(a);
  a.count = 7;
  a.last_seen_ms += 2000;
  a.capture = "/api/alerts/" + a.id + "/pcap";  // issue 16: its capture was stored
  sink.on_alert_changed(a);
  a.open = false;
  a.resolved_at_ms = a.last_seen_ms + 1;
  sink.on_alert_changed(a);

  const auto defaults = control::SecurityConfig::defaults();
  sink.on_config_changed(defaults, control::config_to_json(defaults), owner->id);

  control::Snapshot snap;
  snap.ts_ms = wall_ms();
  snap.pps = 123.5;
  snap.totals.packets = 1000;
  snap.open_alerts = {0, 2, 1, 0};  // the App's AlertStore counts (LOW..CRITICAL)
  sink.on_metrics_snapshot(snap);
  snap.ts_ms += 1000;  // within 10 s: skipped
  sink.on_metrics_snapshot(snap);

  std::vector<shm::SampleRecord> samples(3);
  for (auto& r : samples) {
    r.ts_ns.store(static_cast<uint64_t>(wall_ms()) * 1000000);
    r.src = *parse_ip_text("10.0.0.1");
    r.dst = *parse_ip_text("2001:db8::2");
    r.ip_proto = 6;
    r.sport = 40000;
    r.dport = 443;
    r.wire_len = 60;
    r.tcp_flags = 0x12;
  }
  sink.on_packet_samples(samples);

  for (int i = 0; i < 200; ++i) {
    const auto st = (*w)->status();
    if (st.state == store::DbState::connected && st.queue_depth == 0 && st.spool_rows == 0 &&
        st.rows_written >= 7)
      break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(scalar(url,
                   "select status || ' ' || count || ' ' || severity || ' ' || kind from "
                   "network_alerts"),
            "resolved 7 HIGH protocol_blacklist");
  EXPECT_EQ(scalar(url, "select capture from network_alerts"), "/api/alerts/" + a.id + "/pcap");
  EXPECT_EQ(scalar(url,
                   "select ((extract(epoch from detected_at - first_seen)) * 1000)::bigint "
                   "from network_alerts"),
            "35");
  // An alert adopted after a restart does not know when it was detected (0): the stored
  // detection stays.
  const uint64_t written = (*w)->status().rows_written;
  a.detected_ms = 0;
  a.last_seen_ms += 1;
  a.resolved_at_ms += 1;
  sink.on_alert_changed(a);
  for (int i = 0; i < 200 && (*w)->status().rows_written <= written; ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_GT((*w)->status().rows_written, written);
  EXPECT_EQ(scalar(url,
                   "select ((extract(epoch from detected_at - first_seen)) * 1000)::bigint "
                   "from network_alerts"),
            "35");
  EXPECT_EQ(scalar(url, "select protocol_blacklist::text from network_configs"), "{ICMP,IGMP}");
  EXPECT_EQ(scalar(url, "select config->>'traffic_sent_pps' from network_configs"), "1000");
  EXPECT_EQ(scalar(url, "select count(*) || ' ' || max(pps) from network_metrics"), "1 123.5");
  // "anomalies" are the snapshot's open alerts by severity (one owner: the AlertStore).
  EXPECT_EQ(scalar(url,
                   "select (anomalies->>'HIGH') || ' ' || (anomalies->>'MEDIUM') || ' ' || "
                   "(anomalies->>'LOW') from network_metrics"),
            "1 2 0");
  EXPECT_EQ(scalar(url,
                   "select count(*) || ' ' || min(dst::text) || ' ' || min(protocol) from "
                   "network_packets"),
            "3 2001:db8::2/128 TCP");
  const auto state = sink.state();
  EXPECT_EQ(state.state, "connected");
  EXPECT_EQ(state.spool_backlog, 0u);
  w->reset();
  std::filesystem::remove_all(spool);
}

namespace {
// A writer of the sink test's shape over `url` (owner, sensor, spool in a fresh directory).
struct SinkRig {
  std::string spool;
  std::string sensor_id = new_uuid();
  std::unique_ptr<store::Writer> writer;
  void start(const std::string& url, const std::string& owner) {
    char tmpl[] = "/tmp/securenet-sinkvictim-XXXXXX";
    spool = ::mkdtemp(tmpl);
    store::WriterOptions o;
    o.db = store::db_config_from(url);
    o.owner_user_id = owner;
    o.sensor_id = sensor_id;
    o.spool.dir = spool;
    o.flush_interval = 50ms;
    auto w = store::Writer::start(o);
    ASSERT_TRUE(w) << w.error().message;
    writer = std::move(*w);
  }
  // Waits until `n` more rows than `before` are written and nothing is queued.
  bool drained(uint64_t before, uint64_t n) {
    for (int i = 0; i < 200; ++i) {
      const auto st = writer->status();
      if (st.state == store::DbState::connected && st.queue_depth == 0 && st.spool_rows == 0 &&
          st.rows_written >= before + n)
        return true;
      std::this_thread::sleep_for(50ms);
    }
    return false;
  }
  ~SinkRig() {
    writer.reset();
    if (!spool.empty()) std::filesystem::remove_all(spool);
  }
};

control::Alert victim_alert(const std::string& host) {
  control::Alert a;
  a.id = new_uuid();
  a.kind = control::AlertKind::kSynFlood;
  a.severity = control::Severity::kHigh;
  a.host = host;
  a.description = host + ": receiving";
  a.value = a.peak = 5000;
  a.threshold = 1000;
  a.count = 1;
  a.first_seen_ms = a.last_seen_ms = a.detected_ms = wall_ms();
  return a;
}
}  // namespace

// Issue 13 item 2 (migration 0017): a victim alert's attack type, sample count, top sources
// and breakdown are stored, read back by SQL and by the restart's recovery as written.
TEST(StoreSink, AVictimsProfileIsStoredAndReadBack) {
  SN_MIGRATED_DB_OR_SKIP(url, "sinkvictim");
  store::Session s(store::db_config_from(url));
  auto owner = store::create_user(s, "victim@example.com", "victim-password");
  ASSERT_TRUE(owner);
  SinkRig rig;
  rig.start(url, owner->id);
  store::StoreSink sink(*rig.writer, {10000});

  control::Alert a = victim_alert("10.200.0.99");
  a.attack_type = "SYN flood";
  a.profile_samples = 79;
  a.top_sources = {{"198.18.0.12", 12}, {"2001:db8::7", 11}, {"198.18.0.10", 10}};
  a.breakdown = {{"tcp_syn", -1, 80, 78}, {"udp", 53, -1, 1}};
  control::Alert other = a;  // an attacker's alert: no profile columns
  other.id = new_uuid();
  other.kind = control::AlertKind::kTrafficThreshold;
  other.host = "10.200.0.5";
  sink.on_alert_changed(a);
  sink.on_alert_changed(other);
  ASSERT_TRUE(rig.drained(0, 2));

  const std::string where = " from network_alerts where id = '" + a.id + "'";
  EXPECT_EQ(scalar(url, "select attack_type || ' ' || profile_samples" + where), "SYN flood 79");
  EXPECT_EQ(scalar(url, "select top_sources::text" + where),
            R"([{"ip": "198.18.0.12", "packets": 12}, {"ip": "2001:db8::7", "packets": 11}, )"
            R"({"ip": "198.18.0.10", "packets": 10}])");
  EXPECT_EQ(scalar(url,
                   "select (top_sources = '[{\"ip\":\"198.18.0.12\",\"packets\":12},"
                   "{\"ip\":\"2001:db8::7\",\"packets\":11},"
                   "{\"ip\":\"198.18.0.10\",\"packets\":10}]'::jsonb)::text" +
                       where),
            "true");
  EXPECT_EQ(scalar(url,
                   "select (breakdown = '[{\"protocol\":\"tcp_syn\",\"src_port\":null,"
                   "\"dst_port\":80,\"packets\":78},{\"protocol\":\"udp\",\"src_port\":53,"
                   "\"dst_port\":null,\"packets\":1}]'::jsonb)::text" +
                       where),
            "true");
  EXPECT_EQ(scalar(url,
                   "select coalesce(attack_type, 'null') || ' ' || (profile_samples is null) || ' "
                   "' || (top_sources is null) || ' ' || (breakdown is null) from network_alerts "
                   "where id = '" +
                       other.id + "'"),
            "null true true true");

  // An update without a new profile (the alert resolved) keeps the stored one.
  const uint64_t before = rig.writer->status().rows_written;
  a.open = false;
  a.last_seen_ms += 1000;
  a.resolved_at_ms = a.last_seen_ms;
  a.top_sources.clear();
  a.breakdown.clear();
  a.attack_type.clear();
  sink.on_alert_changed(a);
  ASSERT_TRUE(rig.drained(before, 1));
  EXPECT_EQ(scalar(url,
                   "select status || ' ' || jsonb_array_length(top_sources) || ' ' || "
                   "jsonb_array_length(breakdown)" +
                       where),
            "resolved 0 0");  // the sensor said empty lists: stored as it said
  EXPECT_EQ(scalar(url, "select attack_type" + where), "SYN flood");  // null keeps the last

  // The restart's recovery reads an open victim alert back as written.
  control::Alert open = victim_alert("10.200.0.98");
  open.attack_type = "DNS reflection/amplification";
  open.profile_samples = 9;
  open.top_sources = {{"203.0.113.53", 6}, {"203.0.113.54", 3}};
  open.breakdown = {{"udp", 53, -1, 9}};
  sink.on_alert_changed(open);
  ASSERT_TRUE(rig.drained(before + 1, 1));
  auto rows = store::open_alerts_of_sensor(s, rig.sensor_id);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);  // the victim and the attacker alert
  const store::AlertRow* r = nullptr;
  for (const auto& x : *rows) r = x.id == open.id ? &x : r;
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->victim);
  EXPECT_EQ(r->attack_type, "DNS reflection/amplification");
  EXPECT_EQ(r->profile_samples, 9u);
  ASSERT_EQ(r->top_sources.size(), 2u);
  EXPECT_EQ(r->top_sources[0].ip, "203.0.113.53");
  EXPECT_EQ(r->top_sources[0].packets, 6u);
  EXPECT_EQ(r->top_sources[1].ip, "203.0.113.54");
  ASSERT_EQ(r->breakdown.size(), 1u);
  EXPECT_EQ(r->breakdown[0].protocol, "udp");
  EXPECT_EQ(r->breakdown[0].src_port, 53);
  EXPECT_EQ(r->breakdown[0].dst_port, -1);
  EXPECT_EQ(r->breakdown[0].packets, 9u);
  for (const auto& x : *rows) {
    if (x.id == other.id) EXPECT_FALSE(x.victim);
  }
}

// Hostile profiles: a huge list is cut at the limit, quotes, backslashes, NUL, control and
// non-ASCII bytes are stored safely (never refused: the row and its batch still land), and
// a row another writer filled with garbage is read back without failing the recovery.
TEST(StoreSink, AHostileVictimProfileIsCappedAndStoredSafely) {
  SN_MIGRATED_DB_OR_SKIP(url, "sinkhostile");
  store::Session s(store::db_config_from(url));
  auto owner = store::create_user(s, "hostile@example.com", "hostile-password");
  ASSERT_TRUE(owner);
  SinkRig rig;
  rig.start(url, owner->id);
  store::StoreSink sink(*rig.writer, {10000});

  control::Alert a = victim_alert("10.200.0.66");
  a.attack_type = std::string(500, 'x');
  a.profile_samples = UINT64_MAX;
  for (int i = 0; i < 5000; ++i)
    a.top_sources.push_back({"1.2.3." + std::to_string(i), static_cast<uint64_t>(5000 - i)});
  const std::string nasty = std::string("'\"); drop table network_alerts; --\\") + '\0' +
                            "\x01\xff\xc3\xa9" + std::string(300, '"');
  a.top_sources[0].ip = nasty;
  for (int i = 0; i < 5000; ++i) a.breakdown.push_back({nasty, 70000, -7, UINT64_MAX});
  sink.on_alert_changed(a);
  ASSERT_TRUE(rig.drained(0, 1)) << rig.writer->status().last_error;

  const std::string where = " from network_alerts where id = '" + a.id + "'";
  EXPECT_EQ(scalar(url, "select jsonb_array_length(top_sources)" + where),
            std::to_string(store::kMaxProfileEntries));
  EXPECT_EQ(scalar(url, "select jsonb_array_length(breakdown)" + where),
            std::to_string(store::kMaxProfileEntries));
  EXPECT_EQ(scalar(url, "select char_length(attack_type)" + where), "64");
  EXPECT_EQ(scalar(url, "select top_sources->1->>'ip'" + where), "1.2.3.1");  // order kept
  // The nasty text: its first 64 bytes, quotes and backslash kept, other bytes as '?'.
  std::string expect = store::profile_text(nasty);
  EXPECT_EQ(expect.size(), store::kMaxProfileText);
  EXPECT_EQ(expect.substr(0, 36), "'\"); drop table network_alerts; --\\?");
  EXPECT_EQ(scalar(url, "select top_sources->0->>'ip'" + where), expect);
  EXPECT_EQ(scalar(url, "select breakdown->0->>'protocol'" + where), expect);
  EXPECT_EQ(scalar(url,
                   "select coalesce(breakdown->0->>'src_port', 'null') || ' ' || "
                   "coalesce(breakdown->0->>'dst_port', 'null') || ' ' || "
                   "(breakdown->0->>'packets')" +
                       where),
            "null null 9223372036854775807");
  EXPECT_EQ(scalar(url, "select profile_samples" + where), "9223372036854775807");
  EXPECT_EQ(count(url, "select count(*) from network_alerts"), 1);  // the table is intact

  // The CHECKs of migration 0017 refuse what no sensor writes (33 entries, a long type).
  auto refused = [&](const std::string& set) {
    try {
      scalar(url, "update network_alerts set " + set + " where id = '" + a.id + "'");
      return std::string("accepted");
    } catch (const pqxx::sql_error& e) {
      return std::string(e.what()).find("check constraint") != std::string::npos
                 ? std::string("refused")
                 : std::string(e.what());
    }
  };
  EXPECT_EQ(refused("top_sources = (select jsonb_agg(jsonb_build_object('ip', i::text, "
                    "'packets', 1)) from generate_series(1, 33) i)"),
            "refused");
  EXPECT_EQ(refused("breakdown = '{\"not\":\"an array\"}'"), "refused");
  EXPECT_EQ(refused("top_sources = jsonb_build_array(repeat('x', 17000))"), "refused");
  EXPECT_EQ(refused("attack_type = repeat('y', 65)"), "refused");
  EXPECT_EQ(refused("profile_samples = -1"), "refused");
  // Garbage another writer could store within the limits: read back without an error.
  EXPECT_EQ(refused("top_sources = '[1, \"x\", {\"ip\": 5, \"packets\": \"lots\"}, null]', "
                    "breakdown = '[{\"protocol\": [1], \"src_port\": 99999, \"dst_port\": "
                    "\"-3\", \"packets\": 1.5}]'"),
            "accepted");
  auto rows = store::open_alerts_of_sensor(s, rig.sensor_id);
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  const auto& r = (*rows)[0];
  ASSERT_EQ(r.top_sources.size(), 4u);
  EXPECT_EQ(r.top_sources[0].ip, "");
  EXPECT_EQ(r.top_sources[2].ip, "5");
  EXPECT_EQ(r.top_sources[2].packets, 0u);
  ASSERT_EQ(r.breakdown.size(), 1u);
  EXPECT_EQ(r.breakdown[0].protocol, "[1]");
  EXPECT_EQ(r.breakdown[0].src_port, -1);
  EXPECT_EQ(r.breakdown[0].dst_port, -1);
  EXPECT_EQ(r.breakdown[0].packets, 0u);
}
