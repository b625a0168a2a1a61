// The host table that ages, end to end through the real packet path and the real sampler:
// 2,000,000 distinct sources flow through a 65,536-slot table over many ageing periods
// (synthetic packet times), and a flood larger than the table is survived and recovered
// from. The control plane's sampler is ticked on the packet clock and checked each tick.
#include <gtest/gtest.h>
#include <unistd.h>

#include <vector>

#include "pipeline/packet_counter.h"
#include "sampler/sampler.h"
#include "securenet/shm_reader.h"
#include "segment/writer.h"
#include "tools/packet_builder.h"

namespace securenet {
namespace {

using control::HostSort;
using control::Sampler;
constexpr uint64_t kSec = 1'000'000'000ULL;
constexpr uint64_t kT0 = 1'700'000'000ULL * kSec;
constexpr size_t kSrcOffset = 14 + 12;  // IPv4 source address in an untagged frame

std::string instance(const char* what) {
  return std::string("test-") + what + "-" + std::to_string(getpid());
}

// One sender of UDP frames to a fixed server; each frame's source is set per packet.
struct Flow {
  pkt::Frame frame;
  explicit Flow(const char* dst) {
    using namespace pkt;
    frame = Builder()
                .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
                .ipv4(ip4("1.0.0.1"), ip4(dst))
                .udp(40000, 53)
                .payload(18)
                .build();
  }
};

struct Rig {
  Result<Segment> seg;
  std::optional<PacketCounter> pc;
  std::optional<ShmReader> reader;
  Sampler sampler;
  std::vector<control::HostObservation> obs;
  uint64_t fed = 0;
  std::vector<std::vector<uint8_t>> bufs;
  std::vector<PacketView> views;

