// Sampler math on synthetic counters: rates, merge across workers, restarts, the SYN
// window, active hosts, top lists, metrics reset.
#include "sampler/sampler.h"

#include <gtest/gtest.h>

#include "util/cidr.h"

using namespace securenet;
using namespace securenet::control;

namespace {

constexpr uint64_t kSec = 1'000'000'000ULL;

HostCounters hc(const char* ip, uint64_t sent, uint64_t recv = 0, uint64_t syn = 0) {
  HostCounters h;
  h.key = *parse_ip_text(ip);
  h.packets_sent = sent;
  h.bytes_sent = sent * 100;
  h.packets_recv = recv;
  h.bytes_recv = recv * 100;
  h.syn_sent = syn;
  h.proto_class_packets[0] = sent + recv;
  return h;
}

struct Rig {
  Sampler s;
  uint64_t t = 1000 * kSec;
  std::vector<HostObservation> obs;
  std::shared_ptr<Snapshot> tick(std::vector<HostCounters> hosts, uint64_t packets,
                                 InterestFloor floor = {1e18, 1e18}, uint64_t dt = kSec,
                                 uint64_t syn_total = 0) {
    t += dt;
    GlobalCounters g;
    g.packets = packets;
    g.bytes = packets * 100;
    g.tcp_syn = syn_total;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), g);
    for (const auto& h : hosts) s.add_host(h);
    return s.end_tick(floor, obs);
  }
};

}  // namespace

TEST(Sampler, RatesFromDeltas) {
  Rig r;
  auto s0 = r.tick({hc("10.0.0.1", 500)}, 500);
  EXPECT_EQ(s0->pps, 0);  // first tick: no interval yet
  EXPECT_EQ(s0->top[0][0].pps, 0);
  auto s1 = r.tick({hc("10.0.0.1", 1500, 500)}, 2000);
  EXPECT_DOUBLE_EQ(s1->pps, 1500);
  EXPECT_DOUBLE_EQ(s1->bps, 1500 * 100 * 8);
  auto v = r.s.host(*parse_ip_text("10.0.0.1"));
  ASSERT_TRUE(v);
  EXPECT_DOUBLE_EQ(v->pps, 1500);  // sent + received
  auto s2 = r.tick({hc("10.0.0.1", 2500, 500)}, 3000, {1e18, 1e18}, 2 * kSec);
  EXPECT_DOUBLE_EQ(s2->pps, 500);
  EXPECT_DOUBLE_EQ(r.s.host(*parse_ip_text("10.0.0.1"))->pps, 500);
}

TEST(Sampler, NewHostAfterTheFirstTickCountsFromZero) {
  Rig r;
  r.tick({}, 0);
  r.tick({hc("10.0.0.9", 3000)}, 3000, {1000, 1e18});
  ASSERT_EQ(r.obs.size(), 1u);
  EXPECT_DOUBLE_EQ(r.obs[0].pps, 3000);
}

TEST(Sampler, MergesTheSameHostFromTwoWorkers) {
  Rig r;
  r.tick({hc("10.0.0.1", 0), hc("10.0.0.1", 0)}, 0);
  auto s = r.tick({hc("10.0.0.1", 600), hc("10.0.0.1", 400)}, 1000);
  EXPECT_EQ(s->hosts_tracked, 1u);
  EXPECT_DOUBLE_EQ(s->top[0][0].pps, 1000);
  EXPECT_EQ(s->top[0][0].packets_sent, 1000u);
}

TEST(Sampler, CountersGoingBackwardsAreARestart) {
  Rig r;
  r.tick({hc("10.0.0.1", 10000)}, 10000);
  r.tick({hc("10.0.0.1", 11000)}, 11000);
  auto s = r.tick({hc("10.0.0.1", 200)}, 200);  // dataplane restarted
  EXPECT_GE(s->pps, 0);
  EXPECT_LT(s->pps, 1e6);
  auto s2 = r.tick({hc("10.0.0.1", 700)}, 700);
  EXPECT_DOUBLE_EQ(s2->pps, 500);
  EXPECT_DOUBLE_EQ(r.s.host(*parse_ip_text("10.0.0.1"))->pps, 500);
  // The API's totals go on across the restart (11000 before it, 700 since).
  EXPECT_EQ(s2->totals.packets, 11700u);
  EXPECT_EQ(s2->raw_totals.packets, 700u);
  r.s.request_metrics_reset();
  auto s3 = r.tick({hc("10.0.0.1", 900)}, 900);
  EXPECT_EQ(s3->totals.packets, 0u) << "a reset starts from zero, earlier runs included";
  EXPECT_EQ(r.tick({hc("10.0.0.1", 1100)}, 1100)->totals.packets, 200u);
}

