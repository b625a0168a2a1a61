// securenet-dataplane over DPDK net_pcap: the counters equal what the capture holds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "child_process.h"
#include "dataplane_segment.h"
#include "mix_check.h"
#include "tools/packet_builder_pcap.h"

namespace securenet::test {
namespace {

using namespace std::chrono_literals;

TEST(DpdkNetPcap, CountsEqualTheCapture) {
  const Mix m = make_mix();
  const std::string tag = std::to_string(getpid());
  const std::string pcap = testing::TempDir() + "dpdk_mix_" + tag + ".pcap";
  const std::string log = testing::TempDir() + "dpdk_mix_" + tag + ".log";
  {
    pkt::PcapWriter w;
    ASSERT_TRUE(w.open(pcap.c_str()));
    uint64_t ts = 1700000000ull * 1000000000ull;
    for (const auto& f : m.frames) ASSERT_TRUE(w.write(f, ts += 1000));
    ASSERT_TRUE(w.close());
  }
  const std::string instance = "dpdkpcap" + tag;
  ShmCleanup cleanup{instance};
  ChildProcess dp({SECURENET_DATAPLANE_BIN, "--source", "dpdk", "--target", "net_pcap0",
                   "--instance", instance, "--keep-shm", "--stats", "--eal",
                   "--no-huge -m 512 --no-pci --vdev net_pcap0,rx_pcap=" + pcap},
                  log);
  ASSERT_TRUE(dp.started());
  auto reader = open_ready_segment(instance, dp, 30s);
  ASSERT_TRUE(reader.ok()) << reader.error().message << "\n" << read_file(log);
  const bool all = wait_until([&] { return reader->totals().packets >= m.frames.size(); }, 30s);
  std::this_thread::sleep_for(300ms);  // anything extra would show up now
  EXPECT_EQ(dp.stop(SIGINT), 0) << read_file(log);
  ASSERT_TRUE(all) << "got " << reader->totals().packets << " of " << m.frames.size() << "\n"
                   << read_file(log);
  EXPECT_EQ(reader->header().source_kind, shm::SourceKind::kDpdk);
  expect_counts(*reader, m);
  unlink(pcap.c_str());
}

// Two workers, one RX queue each (net_pcap: one rx_pcap file per queue): the sum over the
// workers equals the whole mix, and both workers counted.
TEST(DpdkNetPcap, TwoQueuesTwoWorkersCountEverything) {
  const Mix m = make_mix();
  const std::string tag = std::to_string(getpid());
  std::string files[2];
  for (int q = 0; q < 2; ++q) {
    files[q] = testing::TempDir() + "dpdk_mq" + std::to_string(q) + "_" + tag + ".pcap";
    pkt::PcapWriter w;
    ASSERT_TRUE(w.open(files[q].c_str()));
    for (size_t i = q; i < m.frames.size(); i += 2) ASSERT_TRUE(w.write(m.frames[i], 1000 + i));
    ASSERT_TRUE(w.close());
  }
  const std::string instance = "dpdkmq" + tag;
  const std::string log = testing::TempDir() + instance + ".log";
  ShmCleanup cleanup{instance};
  ChildProcess dp(
      {SECURENET_DATAPLANE_BIN, "--source", "dpdk", "--target", "net_pcap0", "--workers", "2",
       "--instance", instance, "--keep-shm", "--stats", "--eal",
       "--no-huge -m 512 --no-pci --vdev net_pcap0,rx_pcap=" + files[0] + ",rx_pcap=" + files[1]},
      log);
  ASSERT_TRUE(dp.started());
  auto reader = open_ready_segment(instance, dp, 30s);
  ASSERT_TRUE(reader.ok()) << reader.error().message << "\n" << read_file(log);
  ASSERT_EQ(reader->header().num_workers, 2u);
  const bool all = wait_until([&] { return reader->totals().packets >= m.frames.size(); }, 30s);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(dp.stop(SIGINT), 0) << read_file(log);
  ASSERT_TRUE(all) << "got " << reader->totals().packets << " of " << m.frames.size() << "\n"
                   << read_file(log);
  expect_counts(*reader, m);
  for (int q = 0; q < 2; ++q) unlink(files[q].c_str());
}

// Two ports in one dataplane (--target net_pcap0,net_pcap1), one worker each: each port's
// counters are exactly its file's frames, and the whole mix adds up.
TEST(DpdkNetPcap, TwoPortsCountPerPort) {
  const Mix m = make_mix();
  const std::string tag = std::to_string(getpid());
  std::string files[2];
  uint64_t frames[2] = {0, 0};
  for (int p = 0; p < 2; ++p) {
    files[p] = testing::TempDir() + "dpdk_port" + std::to_string(p) + "_" + tag + ".pcap";
    pkt::PcapWriter w;
    ASSERT_TRUE(w.open(files[p].c_str()));
    for (size_t i = p; i < m.frames.size(); i += 2, ++frames[p])
      ASSERT_TRUE(w.write(m.frames[i], 1000 + i));
    ASSERT_TRUE(w.close());
  }
  const std::string instance = "dpdkports" + tag;
  const std::string log = testing::TempDir() + instance + ".log";
  ShmCleanup cleanup{instance};
  ChildProcess dp({SECURENET_DATAPLANE_BIN, "--source", "dpdk", "--target", "net_pcap0,net_pcap1",
                   "--instance", instance, "--keep-shm", "--stats", "--eal",
                   "--no-huge -m 512 --no-pci --vdev net_pcap0,rx_pcap=" + files[0] +
                       " --vdev net_pcap1,rx_pcap=" + files[1]},
                  log);
  ASSERT_TRUE(dp.started());
  auto reader = open_ready_segment(instance, dp, 30s);
  ASSERT_TRUE(reader.ok()) << reader.error().message << "\n" << read_file(log);
  ASSERT_EQ(reader->header().num_workers, 2u);
  const bool all = wait_until([&] { return reader->totals().packets >= m.frames.size(); }, 30s);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(dp.stop(SIGINT), 0) << read_file(log);
  ASSERT_TRUE(all) << "got " << reader->totals().packets << " of " << m.frames.size() << "\n"
                   << read_file(log);
  expect_counts(*reader, m);
  const auto ports = reader->interfaces();
  ASSERT_EQ(ports.size(), 2u);
  for (int p = 0; p < 2; ++p) {
    EXPECT_EQ(ports[p].name, "net_pcap" + std::to_string(p));
    EXPECT_EQ(ports[p].workers, 1u);
    EXPECT_EQ(ports[p].totals.packets, frames[p]) << ports[p].name;
  }
  for (int p = 0; p < 2; ++p) unlink(files[p].c_str());
}

// Start-up failures are one line that says why and what to do.
TEST(DpdkNetPcap, UnknownDeviceFailsWithOneLine) {
  const std::string tag = std::to_string(getpid());
  const std::string log = testing::TempDir() + "dpdk_nodev_" + tag + ".log";
  ChildProcess dp(
      {SECURENET_DATAPLANE_BIN, "--source", "dpdk", "--target", "net_nosuch0", "--instance",
       "dpdknodev" + tag, "--eal", "--no-huge -m 128 --no-pci --vdev net_null0"},
      log);
  ASSERT_TRUE(dp.started());
  ASSERT_TRUE(wait_until([&] { return !dp.running(); }, 30s));
  const std::string out = read_file(log);
  EXPECT_NE(out.find("no port named 'net_nosuch0'"), std::string::npos) << out;
  EXPECT_NE(out.find("net_null0"), std::string::npos) << "lists the ports there are: " << out;
}

TEST(DpdkNetPcap, NoHugepagesSaysWhatToDo) {
  if (read_file("/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
          .find_first_not_of("0\n") != std::string::npos)
    GTEST_SKIP() << "this machine has hugepages reserved; the no-hugepage message cannot show";
  const std::string tag = std::to_string(getpid());
  const std::string log = testing::TempDir() + "dpdk_nohuge_" + tag + ".log";
  ChildProcess dp({SECURENET_DATAPLANE_BIN, "--source", "dpdk", "--target", "0", "--instance",
                   "dpdknohuge" + tag, "--eal", "--no-pci --vdev net_null0"},
                  log);
  ASSERT_TRUE(dp.started());
  ASSERT_TRUE(wait_until([&] { return !dp.running(); }, 30s));
  const std::string out = read_file(log);
  EXPECT_NE(out.find("add --no-huge"), std::string::npos) << out;
  EXPECT_NE(out.find("nr_hugepages"), std::string::npos) << out;
}

}  // namespace
}  // namespace securenet::test
