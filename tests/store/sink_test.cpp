// The control plane's EventSink on the Writer, against a real PostgreSQL 15: alert
// changes upsert one row, config changes and snapshots append, samples become packets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "auth_store.h"
#include "config/security_config.h"
#include "db_helpers.h"
#include "persist/store_sink.h"
#include "pg_cluster.h"
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