// A reopened segment: the old dataplane's final counts (read from its still-mapped segment)
// carry over, including what it counted after the last tick, and a dataplane that lived
// less than a tick (two reopens with no tick between) is not lost either.
TEST(Sampler, ReopenCarriesTheOldSegmentsFinalCounts) {
  Rig r;
  r.tick({hc("10.0.0.1", 1000)}, 1000);
  r.tick({hc("10.0.0.1", 1990)}, 1990);
  GlobalCounters final_raw;
  final_raw.packets = 2030;  // counted after the last tick, before the kill
  r.s.forget_all(&final_raw);
  GlobalCounters short_lived;
  short_lived.packets = 40;  // a dataplane that never saw a tick
  r.s.forget_all(&short_lived);
  auto s = r.tick({hc("10.0.0.1", 25)}, 25);
  EXPECT_EQ(s->totals.packets, 2030u + 40u + 25u);
  EXPECT_EQ(r.tick({hc("10.0.0.1", 125)}, 125)->totals.packets, 2030u + 40u + 125u);
  r.s.forget_all();  // no final counts known: the last tick's
  EXPECT_EQ(r.tick({hc("10.0.0.1", 5)}, 5)->totals.packets, 2030u + 40u + 125u + 5u);
}

TEST(Sampler, SynWindowIsTheLastMinute) {
  Rig r;
  r.tick({hc("10.0.0.66", 0, 0, 0)}, 0);
  r.tick({hc("10.0.0.66", 150, 0, 150)}, 150, {1e18, 100}, kSec, 150);
  ASSERT_EQ(r.obs.size(), 1u);
  EXPECT_DOUBLE_EQ(r.obs[0].syn_per_min, 150);
  auto s = r.s.host(*parse_ip_text("10.0.0.66"));
  EXPECT_DOUBLE_EQ(s->syn_per_min, 150);
  std::shared_ptr<Snapshot> snap;
  for (int i = 0; i < 30; ++i)
    snap = r.tick({hc("10.0.0.66", 150, 0, 150)}, 150, {1e18, 100}, kSec, 150);
  EXPECT_DOUBLE_EQ(r.s.host(*parse_ip_text("10.0.0.66"))->syn_per_min,
                   150);  // 32 s later: still in the window
  EXPECT_DOUBLE_EQ(snap->connections_per_min, 150);
  for (int i = 0; i < 35; ++i)
    snap = r.tick({hc("10.0.0.66", 150, 0, 150)}, 150, {1e18, 100}, kSec, 150);
  EXPECT_DOUBLE_EQ(r.s.host(*parse_ip_text("10.0.0.66"))->syn_per_min, 0);  // 67 s later: out
  EXPECT_DOUBLE_EQ(snap->connections_per_min, 0);
}

