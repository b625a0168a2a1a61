// The host table that ages (issue 12): eviction of idle hosts, tombstone reuse after the
// probe chain is checked, tombstone reclaim, readers that never mix two hosts of one slot,
// src == dst counted once, IPv6 aggregation (--ipv6-prefix) and the two options' limits.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "core_test_util.h"
#include "pipeline/host_table.h"
#include "pipeline/packet_counter.h"

namespace securenet {
namespace {

using test::key;
constexpr uint64_t kSec = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000ULL * kSec;

shm::IpKey key_n(uint32_t n) {
  shm::IpKey k{};
  k.bytes[10] = k.bytes[11] = 0xFF;
  k.bytes[12] = static_cast<uint8_t>(n >> 24);
  k.bytes[13] = static_cast<uint8_t>(n >> 16);
  k.bytes[14] = static_cast<uint8_t>(n >> 8);
  k.bytes[15] = static_cast<uint8_t>(n);
  return k;
}

// `count` distinct keys whose home slot is `home` (found by search).
std::vector<shm::IpKey> colliding(const HostTable& t, uint64_t home, size_t count) {
  std::vector<shm::IpKey> out;
  for (uint32_t n = 1; out.size() < count && n < 50'000'000; ++n) {
    if (t.slot_of(key_n(n)) == home) out.push_back(key_n(n));
  }
  return out;
}

shm::HostEntry* put(HostTable& t, const shm::IpKey& k, uint64_t last_seen) {
  shm::HostEntry* e = t.find_or_insert(k);
  if (e) {
    shm::bump(e->packets_sent);
    e->last_seen_ns.store(last_seen);
  }
  return e;
}

// Moves the packet clock to `now` and sweeps the whole table once.
void sweep_all(HostTable& t, uint64_t now) {
  t.age(now);
  for (uint64_t i = 0; i < t.capacity(); i += kSweepSlots) t.sweep_step();
}

struct Fixture {
  Result<Segment> seg;
  HostTable t;
  explicit Fixture(const char* what, uint64_t cap = 64, uint64_t idle_s = 120)
      : seg(test::make_segment(what, 1, cap)) {
    if (seg) t = HostTable(seg->hosts(0), seg->host_capacity(0), &seg->counters(0), idle_s * kSec);
  }
  shm::WorkerCounters& c() { return seg->counters(0); }
};

TEST(HostAgeing, IdleHostsLeaveLiveHostsStay) {
  Fixture f("age-idle");
  ASSERT_TRUE(f.seg) << f.seg.error().message;
  shm::HostEntry* old_host = put(f.t, key("10.0.0.1"), kT0);
  put(f.t, key("10.0.0.2"), kT0 + 100 * kSec);
  ASSERT_NE(old_host, nullptr);
  sweep_all(f.t, kT0 + 119 * kSec);  // nobody idle for 120 s yet
  EXPECT_EQ(shm::read(f.c().hosts_evicted), 0u);
  sweep_all(f.t, kT0 + 120 * kSec);
  EXPECT_EQ(f.t.find(key("10.0.0.1")), nullptr);
  EXPECT_NE(f.t.find(key("10.0.0.2")), nullptr);
  EXPECT_EQ(shm::read(f.c().hosts_evicted), 1u);
  EXPECT_EQ(shm::read(f.c().hosts_in_table), 1u);
  const uint64_t s = old_host->state.load();
  EXPECT_NE(shm::host_tag(s), shm::kHostOccupied);
  EXPECT_EQ(shm::host_generation(s), 1u);
  EXPECT_EQ(shm::read(old_host->packets_sent), 0u);  // zeroed for the next host
  EXPECT_EQ(shm::read(old_host->last_seen_ns), 0u);
}

TEST(HostAgeing, ZeroIdleNeverEvicts) {
  Fixture f("age-never", 64, 0);
  ASSERT_TRUE(f.seg) << f.seg.error().message;
  put(f.t, key("10.0.0.1"), kT0);
  sweep_all(f.t, kT0 + 1'000'000 * kSec);
  EXPECT_NE(f.t.find(key("10.0.0.1")), nullptr);
  EXPECT_EQ(shm::read(f.c().hosts_evicted), 0u);
}

TEST(HostAgeing, InsertLooksPastATombstoneBeforeReusingIt) {
  Fixture f("age-reuse");
  ASSERT_TRUE(f.seg) << f.seg.error().message;
  const auto k = colliding(f.t, 10, 4);
  ASSERT_EQ(k.size(), 4u);
  shm::HostEntry* a = put(f.t, k[0], kT0);
  shm::HostEntry* b = put(f.t, k[1], kT0 + 100 * kSec);
  shm::HostEntry* c = put(f.t, k[2], kT0 + 100 * kSec);
  ASSERT_TRUE(a && b && c);
  ASSERT_EQ(b, a + 1);
  ASSERT_EQ(c, a + 2);
  sweep_all(f.t, kT0 + 130 * kSec);  // a ages out: a tombstone in front of b and c
  ASSERT_EQ(shm::host_tag(a->state.load()), shm::kHostTombstone);
  // b and c are found where they are, not inserted again into a's tombstone.
  EXPECT_EQ(f.t.find_or_insert(k[1]), b);
  EXPECT_EQ(f.t.find_or_insert(k[2]), c);
  EXPECT_EQ(f.t.find(k[2]), c);
  EXPECT_EQ(shm::read(f.c().hosts_in_table), 2u);
  // A new key of the same chain takes the tombstone, with the next generation.
  shm::HostEntry* d = f.t.find_or_insert(k[3]);
  EXPECT_EQ(d, a);
  EXPECT_EQ(a->state.load(), (1u << 2) | shm::kHostOccupied);
  EXPECT_EQ(shm::read(a->packets_sent), 0u);
  EXPECT_EQ(f.t.find(k[0]), nullptr);
  EXPECT_EQ(shm::read(f.c().hosts_in_table), 3u);
}

TEST(HostAgeing, TombstonesBeforeAnEmptySlotAreReclaimed) {
  Fixture f("age-reclaim");
  ASSERT_TRUE(f.seg) << f.seg.error().message;
  const auto k = colliding(f.t, 20, 3);
  ASSERT_EQ(k.size(), 3u);
  shm::HostEntry* a = put(f.t, k[0], kT0);
  shm::HostEntry* b = put(f.t, k[1], kT0 + 100 * kSec);
  shm::HostEntry* c = put(f.t, k[2], kT0);
  ASSERT_TRUE(a && b && c);
  sweep_all(f.t, kT0 + 130 * kSec);
  // a is in the middle of a chain (b lives behind it): it stays a tombstone; c is last
  // before an empty slot: it becomes empty.
  EXPECT_EQ(shm::host_tag(a->state.load()), shm::kHostTombstone);
  EXPECT_EQ(shm::host_tag(c->state.load()), shm::kHostEmpty);
  EXPECT_EQ(shm::host_generation(c->state.load()), 1u);
  EXPECT_EQ(f.t.find(k[1]), b);
  // b ages out too: the whole run a, b becomes empty.
  sweep_all(f.t, kT0 + 300 * kSec);
  EXPECT_EQ(shm::host_tag(a->state.load()), shm::kHostEmpty);
  EXPECT_EQ(shm::host_tag(b->state.load()), shm::kHostEmpty);
  EXPECT_EQ(shm::read(f.c().hosts_in_table), 0u);
  EXPECT_EQ(shm::read(f.c().hosts_evicted), 3u);
}

TEST(HostAgeing, ProbeChainsStayCorrectUnderChurn) {
  Fixture f("age-churn", 1024);
  ASSERT_TRUE(f.seg) << f.seg.error().message;
  // Rounds of 300 hosts each; every round the previous round ages out. After each round,
  // every host of it is found, none of the round before is.
  uint64_t now = kT0;
  for (uint32_t round = 0; round < 40; ++round) {
    now += 200 * kSec;
    for (uint32_t i = 0; i < 300; ++i)
      ASSERT_NE(put(f.t, key_n(round * 1000 + i + 1), now), nullptr);
    for (uint32_t i = 0; i < 300; ++i) ASSERT_NE(f.t.find(key_n(round * 1000 + i + 1)), nullptr);
    if (round > 0) {
      for (uint32_t i = 0; i < 300; ++i)
        ASSERT_EQ(f.t.find(key_n((round - 1) * 1000 + i + 1)), nullptr);
    }
    sweep_all(f.t, now + 150 * kSec);  // ages out this round before the next
    EXPECT_EQ(shm::read(f.c().hosts_in_table), 0u);
  }
  EXPECT_EQ(shm::read(f.c().host_table_full), 0u);
  EXPECT_EQ(shm::read(f.c().hosts_evicted), 40u * 300u);
}

TEST(HostAgeing, ReaderSeesAReusedSlotAsANewHost) {
  Fixture f("age-reader");
  ASSERT_TRUE(f.seg) << f.seg.error().message;
  auto r = ShmReader::open(f.seg->name());
  ASSERT_TRUE(r) << r.error().message;
  const auto k = colliding(f.t, 5, 2);
  ASSERT_EQ(k.size(), 2u);
  shm::HostEntry* a = put(f.t, k[0], kT0);
  a->packets_sent.store(77);
  std::vector<std::pair<uint64_t, HostCounters>> seen;
  r->scan_hosts(
      [&](unsigned, uint64_t slot, const HostCounters& h) { seen.emplace_back(slot, h); });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, 5u);
  EXPECT_EQ(seen[0].second.packets_sent, 77u);
  sweep_all(f.t, kT0 + 200 * kSec);
  seen.clear();
  r->scan_hosts(
      [&](unsigned, uint64_t slot, const HostCounters& h) { seen.emplace_back(slot, h); });
  EXPECT_TRUE(seen.empty());
  ASSERT_EQ(put(f.t, k[1], kT0 + 200 * kSec), a);  // same slot, another host
  r->scan_hosts(
      [&](unsigned, uint64_t slot, const HostCounters& h) { seen.emplace_back(slot, h); });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, 5u);
  EXPECT_TRUE(key_equal(seen[0].second.key, k[1]));
  EXPECT_EQ(seen[0].second.packets_sent, 1u);  // not 77 + 1
}

