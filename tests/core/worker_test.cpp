// The worker loop over the pcap source: streaming and preloaded, several workers, loops,
// and unreadable or corrupt files.
#include "pipeline/worker.h"

#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "core_test_util.h"
#include "sources/pcap/pcap_source.h"

namespace securenet {
namespace {

std::vector<pkt::Frame> sample_frames() {
  std::vector<pkt::Frame> f;
  for (int i = 0; i < 37; ++i) {
    const std::string src = "10.0.1." + std::to_string(i % 5 + 1);
    f.push_back(i % 3 ? test::udp4(src.c_str(), "10.0.2.1", 1000, 53, static_cast<size_t>(i))
                      : test::tcp4(src.c_str(), "10.0.2.1", 1000, 80, pkt::kSyn));
  }
  return f;
}

// Runs one Worker per source to completion and returns the reader of the segment.
GlobalCounters run_workers(const SourceOptions& so, std::vector<HostCounters>* hosts = nullptr) {
  auto sources = make_sources(so);
  EXPECT_TRUE(sources) << (sources ? "" : sources.error().message);
  if (!sources) return {};
  auto seg = test::make_segment("worker", static_cast<unsigned>(sources->size()));
  EXPECT_TRUE(seg);
  if (!seg) return {};
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Worker>> workers;
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < sources->size(); ++i) {
    workers.push_back(
        std::make_unique<Worker>(*seg, *(*sources)[i], WorkerOptions{i, -1, 16}, stop));
  }
  for (auto& w : workers) threads.emplace_back([&w] { w->run(); });
  for (auto& t : threads) t.join();
  for (auto& w : workers) EXPECT_TRUE(w->finished());
  auto r = ShmReader::open(seg->name());
  EXPECT_TRUE(r);
  if (!r) return {};
  if (hosts) *hosts = r->merge_hosts();
  for (unsigned i = 0; i < sources->size(); ++i)
    EXPECT_GT(seg->counters(i).heartbeat_ns.load(), 0u);
  return r->totals();
}

struct Mode {
  unsigned workers;
  uint64_t loops;
  bool preload;
};

class WorkerOverPcap : public ::testing::TestWithParam<Mode> {};

TEST_P(WorkerOverPcap, CountsEveryPacketOncePerLoop) {
  test::TempDir dir;
  const auto frames = sample_frames();
  ASSERT_TRUE(test::write_pcap(dir.file("a.pcap"), frames));
  SourceOptions so;
  so.target = dir.file("a.pcap");
  so.workers = GetParam().workers;
  so.loops = GetParam().loops;
  so.preload = GetParam().preload;
  std::vector<HostCounters> hosts;
  const GlobalCounters g = run_workers(so, &hosts);
  uint64_t bytes = 0;
  for (const auto& f : frames) bytes += f.wire_len;
  EXPECT_EQ(g.packets, frames.size() * so.loops);
  EXPECT_EQ(g.bytes, bytes * so.loops);
  EXPECT_EQ(g.tcp_syn, 13u * so.loops);
  EXPECT_EQ(g.proto_class_packets[0], 13u * so.loops);
  EXPECT_EQ(g.proto_class_packets[1], 24u * so.loops);
  ASSERT_EQ(hosts.size(), 6u);
  for (const auto& h : hosts) {
    if (ip_text(h.key) == "10.0.2.1") {
      EXPECT_EQ(h.packets_recv, frames.size() * so.loops);
    } else {
      EXPECT_EQ(h.packets_sent, (ip_text(h.key) <= "10.0.1.2" ? 8u : 7u) * so.loops)
          << ip_text(h.key);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, WorkerOverPcap,
                         ::testing::Values(Mode{1, 1, false}, Mode{1, 1, true}, Mode{2, 1, false},
                                           Mode{3, 3, true}, Mode{4, 2, false}, Mode{64, 1, true}));

TEST(PcapSource, LoopsShiftTimestampsForward) {
  test::TempDir dir;
  ASSERT_TRUE(test::write_pcap(dir.file("a.pcap"), sample_frames(), 5'000'000'000ULL));
  for (bool preload : {false, true}) {
    SourceOptions so;
    so.target = dir.file("a.pcap");
    so.loops = 2;
    so.preload = preload;
    auto src = make_sources(so);
    ASSERT_TRUE(src) << src.error().message;
    PacketView v[64];
    uint64_t last = 0, n = 0;
    for (uint32_t k; (k = (*src)[0]->rx_burst(v, 64)) > 0;) {
      for (uint32_t i = 0; i < k; ++i, ++n) {
        EXPECT_GT(v[i].ts_ns, last) << "packet " << n << (preload ? " preloaded" : " streamed");
        last = v[i].ts_ns;
      }
    }
    EXPECT_EQ(n, 74u);
    EXPECT_TRUE((*src)[0]->finished());
  }
}

TEST(PcapSource, RatePacesTheReplay) {
  test::TempDir dir;
  ASSERT_TRUE(test::write_pcap(dir.file("a.pcap"), sample_frames()));
  SourceOptions so;
  so.target = dir.file("a.pcap");
  so.rate_pps = 200;  // 37 packets: about 0.18 s
  so.preload = true;
  auto src = make_sources(so);
  ASSERT_TRUE(src) << src.error().message;
  PacketView v[64];
  uint64_t n = 0;
  const uint64_t t0 = mono_ns();
  while (!(*src)[0]->finished()) n += (*src)[0]->rx_burst(v, 64);
  const double secs = static_cast<double>(mono_ns() - t0) / 1e9;
  EXPECT_EQ(n, 37u);
  EXPECT_GT(secs, 0.1);  // unpaced, this takes microseconds
}

TEST(PcapSource, ReadsNanosecondTimestampsAndPcapng) {
  test::TempDir dir;
  ASSERT_TRUE(test::write_pcap(dir.file("a.pcap"), sample_frames(), 1'700'000'000'123'456'789ULL));
  auto img = load_pcap(dir.file("a.pcap"));
  ASSERT_TRUE(img) << img.error().message;
  ASSERT_EQ((*img)->packets.size(), 37u);
  EXPECT_EQ((*img)->packets[0].ts_ns, 1'700'000'000'123'456'789ULL);
  EXPECT_EQ((*img)->packets[1].ts_ns, 1'700'000'000'123'457'789ULL);
  if (std::system("command -v editcap >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "editcap (wireshark-common) missing";
  const std::string cmd = "editcap -F pcapng " + dir.file("a.pcap") + " " + dir.file("a.pcapng");
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto ng = load_pcap(dir.file("a.pcapng"));
  ASSERT_TRUE(ng) << ng.error().message;
  ASSERT_EQ((*ng)->packets.size(), 37u);
  EXPECT_EQ((*ng)->packets[36].wire_len, (*img)->packets[36].wire_len);
  EXPECT_EQ(
      std::memcmp((*ng)->packets[36].data, (*img)->packets[36].data, (*img)->packets[36].caplen),
      0);
}

TEST(PcapSource, UnreadableAndCorruptFilesGiveOneLineErrors) {
  test::TempDir dir;
  SourceOptions so;
  so.target = dir.file("missing.pcap");
  auto a = make_sources(so);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message.find("cannot read capture"), std::string::npos);
  EXPECT_EQ(a.error().message.find('\n'), std::string::npos);
  std::ofstream(dir.file("junk.pcap")) << "this is not a capture file at all";
  so.target = dir.file("junk.pcap");
  EXPECT_FALSE(make_sources(so));
  so.preload = true;
  EXPECT_FALSE(make_sources(so));
  so.target = "";
  EXPECT_FALSE(make_sources(so));
}

TEST(PcapSource, TruncatedFileEndsTheReplayWithAnError) {
  test::TempDir dir;
  ASSERT_TRUE(test::write_pcap(dir.file("a.pcap"), sample_frames()));
  std::filesystem::resize_file(dir.file("a.pcap"),
                               std::filesystem::file_size(dir.file("a.pcap")) - 10);
  SourceOptions so;
  so.target = dir.file("a.pcap");
  so.preload = true;
  auto pre = make_sources(so);
  ASSERT_FALSE(pre);  // preloading reads the whole file up front
  EXPECT_NE(pre.error().message.find("after 36 packets"), std::string::npos) << pre.error().message;
  so.preload = false;
  const GlobalCounters g = run_workers(so);
  EXPECT_EQ(g.packets, 36u);
  EXPECT_EQ(g.source_errors, 1u);
}

TEST(PcapSource, EmptyFileEndsEvenWhenLoopingForever) {
  test::TempDir dir;
  ASSERT_TRUE(test::write_pcap(dir.file("empty.pcap"), {}));
  for (bool preload : {false, true}) {
    SourceOptions so;
    so.target = dir.file("empty.pcap");
    so.loops = 0;
    so.preload = preload;
    so.workers = 2;
    EXPECT_EQ(run_workers(so).packets, 0u);
  }
}

TEST(Sources, KindsNotBuiltInSaySo) {
  SourceOptions so;
  so.target = "lo";
  so.kind = shm::SourceKind::kNone;
  auto r = make_sources(so);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--source"), std::string::npos);
#ifndef SECURENET_HAVE_AFXDP
  so.kind = shm::SourceKind::kAfXdp;
  auto x = make_sources(so);
  ASSERT_FALSE(x);
  EXPECT_NE(x.error().message.find("not built"), std::string::npos);
#endif
#ifndef SECURENET_HAVE_DPDK
  so.kind = shm::SourceKind::kDpdk;
  auto d = make_sources(so);
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("not built"), std::string::npos);
#endif
}

}  // namespace
}  // namespace securenet