// Issue 17's connection-rate fast path: an entry at most a minute old (packet time) has
// sent all its SYNs within the minute; an older one adds the SYNs since the last tick to
// the tick's buckets of the last minute; a slot the last tick did not see is unknown.
TEST(Sampler, SynsLastMinuteForTheFastPath) {
  Rig r;
  auto at = [&](const char* ip, uint64_t syn, uint64_t first_s, uint64_t last_s) {
    HostCounters h = hc(ip, syn, 0, syn);
    h.first_seen_ns = first_s * kSec;
    h.last_seen_ns = last_s * kSec;
    return h;
  };
  auto tick_at = [&](const HostCounters& h) {
    r.t += kSec;
    GlobalCounters g;
    r.s.begin_tick(r.t, static_cast<int64_t>(r.t / 1000000), g);
    r.s.add_host_at(0, 7, h);
    r.s.end_tick({1e18, 1e18}, r.obs);
  };
  EXPECT_EQ(r.s.syns_last_minute(0, 7, at("10.0.0.7", 40, 100, 200), r.t), std::nullopt)
      << "an old entry the tick never saw";
  EXPECT_EQ(r.s.syns_last_minute(0, 7, at("10.0.0.7", 40, 100, 130), r.t), 40u)
      << "a young entry: its lifetime is the minute";
  tick_at(at("10.0.0.7", 1000, 0, 200));  // the first tick: a baseline, no delta yet
  tick_at(at("10.0.0.7", 1030, 0, 201));  // 30 SYNs in this tick's bucket
  EXPECT_EQ(r.s.syns_last_minute(0, 7, at("10.0.0.7", 1050, 0, 202), r.t), 50u)
      << "30 in the buckets + 20 since the tick";
  EXPECT_EQ(r.s.syns_last_minute(0, 8, at("10.0.0.7", 1050, 0, 202), r.t), std::nullopt)
      << "another slot";
  EXPECT_EQ(r.s.syns_last_minute(0, 7, at("10.0.0.8", 1050, 0, 202), r.t), std::nullopt)
      << "the slot now holds another host";
  EXPECT_EQ(r.s.syns_last_minute(0, 7, at("10.0.0.7", 1050, 0, 202), r.t + 70 * kSec), 20u)
      << "the tick's buckets are older than a minute by then";
}

TEST(Sampler, ActiveHostsAreThoseWithTrafficInTheLastMinute) {
  Rig r;
  r.tick({hc("10.0.0.1", 1), hc("10.0.0.2", 1)}, 2);
  auto s = r.tick({hc("10.0.0.1", 2), hc("10.0.0.2", 1), hc("10.0.0.3", 5)}, 8);
  EXPECT_EQ(s->active_hosts, 2u);  // .1 and .3 changed; .2 did not since we started
  s = r.tick({hc("10.0.0.1", 2), hc("10.0.0.2", 1), hc("10.0.0.3", 5)}, 8, {1e18, 1e18}, 61 * kSec);
  EXPECT_EQ(s->active_hosts, 0u);
}

TEST(Sampler, TopListsAreSortedAndBounded) {
  Rig r;
  std::vector<HostCounters> zero, later;
  for (int i = 0; i < 1500; ++i) {
    std::string ip = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    zero.push_back(hc(ip.c_str(), 0));
    later.push_back(hc(ip.c_str(), static_cast<uint64_t>(i)));
  }
  r.tick(zero, 0);
  auto s = r.tick(later, 0);
  for (size_t k = 0; k < kHostSortCount; ++k) EXPECT_LE(s->top[k].size(), kTopHosts);
  const auto& pps = s->top[static_cast<size_t>(HostSort::kPps)];
  ASSERT_EQ(pps.size(), kTopHosts);
  EXPECT_DOUBLE_EQ(pps[0].pps, 1499);
  for (size_t i = 1; i < pps.size(); ++i) EXPECT_GE(pps[i - 1].pps, pps[i].pps);
  EXPECT_EQ(s->top[static_cast<size_t>(HostSort::kPackets)][0].packets_sent, 1499u);
}

TEST(Sampler, MetricsResetRestartsReportedCountersOnly) {
  Rig r;
  r.tick({hc("10.0.0.1", 100)}, 100);
  r.s.request_metrics_reset();
  auto s = r.tick({hc("10.0.0.1", 300)}, 300);
  EXPECT_EQ(s->totals.packets, 0u);
  EXPECT_EQ(s->raw_totals.packets, 300u);
  EXPECT_DOUBLE_EQ(s->pps, 200);  // rates are unaffected
  s = r.tick({hc("10.0.0.1", 350)}, 350);
  EXPECT_EQ(s->totals.packets, 50u);
  EXPECT_EQ(r.s.host(*parse_ip_text("10.0.0.1"))->packets_sent, 50u);
}

