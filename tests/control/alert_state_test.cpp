// One open-alert state (issue 11): the AlertStore owns every alert and the index of open
// alerts by key; after any evaluate / resolve / adopt / raise_event the index, the counts by
// severity and the list of open alerts agree; an open alert is never evicted (it stays
// tracked under its id); the App publishes alert and config changes to every observer and
// hands the sink the store's counts for the metrics rows.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <random>

#include "app/app.h"
#include "detect/detector.h"

using namespace securenet;
using namespace securenet::control;

namespace {

// The one-state invariant, checked against the list of all alerts.
void expect_one_state(const AlertStore& store) {
  SeverityCounts counted{};
  size_t open = 0;
  for (const Alert* a : store.list({SIZE_MAX, {}, {}, {}})) {
    if (!a->open) {
      EXPECT_NE(store.open_for(alert_key(*a)), a) << a->id;
      continue;
    }
    ++open;
    ++counted[static_cast<size_t>(a->severity)];
    EXPECT_EQ(store.open_for(alert_key(*a)), a) << "open alert not indexed: " << a->id;
    EXPECT_EQ(store.find(a->id), a);
  }
  EXPECT_EQ(store.open_count(), open);
  EXPECT_EQ(store.open_by_severity(), counted);
}

HostObservation host(const std::string& ip, double pps, double syn = 0) {
  HostObservation h;
  h.ip = *parse_ip_text(ip);
  h.pps = h.pps_sent = pps;
  h.syn_per_min = syn;
  return h;
}

struct Harness {
  explicit Harness(size_t capacity) : store(capacity), det(store) { cfg.clear_hold_s = 2; }
  std::vector<Alert> tick(std::vector<HostObservation> hosts, HealthInput health = {}) {
    now += 1000;
    TickInput in;
    in.now_ms = now;
    in.hosts = &hosts;
    in.health = health;
    return det.evaluate(in, cfg);
  }
  AlertStore store;
  Detector det;
  SecurityConfig cfg = SecurityConfig::defaults();
  int64_t now = 1'000'000;
};

}  // namespace

TEST(AlertState, IndexCountsAndOpenListAgreeThroughEveryOperation) {
  Harness h(64);
  std::mt19937 rng(11);
  Alert adopted;
  adopted.id = "adopted-1";
  adopted.kind = AlertKind::kTrafficThreshold;
  adopted.host = "10.0.0.3";
  adopted.severity = Severity::kHigh;
  adopted.first_seen_ms = adopted.last_seen_ms = h.now - 5000;
  Alert event = adopted;
  event.id = "adopted-event";
  event.kind = AlertKind::kSensorHealth;
  event.host.clear();
  event.condition = "config_recovered";
  EXPECT_TRUE(h.det.adopt({adopted, event}, h.now).empty());
  expect_one_state(h.store);
  EXPECT_EQ(h.store.open_count(), 2u);
  for (int t = 0; t < 200; ++t) {
    std::vector<HostObservation> hosts;
    for (int i = 0; i < 8; ++i) {
      const double pps = std::uniform_int_distribution<int>(0, 4)(rng) * 600.0;  // 0..2400
      const double syn = std::uniform_int_distribution<int>(0, 3)(rng) * 100.0;
      hosts.push_back(host("10.0.0." + std::to_string(i), pps, syn));
    }
    HealthInput health;
    health.drops_per_s = t % 7 < 3 ? 10 : 0;
    h.tick(hosts, health);
    expect_one_state(h.store);
    if (t % 5 == 0) {  // a user resolves the oldest open alert
      auto open = h.store.list({SIZE_MAX, {}, true, {}});
      if (!open.empty()) {
        auto r = h.det.resolve(open.back()->id, h.now);
        ASSERT_TRUE(r);
        EXPECT_FALSE(r->open);
        EXPECT_STREQ(resolved_by(*r), "user");
      }
      expect_one_state(h.store);
    }
    if (t % 17 == 0) {
      const Alert ev = h.det.raise_event("config_recovered", Severity::kHigh, "again", h.now);
      EXPECT_EQ(h.store.open_for(alert_key(ev))->id, ev.id);
      expect_one_state(h.store);
    }
  }
  // Everything clears: nothing open but the event (kept until a user resolves it).
  h.det.raise_event("config_recovered", Severity::kHigh, "last", h.now);
  for (int i = 0; i < 5; ++i) h.tick({});
  expect_one_state(h.store);
  ASSERT_EQ(h.store.open_count(), 1u);
  EXPECT_EQ(h.store.list({SIZE_MAX, {}, true, {}})[0]->condition, "config_recovered");
}