// A writer cycles hosts through one slot (insert, counts, age out) while a reader scans:
// every copy the reader keeps has counters that belong to the key it copied.
TEST(HostAgeing, ConcurrentReaderNeverMixesTwoHosts) {
  Fixture f("age-race");
  ASSERT_TRUE(f.seg) << f.seg.error().message;
  auto r = ShmReader::open(f.seg->name());
  ASSERT_TRUE(r) << r.error().message;
  const auto k = colliding(f.t, 7, 64);
  ASSERT_EQ(k.size(), 64u);
  std::atomic<bool> done{false};
  std::atomic<uint64_t> bad{0}, copies{0};
  std::thread reader([&] {
    while (!done.load()) {
      r->scan_hosts(0, 7, 8, [&](unsigned, uint64_t, const HostCounters& h) {
        size_t id = 0;
        while (id < k.size() && !key_equal(k[id], h.key)) ++id;
        const uint64_t want = id + 1;
        const bool ok = id < k.size() && (h.packets_sent == 0 || h.packets_sent == want) &&
                        (h.bytes_sent == 0 || h.bytes_sent == want * 1000) &&
                        (h.syn_sent == 0 || h.syn_sent == want * 7);
        bad += ok ? 0 : 1;
        ++copies;
      });
    }
  });
  uint64_t now = kT0;
  // At least 20,000 cycles, and on until the reader has kept 1,000 copies (deadline 60 s).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int round = 0;
       round < 20000 || (copies.load() < 1000 && std::chrono::steady_clock::now() < deadline);
       ++round) {
    const size_t id = static_cast<size_t>(round) % k.size();
    shm::HostEntry* e = f.t.find_or_insert(k[id]);
    ASSERT_NE(e, nullptr);
    e->packets_sent.store(id + 1, std::memory_order_relaxed);
    e->bytes_sent.store((id + 1) * 1000, std::memory_order_relaxed);
    e->syn_sent.store((id + 1) * 7, std::memory_order_relaxed);
    e->last_seen_ns.store(now, std::memory_order_relaxed);
    now += 200 * kSec;
    sweep_all(f.t, now);
  }
  done = true;
  reader.join();
  EXPECT_EQ(bad.load(), 0u) << "of " << copies.load() << " copies";
  EXPECT_GT(copies.load(), 0u);
}