TEST(Sampler, InterestFloorSelectsHostsForTheDetector) {
  Rig r;
  r.tick({hc("10.0.0.1", 0), hc("10.0.0.2", 0)}, 0);
  auto a = hc("10.0.0.2", 10);
  a.blacklisted_packets = 4;
  a.blacklisted_sent = 4;  // the blacklist rule counts what a host sent (issue 13)
  a.proto_class_packets[2] = 4;
  r.tick({hc("10.0.0.1", 900), a}, 910, {800, 80});
  ASSERT_EQ(r.obs.size(), 2u);
  for (const auto& o : r.obs) {
    if (o.ip.bytes[15] == 2) {
      EXPECT_EQ(o.blacklisted_delta, 4u);
      EXPECT_EQ(o.blacklisted_sent_delta, 4u);
      EXPECT_EQ(o.class_delta[2], 4u);
    } else {
      EXPECT_DOUBLE_EQ(o.pps, 900);
    }
  }
}

TEST(Sampler, HistoryKeepsOnePointPerTick) {
  Rig r;
  for (int i = 0; i < 5; ++i) r.tick({}, static_cast<uint64_t>(i * 10));
  EXPECT_EQ(r.s.history().size(), 5u);
  EXPECT_DOUBLE_EQ(r.s.history().back().pps, 10);
}

// Hosts that left the dataplane's table are dropped after a whole scan: no stale rates,
// no ghost in the top lists or the host lookup; the slot hints follow the compaction.
TEST(Sampler, ForgetsHostsNoLongerInTheSegment) {
  Sampler s;
  std::vector<HostObservation> obs;
  uint64_t t = 1000 * kSec;
  auto tick = [&](std::vector<std::pair<uint64_t, HostCounters>> hosts) {
    t += kSec;
    GlobalCounters g;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), g);
    for (const auto& [slot, h] : hosts) s.add_host_at(0, slot, h);
    s.forget_unseen();
    return s.end_tick({1e18, 1e18}, obs);
  };
  tick({{1, hc("10.0.0.1", 10)}, {2, hc("10.0.0.2", 20)}, {3, hc("10.0.0.3", 30)}});
  EXPECT_EQ(s.hosts_tracked(), 3u);
  // 10.0.0.1 aged out; slot 3 now holds another host (10.0.0.9).
  auto snap = tick({{2, hc("10.0.0.2", 40)}, {3, hc("10.0.0.9", 5)}});
  EXPECT_EQ(s.hosts_tracked(), 2u);
  EXPECT_EQ(snap->hosts_tracked, 2u);
  EXPECT_FALSE(s.host(*parse_ip_text("10.0.0.1")));
  EXPECT_FALSE(s.host(*parse_ip_text("10.0.0.3")));
  ASSERT_TRUE(s.host(*parse_ip_text("10.0.0.9")));
  EXPECT_EQ(s.host(*parse_ip_text("10.0.0.9"))->packets_sent, 5u);
  for (const auto& list : snap->top) {
    for (const auto& v : list) EXPECT_NE(ip_text(v.ip), "10.0.0.1");
  }
  // The hints still lead to the right hosts after the compaction.
  snap = tick({{2, hc("10.0.0.2", 60)}, {3, hc("10.0.0.9", 15)}});
  EXPECT_DOUBLE_EQ(s.host(*parse_ip_text("10.0.0.2"))->pps, 20);
  EXPECT_DOUBLE_EQ(s.host(*parse_ip_text("10.0.0.9"))->pps, 10);
  EXPECT_EQ(s.hosts_tracked(), 2u);
}