// Today's eviction took an open alert when every alert was open, and the Detector then
// opened a second alert (new id) for the same key while the first stayed open in the
// database. Now an open alert is never evicted: it continues under its id and resolves.
TEST(AlertState, AnOpenAlertIsNeverEvictedAndKeepsItsId) {
  Harness h(2);
  auto first = h.tick({host("10.0.0.1", 1500), host("10.0.0.2", 1500), host("10.0.0.3", 1500)});
  ASSERT_EQ(first.size(), 3u);
  EXPECT_EQ(h.store.size(), 3u);  // over capacity while more alerts than that are open
  expect_one_state(h.store);
  auto again = h.tick({host("10.0.0.1", 1600), host("10.0.0.2", 1600), host("10.0.0.3", 1600)});
  ASSERT_EQ(again.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again[i].id, first[i].id);
    EXPECT_EQ(again[i].count, 2u);
  }
  // Resolved alerts are evicted first, oldest first; the open one stays.
  for (int i = 0; i < 4; ++i) h.tick({host("10.0.0.1", 1600)});
  EXPECT_EQ(h.store.open_count(), 1u);
  EXPECT_TRUE(h.store.find(first[0].id));
  for (int i = 4; i < 10; ++i) {  // short-lived alerts of other hosts come and go
    h.tick({host("10.0.0.1", 1600), host("10.0.1." + std::to_string(i), 1600)});
    for (int k = 0; k < 3; ++k) h.tick({host("10.0.0.1", 1600)});
    expect_one_state(h.store);
    EXPECT_LE(h.store.size(), 2u);
  }
  const Alert* kept = h.store.find(first[0].id);
  ASSERT_NE(kept, nullptr);
  EXPECT_TRUE(kept->open);
  EXPECT_GT(kept->count, 20u);
  std::vector<Alert> last;
  for (int i = 0; i < 4; ++i)
    for (auto& a : h.tick({})) last.push_back(a);
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].id, first[0].id);
  EXPECT_FALSE(last[0].open);
  EXPECT_STREQ(resolved_by(last[0]), "auto");
  expect_one_state(h.store);
}

TEST(AlertState, TheStoreKeepsOneOpenAlertPerKey) {
  AlertStore s(10);
  Alert a;
  a.id = "a";
  a.host = "10.0.0.1";
  ASSERT_TRUE(s.insert(a));
  Alert b = a;
  b.id = "b";
  EXPECT_EQ(s.insert(b), nullptr);  // the key is held by "a"
  EXPECT_EQ(s.open_for(alert_key(a))->id, "a");
  EXPECT_EQ(s.resolve("a", 5, ResolvedBy::kRestart)->resolved_at_ms, 5);
  EXPECT_EQ(s.open_for(alert_key(a)), nullptr);
  EXPECT_STREQ(resolved_by(*s.find("a")), "restart");
  EXPECT_EQ(s.update("a", [](Alert& x) { x.count = 99; }), nullptr);  // resolved: unchanged
  EXPECT_EQ(s.find("a")->count, 0u);
  ASSERT_TRUE(s.insert(b));
  EXPECT_EQ(s.open_for(alert_key(a))->id, "b");
  expect_one_state(s);
}

namespace {
// A sink that records what the App hands it.
class RecordingSink final : public EventSink {
 public:
  void on_alert_changed(const Alert& a) override { alerts.push_back(a); }
  void on_config_changed(const SecurityConfig&, const std::string& json,
                         const std::string& user) override {
    configs.push_back(user + " " + json);
  }
  void on_metrics_snapshot(const Snapshot& s) override { open_alerts.push_back(s.open_alerts); }
  void on_packet_samples(const std::vector<shm::SampleRecord>&) override {}
  DatabaseState state() const override { return {}; }
  std::vector<Alert> alerts;
  std::vector<std::string> configs;
  std::vector<SeverityCounts> open_alerts;
};
}  // namespace

// No dataplane: the first tick opens dataplane_down (HIGH). The sink and a second observer
// receive the same alert and config changes; the metrics snapshot carries the store's counts.
TEST(AlertState, TheAppPublishesToEveryObserverAndHandsTheSinkTheStoresCounts) {
  boost::asio::io_context ioc;
  AppOptions o;
  o.shm_name = "securenet-alert-state-test-no-such-segment";
  RecordingSink sink, extra;
  App app(ioc, o, SecurityConfig::defaults(), sink);
  app.subscribe(extra);
  app.tick();  // no segment: the tick finishes at once
  ASSERT_EQ(sink.open_alerts.size(), 1u);
  EXPECT_EQ(sink.open_alerts[0], app.alerts().open_by_severity());
  EXPECT_EQ(sink.open_alerts[0][static_cast<size_t>(Severity::kHigh)], 1u);
  EXPECT_EQ(app.snapshot()->open_alerts, app.alerts().open_by_severity());
  ASSERT_EQ(sink.alerts.size(), 1u);
  EXPECT_EQ(sink.alerts[0].condition, "dataplane_down");
  ASSERT_EQ(extra.alerts.size(), 1u);
  EXPECT_EQ(extra.alerts[0].id, sink.alerts[0].id);

  app.raise_event("config_recovered", Severity::kHigh, "sensor: recovered");
  ASSERT_TRUE(app.resolve_alert(sink.alerts[0].id));
  ASSERT_EQ(extra.alerts.size(), 3u);
  EXPECT_FALSE(extra.alerts[2].open);
  app.tick();
  ASSERT_EQ(sink.open_alerts.size(), 2u);
  EXPECT_EQ(sink.open_alerts[1], app.alerts().open_by_severity());
  EXPECT_EQ(sink.open_alerts[1][static_cast<size_t>(Severity::kHigh)], 1u);  // the event only

  ASSERT_TRUE(app.apply_config(R"({"traffic_sent_pps": 2000})", "user-1").ok);
  ASSERT_EQ(sink.configs.size(), 1u);
  EXPECT_EQ(sink.configs[0], "user-1 " + app.config_json());
  EXPECT_EQ(extra.configs, sink.configs);
  expect_one_state(app.alerts());
}