  Rig(const char* what, uint64_t capacity, uint64_t idle_s) : seg(make(what, capacity, idle_s)) {
    if (!seg) return;
    pc.emplace(*seg, 0);
    auto r = ShmReader::open(seg->name());
    if (r) reader.emplace(std::move(*r));
  }
  static Result<Segment> make(const char* what, uint64_t capacity, uint64_t idle_s) {
    SegmentOptions o;
    o.instance = instance(what);
    o.host_capacity = capacity;
    o.host_idle_s = idle_s;
    o.ring_capacity = 64;
    return Segment::create(o);
  }
  // Sends one packet per source in `srcs` (IPv4 numbers), one every dt ns from t.
  uint64_t send(const Flow& f, const std::vector<uint32_t>& srcs, uint64_t t, uint64_t dt) {
    bufs.assign(srcs.size(), f.frame.data);
    views.resize(srcs.size());
    for (size_t i = 0; i < srcs.size(); ++i) {
      uint8_t* p = bufs[i].data() + kSrcOffset;
      p[0] = static_cast<uint8_t>(srcs[i] >> 24);
      p[1] = static_cast<uint8_t>(srcs[i] >> 16);
      p[2] = static_cast<uint8_t>(srcs[i] >> 8);
      p[3] = static_cast<uint8_t>(srcs[i]);
      views[i] = PacketView{bufs[i].data(), f.frame.caplen(), f.frame.wire_len, t};
      t += dt;
    }
    pc->process(views.data(), static_cast<uint32_t>(views.size()));
    fed += srcs.size();
    return t;
  }
  // One control-plane tick at packet time t; returns the snapshot and the occupied count.
  std::shared_ptr<control::Snapshot> tick(uint64_t t, uint64_t& occupied) {
    sampler.begin_tick(t, static_cast<int64_t>(t / 1'000'000), reader->totals());
    occupied = 0;
    reader->scan_hosts([&](unsigned w, uint64_t slot, const HostCounters& h) {
      ++occupied;
      sampler.add_host_at(w, slot, h);
    });
    sampler.forget_unseen();
    return sampler.end_tick({1e18, 1e18}, obs);
  }
  shm::WorkerCounters& c() { return seg->counters(0); }
};

// Checks the sampler against the table: same host count, and every listed host is live.
void check_views(Rig& r, const control::Snapshot& s, uint64_t occupied) {
  ASSERT_EQ(r.sampler.hosts_tracked(), occupied);
  ASSERT_EQ(s.hosts_tracked, occupied);
  ASSERT_EQ(shm::read(r.c().hosts_in_table), occupied);
  for (const auto& v : s.top[static_cast<size_t>(HostSort::kPackets)]) {
    ASSERT_NE(r.pc->table().find(v.ip), nullptr) << "ghost host " << ip_text(v.ip);
  }
}

TEST(HostAgeingSoak, TwoMillionSourcesThroughA64kTable) {
  constexpr uint64_t kSources = 2'000'000;
  constexpr uint64_t kIdleS = 120;
  constexpr uint64_t kDt = 5'000'000;      // 5 ms between new sources: ~30k live
  constexpr uint64_t kTickPackets = 2000;  // a sampler tick every 10 s of packet time
  Rig r("soak", 65536, kIdleS);
  ASSERT_TRUE(r.seg) << r.seg.error().message;
  ASSERT_TRUE(r.reader);
  Flow f("192.0.2.1");
  uint64_t t = kT0, max_live = 0, occupied = 0;
  std::vector<uint32_t> srcs;
  for (uint64_t base = 0; base < kSources; base += kTickPackets) {
    srcs.clear();
    for (uint64_t i = base; i < base + kTickPackets && i < kSources; ++i)
      srcs.push_back(0x0B000000u + static_cast<uint32_t>(i));
    t = r.send(f, srcs, t, kDt);
    auto s = r.tick(t, occupied);
    check_views(r, *s, occupied);
    max_live = std::max(max_live, occupied);
  }
  const uint64_t periods = (t - kT0) / (kIdleS * kSec);
  EXPECT_GE(periods, 50u);
  EXPECT_EQ(shm::read(r.c().host_table_full), 0u);
  EXPECT_LE(max_live, 65536u * 6 / 10);  // the live set (idle + one sweep pass) fits
  EXPECT_EQ(shm::read(r.c().packets), kSources);
  EXPECT_EQ(shm::read(r.c().hosts_evicted) + shm::read(r.c().hosts_in_table), kSources + 1);
  const shm::HostEntry* server = r.pc->table().find(*parse_ip_text("192.0.2.1"));
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(shm::read(server->packets_recv), kSources);  // live all along: every packet
  auto s = r.tick(t + kSec, occupied);
  EXPECT_EQ(s->totals.packets, kSources);
  const auto sv = r.sampler.host(server->key);
  ASSERT_TRUE(sv);
  EXPECT_EQ(sv->packets_recv, kSources);
  std::printf("soak: %llu ageing periods, live set at most %llu of 65536, %llu evicted\n",
              static_cast<unsigned long long>(periods), static_cast<unsigned long long>(max_live),
              static_cast<unsigned long long>(shm::read(r.c().hosts_evicted)));
}

TEST(HostAgeingSoak, FloodLargerThanTheTableIsCountedThenRecovered) {
  constexpr uint64_t kIdleS = 120;
  Rig r("flood", 4096, kIdleS);
  ASSERT_TRUE(r.seg) << r.seg.error().message;
  ASSERT_TRUE(r.reader);
  Flow f("192.0.2.1");
  uint64_t t = kT0, occupied = 0;
  std::vector<uint32_t> srcs;
  // 200,000 spoofed sources in 200 s: ~150,000 would be live at once, 4,096 slots.
  for (uint32_t base = 0; base < 200'000; base += 2000) {
    srcs.clear();
    for (uint32_t i = base; i < base + 2000; ++i) srcs.push_back(0x0C000000u + i);
    t = r.send(f, srcs, t, 1'000'000);
    auto s = r.tick(t, occupied);
    check_views(r, *s, occupied);
    ASSERT_LE(occupied, 4096u);
  }
  EXPECT_GT(shm::read(r.c().host_table_full), 0u);
  // The flood stops; one client keeps talking once a second for 400 s of packet time (its
  // first packets find no slot either, until the flood's hosts have aged out).
  for (int i = 0; i < 400; ++i) {
    t = r.send(f, {0x0A000001u}, t, kSec);
    if (i % 10 == 9) {
      auto s = r.tick(t, occupied);
      check_views(r, *s, occupied);
    }
  }
  const uint64_t full = shm::read(r.c().host_table_full);
  EXPECT_EQ(shm::read(r.c().hosts_in_table), 2u);  // the client and the server
  EXPECT_EQ(r.sampler.hosts_tracked(), 2u);
  // New hosts are tracked again: no more host_table_full.
  srcs.clear();
  for (uint32_t i = 0; i < 1000; ++i) srcs.push_back(0x0D000000u + i);
  t = r.send(f, srcs, t, 1'000'000);
  EXPECT_EQ(shm::read(r.c().host_table_full), full);
  EXPECT_EQ(shm::read(r.c().hosts_in_table), 1002u);
  auto s = r.tick(t, occupied);
  check_views(r, *s, occupied);
  EXPECT_EQ(r.sampler.hosts_tracked(), 1002u);
  EXPECT_EQ(shm::read(r.c().packets), r.fed);
}

}  // namespace
}  // namespace securenet