// --- through the packet path --------------------------------------------------------

TEST(HostAgeing, SourceEqualToDestinationIsOneHost) {
  auto seg = test::make_segment("age-self");
  ASSERT_TRUE(seg) << seg.error().message;
  PacketCounter pc(*seg, 0);
  const auto f = test::udp4("10.9.9.9", "10.9.9.9", 1000, 2000);
  const PacketView v = test::view(f, kT0);
  pc.process(&v, 1);
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), 1u);
  const shm::HostEntry* e = pc.table().find(key("10.9.9.9"));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(shm::read(e->packets_sent), 1u);
  EXPECT_EQ(shm::read(e->packets_recv), 0u);
}

TEST(HostAgeing, PacketTimeDrivesTheSweep) {
  SegmentOptions o;
  o.instance = test::unique_instance("age-pkt");
  o.host_capacity = 1024;
  o.host_idle_s = 120;
  auto seg = Segment::create(o);
  ASSERT_TRUE(seg) << seg.error().message;
  PacketCounter pc(*seg, 0);
  const auto a = test::udp4("10.1.0.1", "10.1.0.2", 1, 2);
  const auto b = test::udp4("10.2.0.1", "10.2.0.2", 1, 2);
  PacketView v = test::view(a, kT0);
  pc.process(&v, 1);
  // b talks once a second for 400 s of packet time; a stays silent and ages out.
  for (uint64_t s = 1; s <= 400; ++s) {
    v = test::view(b, kT0 + s * kSec);
    pc.process(&v, 1);
  }
  EXPECT_EQ(pc.table().find(key("10.1.0.1")), nullptr);
  EXPECT_EQ(pc.table().find(key("10.1.0.2")), nullptr);
  EXPECT_NE(pc.table().find(key("10.2.0.1")), nullptr);
  EXPECT_EQ(shm::read(seg->counters(0).hosts_evicted), 2u);
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), 2u);
  EXPECT_EQ(shm::read(seg->counters(0).packets), 401u);  // totals are worker counters
}