// An idle host (most of a 1M-host table): counters that do not move give rates of 0, its
// SYNs decay out of the window, a floor below 0 still observes it, and the rankings since a
// metrics reset count from the reset.
TEST(Sampler, AnIdleHostsRatesWindowAndRankings) {
  Rig r;
  r.tick({hc("10.0.0.7", 0), hc("10.0.0.8", 0)}, 0);
  r.tick({hc("10.0.0.7", 100, 0, 100), hc("10.0.0.8", 40)}, 140, {1e18, 1e18}, kSec, 100);
  for (int i = 0; i < 70; ++i) r.tick({hc("10.0.0.7", 100, 0, 100), hc("10.0.0.8", 40)}, 140);
  auto v = r.s.host(*parse_ip_text("10.0.0.7"));
  EXPECT_DOUBLE_EQ(v->syn_per_min, 0);  // out of the window after a minute of idling
  EXPECT_DOUBLE_EQ(v->pps, 0);
  r.tick({hc("10.0.0.7", 110, 0, 110), hc("10.0.0.8", 40)}, 150, {1e18, 1e18}, kSec, 110);
  EXPECT_DOUBLE_EQ(r.s.host(*parse_ip_text("10.0.0.7"))->syn_per_min, 10);  // only the new
  r.tick({hc("10.0.0.7", 110, 0, 110), hc("10.0.0.8", 40)}, 150, {-1, -1});
  EXPECT_EQ(r.obs.size(), 2u);  // a floor below 0 observes every host, idle or not
  r.s.request_metrics_reset();
  r.tick({hc("10.0.0.7", 110, 0, 110), hc("10.0.0.8", 40)}, 150);
  auto s = r.tick({hc("10.0.0.7", 110, 0, 110), hc("10.0.0.8", 45)}, 155);
  const auto& by_packets = s->top[static_cast<size_t>(HostSort::kPackets)];
  ASSERT_EQ(by_packets.size(), 2u);
  EXPECT_EQ(by_packets[0].ip.bytes[15], 8);  // 5 packets since the reset; 10.0.0.7 none
  EXPECT_EQ(by_packets[0].packets_sent, 5u);
  EXPECT_EQ(by_packets[1].packets_sent, 0u);
}

// The bases of a metrics reset live beside the hosts (allocated at the first reset): a host
// first seen after the reset counts from 0, and the bases follow forget_unseen's compaction
// (each surviving host keeps its own base; the rankings by packets use it).
TEST(Sampler, MetricsResetBasesFollowNewAndForgottenHosts) {
  Sampler s;
  std::vector<HostObservation> obs;
  uint64_t t = 1000 * kSec;
  auto tick = [&](std::vector<std::pair<uint64_t, HostCounters>> hosts) {
    t += kSec;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), GlobalCounters{});
    for (const auto& [slot, h] : hosts) s.add_host_at(0, slot, h);
    s.forget_unseen();
    return s.end_tick({1e18, 1e18}, obs);
  };
  tick({{1, hc("10.0.1.1", 100)}, {2, hc("10.0.1.2", 200)}, {3, hc("10.0.1.3", 300)}});
  EXPECT_EQ(s.host(*parse_ip_text("10.0.1.3"))->packets_sent, 300u);  // no reset yet
  s.request_metrics_reset();
  tick({{1, hc("10.0.1.1", 100)}, {2, hc("10.0.1.2", 200)}, {3, hc("10.0.1.3", 300)}});
  EXPECT_EQ(s.host(*parse_ip_text("10.0.1.3"))->packets_sent, 0u);
  // 10.0.1.1 aged out (10.0.1.3 moves down to its index); 10.0.1.4 is new since the reset.
  auto snap = tick({{2, hc("10.0.1.2", 210)}, {3, hc("10.0.1.3", 330)}, {4, hc("10.0.1.4", 7)}});
  EXPECT_EQ(s.hosts_tracked(), 3u);
  EXPECT_EQ(s.host(*parse_ip_text("10.0.1.2"))->packets_sent, 10u);
  EXPECT_EQ(s.host(*parse_ip_text("10.0.1.3"))->packets_sent, 30u);
  EXPECT_EQ(s.host(*parse_ip_text("10.0.1.4"))->packets_sent, 7u);
  EXPECT_EQ(s.host(*parse_ip_text("10.0.1.4"))->bytes_sent, 700u);
  const auto& by_packets = snap->top[static_cast<size_t>(HostSort::kPackets)];
  ASSERT_EQ(by_packets.size(), 3u);
  EXPECT_EQ(ip_text(by_packets[0].ip), "10.0.1.3");
  EXPECT_EQ(by_packets[0].packets_sent, 30u);
  EXPECT_EQ(ip_text(by_packets[1].ip), "10.0.1.2");
  EXPECT_EQ(ip_text(by_packets[2].ip), "10.0.1.4");
  const auto& by_bytes = snap->top[static_cast<size_t>(HostSort::kBytes)];
  ASSERT_EQ(by_bytes.size(), 3u);
  EXPECT_EQ(by_bytes[0].bytes_sent, 3000u);
}

