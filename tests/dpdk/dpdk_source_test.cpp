// The DPDK source in-process over net_ring: the test puts mbufs into the ring behind the
// port and checks what rx_burst hands out (bytes, lengths, multi-segment, freeing, thread
// registration, stats). Each test runs in its own process under ctest; within one process
// the EAL is initialised once and shared.
#include "sources/dpdk/dpdk_source.h"

#include <gtest/gtest.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include <cstring>
#include <thread>

#include "sources/dpdk/eal.h"
#include "tools/packet_builder.h"

namespace securenet {
namespace {

constexpr const char* kDev = "net_ring0";

class DpdkRingSource : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    SourceOptions o;
    o.kind = shm::SourceKind::kDpdk;
    o.target = kDev;
    o.ring_size = 512;
    o.eal_args = {"--no-huge", "-m", "512", "--no-pci", "--vdev", kDev, "--log-level", "warning"};
    auto s = make_dpdk_sources(o);
    if (!s) {
      setup_error_ = new std::string(s.error().message);
      return;
    }
    source_ = s->front().release();
    // net_ring without arguments: one ring per queue pair, named ETH_RXTX<q>_<device>.
    ring_ = rte_ring_lookup((std::string("ETH_RXTX0_") + kDev).c_str());
    pool_ =
        rte_pktmbuf_pool_create("test_pool", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  }
  static void TearDownTestSuite() {
    delete source_;  // last source: port closed, EAL cleaned up
    source_ = nullptr;
  }
  void SetUp() override {
    if (setup_error_) GTEST_SKIP() << "DPDK cannot run here: " << *setup_error_;
    ASSERT_NE(ring_, nullptr);
    ASSERT_NE(pool_, nullptr);
  }

  static rte_mbuf* mbuf_of(const pkt::Frame& f) {
    rte_mbuf* m = rte_pktmbuf_alloc(pool_);
    if (!m) return nullptr;
    char* p = rte_pktmbuf_append(m, static_cast<uint16_t>(f.data.size()));
    std::memcpy(p, f.data.data(), f.data.size());
    return m;
  }
  static pkt::Frame frame(int i) {
    using namespace pkt;
    const std::string src = "10.0.0." + std::to_string(i % 250 + 1);
    return Builder()
        .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
        .ipv4(ip4(src.c_str()), ip4("10.1.0.1"))
        .udp(1000, 53)
        .payload(i % 64)
        .build();
  }

  static inline std::string* setup_error_ = nullptr;
  static inline PacketSource* source_ = nullptr;
  static inline rte_ring* ring_ = nullptr;
  static inline rte_mempool* pool_ = nullptr;
};

TEST_F(DpdkRingSource, DeliversEveryFrameByteForByte) {
  constexpr int kN = 300;
  for (int i = 0; i < kN; ++i) {
    rte_mbuf* m = mbuf_of(frame(i));
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(rte_ring_enqueue(ring_, m), 0);
  }
  PacketView views[64];
  int got = 0;
  for (int tries = 0; got < kN && tries < 1000; ++tries) {
    const uint32_t n = source_->rx_burst(views, 64);
    ASSERT_LE(n, 64u);
    for (uint32_t k = 0; k < n; ++k, ++got) {
      const pkt::Frame want = frame(got);
      ASSERT_EQ(views[k].caplen, want.data.size());
      ASSERT_EQ(views[k].wire_len, want.data.size());
      ASSERT_EQ(std::memcmp(views[k].data, want.data.data(), want.data.size()), 0) << got;
      ASSERT_GT(views[k].ts_ns, 1600000000ull * 1000000000ull);
    }
  }
  EXPECT_EQ(got, kN);
  EXPECT_EQ(source_->rx_burst(views, 64), 0u);
  // Every mbuf went back to the pool once the next burst was asked for.
  EXPECT_EQ(rte_mempool_avail_count(pool_), 1023u);
}

TEST_F(DpdkRingSource, MultiSegmentViewsTheFirstSegmentWithTheWholeLength) {
  const pkt::Frame f = frame(63);  // 14 + 20 + 8 + 63 bytes
  rte_mbuf* head = mbuf_of(f);
  ASSERT_NE(head, nullptr);
  rte_mbuf* tail = rte_pktmbuf_alloc(pool_);
  ASSERT_NE(tail, nullptr);
  std::memset(rte_pktmbuf_append(tail, 100), 0xAB, 100);
  ASSERT_EQ(rte_pktmbuf_chain(head, tail), 0);
  ASSERT_EQ(rte_ring_enqueue(ring_, head), 0);
  PacketView v[4];
  uint32_t n = 0;
  for (int tries = 0; n == 0 && tries < 100; ++tries) n = source_->rx_burst(v, 4);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(v[0].caplen, f.data.size());
  EXPECT_EQ(v[0].wire_len, f.data.size() + 100);
  EXPECT_EQ(std::memcmp(v[0].data, f.data.data(), f.data.size()), 0);
  EXPECT_EQ(source_->rx_burst(v, 4), 0u);
  EXPECT_EQ(rte_mempool_avail_count(pool_), 1023u) << "both segments freed";
}

TEST_F(DpdkRingSource, WorkerThreadGetsAnLcoreAndStatsAreZero) {
  ASSERT_EQ(rte_ring_enqueue(ring_, mbuf_of(frame(1))), 0);
  unsigned lcore = LCORE_ID_ANY;
  uint32_t n = 0;
  std::thread t([&] {
    PacketView v[8];
    for (int tries = 0; n == 0 && tries < 100; ++tries) n = source_->rx_burst(v, 8);
    lcore = rte_lcore_id();
    source_->rx_burst(v, 8);  // frees the held mbuf on this thread
  });
  t.join();
  EXPECT_EQ(n, 1u);
  EXPECT_NE(lcore, LCORE_ID_ANY) << "rx_burst registers its thread with the EAL";
  const SourceStats s = source_->stats();
  EXPECT_EQ(s.drops, 0u);
  EXPECT_EQ(s.errors, 0u);
}

TEST_F(DpdkRingSource, UnknownPortAndTooManyQueuesFailWithAReason) {
  SourceOptions o;
  o.kind = shm::SourceKind::kDpdk;
  o.target = "net_nosuch9";
  auto r = make_dpdk_sources(o);  // shares the running EAL
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no port named 'net_nosuch9'"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find(kDev), std::string::npos) << r.error().message;
  o.target = "7";
  r = make_dpdk_sources(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("no port 7"), std::string::npos) << r.error().message;
}

TEST(DpdkEalArgs, AddsNoSharedFilesUnlessAsked) {
  using dpdk::eal_argv;
  auto a = eal_argv({"--no-huge"});
  EXPECT_EQ(a.back(), "--no-shconf");
  a = eal_argv({"-l", "1"});
  EXPECT_EQ(a.back(), "--in-memory");
  a = eal_argv({"--file-prefix=x"});
  EXPECT_EQ(a.back(), "--file-prefix=x");
  EXPECT_EQ(a.front(), "securenet-dataplane");
}

}  // namespace
}  // namespace securenet