TEST(HostAgeing, Ipv6HostsAggregatePerPrefix) {
  auto seg = test::make_segment("age-v6");
  ASSERT_TRUE(seg) << seg.error().message;
  ParseConfig cfg;
  cfg.ipv6_prefix = 64;
  PacketCounter pc(*seg, 0, cfg);
  const pkt::Frame frames[] = {test::tcp6("2001:db8:1:2::1", "2001:db8:9::1", 1, 80, 0x02),
                               test::tcp6("2001:db8:1:2:ffff::7", "2001:db8:9::2", 1, 80, 0x02),
                               test::tcp4("10.0.0.1", "10.0.0.2", 1, 80, 0x02)};
  for (const auto& f : frames) {
    const PacketView v = test::view(f, kT0);
    pc.process(&v, 1);
  }
  const shm::HostEntry* src = pc.table().find(key("2001:db8:1:2::"));
  const shm::HostEntry* dst = pc.table().find(key("2001:db8:9::"));
  ASSERT_NE(src, nullptr);
  ASSERT_NE(dst, nullptr);
  EXPECT_EQ(shm::read(src->packets_sent), 2u);
  EXPECT_EQ(shm::read(dst->packets_recv), 2u);
  EXPECT_EQ(pc.table().find(key("2001:db8:1:2::1")), nullptr);
  EXPECT_NE(pc.table().find(key("10.0.0.1")), nullptr);  // IPv4 is never masked
  EXPECT_EQ(shm::read(seg->counters(0).hosts_in_table), 4u);
}

TEST(HostAgeing, Ipv6PrefixMaskBits) {
  Ipv6Prefix p;
  p.set(33);
  shm::IpKey k = key("2001:db8:ffff:ffff::1");
  p.apply(k);
  EXPECT_EQ(ip_text(k), "2001:db8:8000::");
  p.set(128);
  EXPECT_FALSE(p.on);
}

// --- the options ---------------------------------------------------------------------

int dataplane_rc(const std::string& args, std::string* err = nullptr) {
  test::TempDir d;
  const std::string errf = d.file("err");
  const int st = std::system(
      (std::string(SECURENET_DATAPLANE_BIN) + " " + args + " 2>" + errf + " >/dev/null").c_str());
  if (err) {
    std::ifstream in(errf);
    std::stringstream ss;
    ss << in.rdbuf();
    *err = ss.str();
  }
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(HostAgeing, HostileOptionValuesAreRefused) {
  const char* bad[] = {"--ipv6-prefix 0",
                       "--ipv6-prefix 31",
                       "--ipv6-prefix 129",
                       "--ipv6-prefix -64",
                       "--ipv6-prefix 64x",
                       "--ipv6-prefix ''",
                       "--ipv6-prefix 18446744073709551680",
                       "--host-idle-s 1",
                       "--host-idle-s 119",
                       "--host-idle-s 604801",
                       "--host-idle-s -1",
                       "--host-idle-s 3e2"};
  for (const char* b : bad) {
    std::string err;
    EXPECT_EQ(dataplane_rc(std::string("--source pcap --target /nonexistent ") + b, &err), 2) << b;
    const std::string opt = std::string(b).substr(2, std::string(b).find(' ') - 2);
    EXPECT_NE(err.find("--" + opt), std::string::npos) << b << ": " << err;
  }
}

TEST(HostAgeing, ReplayWithOptionsCountsPerPrefixAndAges) {
  test::TempDir d;
  const std::string pcap = d.file("v6.pcap");
  std::vector<pkt::Frame> frames = {test::tcp6("2001:db8:1:2::1", "2001:db8:9::1", 1, 80, 0x02),
                                    test::tcp6("2001:db8:1:2::2", "2001:db8:9::1", 1, 80, 0x02)};
  ASSERT_TRUE(test::write_pcap(pcap, frames));
  const std::string json = d.file("stats.json");
  ASSERT_EQ(dataplane_rc("--source pcap --target " + pcap +
                         " --ipv6-prefix 64 --host-idle-s 120 --instance " +
                         test::unique_instance("age-cli") + " --stats-json " + json),
            0);
  std::ifstream in(json);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string out = ss.str();
  EXPECT_NE(out.find("\"2001:db8:1:2::\""), std::string::npos) << out;
  EXPECT_EQ(out.find("\"2001:db8:1:2::1\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"hosts_evicted\""), std::string::npos) << out;
}

}  // namespace
}  // namespace securenet