// A host whose counters do not move takes the tick's idle path (only its first lines read):
// the values must be those of the full path. Rates 0 while idle, the SYN window keeps its
// count until the buckets slide out, an observation (floor below 0) has every delta 0, and
// the next move is measured from the last counters, also for a host two workers see.
TEST(Sampler, AnUnchangedHostKeepsItsValuesAcrossTicks) {
  Sampler s;
  std::vector<HostObservation> obs;
  uint64_t t = 1000 * kSec;
  auto tick = [&](std::vector<std::pair<unsigned, HostCounters>> hosts,
                  InterestFloor floor = {1e18, 1e18}) {
    t += kSec;
    s.begin_tick(t, static_cast<int64_t>(t / 1000000), GlobalCounters{});
    for (size_t i = 0; i < hosts.size(); ++i) s.add_host_at(hosts[i].first, i, hosts[i].second);
    return s.end_tick(floor, obs);
  };
  auto a = hc("10.0.2.1", 100, 50, 10);
  a.blacklisted_packets = 3;
  a.proto_class_packets[2] = 3;
  auto b0 = hc("10.0.2.2", 40), b1 = hc("10.0.2.2", 60);  // one host, two workers
  tick({{0, a}, {0, b0}, {1, b1}});
  a.packets_sent += 30;
  a.bytes_sent += 3000;
  a.syn_sent += 6;
  a.blacklisted_packets += 2;
  b1.packets_sent += 5;
  tick({{0, a}, {0, b0}, {1, b1}});
  const auto ip_a = *parse_ip_text("10.0.2.1"), ip_b = *parse_ip_text("10.0.2.2");
  EXPECT_DOUBLE_EQ(s.host(ip_a)->pps, 30);
  EXPECT_DOUBLE_EQ(s.host(ip_a)->syn_per_min, 6);
  EXPECT_DOUBLE_EQ(s.host(ip_b)->pps, 5);
  for (int i = 0; i < 3; ++i) {  // idle
    tick({{0, a}, {0, b0}, {1, b1}}, {-1, -1});
    EXPECT_DOUBLE_EQ(s.host(ip_a)->pps, 0);
    EXPECT_DOUBLE_EQ(s.host(ip_a)->bps, 0);
    EXPECT_DOUBLE_EQ(s.host(ip_a)->syn_per_min, 6);  // still in the window
    EXPECT_EQ(s.host(ip_a)->packets_sent, 130u);
    EXPECT_EQ(s.host(ip_b)->packets_sent, 105u);
    EXPECT_DOUBLE_EQ(s.host(ip_b)->pps, 0);
    ASSERT_EQ(obs.size(), 2u);  // a floor below 0 observes both, every delta 0
    for (const auto& o : obs) {
      EXPECT_DOUBLE_EQ(o.pps, 0);
      EXPECT_EQ(o.blacklisted_delta, 0u);
      for (auto d : o.class_delta) EXPECT_EQ(d, 0u);
      EXPECT_DOUBLE_EQ(o.pps_sent, 0);
      EXPECT_DOUBLE_EQ(o.bps_recv, 0);
      EXPECT_DOUBLE_EQ(o.syn_per_min, same_ip(o.ip, ip_a) ? 6 : 0);
    }
  }
  for (int i = 0; i < 60; ++i) tick({{0, a}, {0, b0}, {1, b1}});
  EXPECT_DOUBLE_EQ(s.host(ip_a)->syn_per_min, 0);  // slid out while idle
  a.packets_recv += 7;
  a.blacklisted_packets += 1;
  a.proto_class_packets[2] += 1;
  b0.packets_sent += 9;
  tick({{0, a}, {0, b0}, {1, b1}}, {-1, -1});
  EXPECT_DOUBLE_EQ(s.host(ip_a)->pps, 7);  // from the last counters, not from 0
  EXPECT_DOUBLE_EQ(s.host(ip_b)->pps, 9);
  for (const auto& o : obs) {
    if (!same_ip(o.ip, ip_a)) continue;
    EXPECT_EQ(o.blacklisted_delta, 1u);
    EXPECT_EQ(o.class_delta[2], 1u);
    EXPECT_DOUBLE_EQ(o.pps_recv, 7);
  }
}
