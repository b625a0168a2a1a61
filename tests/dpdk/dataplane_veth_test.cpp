// securenet-dataplane over DPDK net_af_packet and net_af_xdp on a veth pair in a network
// namespace: a known mix sent into the peer produces exactly the counts it holds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "child_process.h"
#include "dataplane_segment.h"
#include "mix_check.h"
#include "netns.h"

namespace securenet::test {
namespace {

using namespace std::chrono_literals;

bool driver_present(const std::string& name) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(SECURENET_DPDK_DRIVER_DIR, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->path().filename().string().rfind(name, 0) == 0) return true;
  return false;
}

void run_veth_case(const std::string& vdev_kind, const std::string& vdev_args, Fragments frag) {
  if (auto why = netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  const std::string lib = "librte_net_" + vdev_kind + ".so";
  if (!driver_present(lib)) GTEST_SKIP() << "DPDK driver " << lib << " not installed";
  const std::string tag = std::to_string(getpid());
  // The dataplane listens on the capture end (here); the mix comes from the generator end.
  VethNetns net(vdev_kind == "af_xdp" ? "dx" : "dp");
  if (!net.ok())
    GTEST_SKIP() << "cannot create a network namespace with a veth pair: " << net.error();

  const Mix m = make_mix();
  const std::string instance = "dpdk" + vdev_kind + tag;
  const std::string log = testing::TempDir() + instance + ".log";
  ShmCleanup cleanup{instance};
  const std::string vdev = "net_" + vdev_kind + "0";
  ChildProcess dp(
      {SECURENET_DATAPLANE_BIN, "--source", "dpdk", "--target", vdev, "--instance", instance,
       "--keep-shm", "--stats", "--eal",
       "--no-huge -m 512 --no-pci --vdev " + vdev + ",iface=" + net.capture_if() + vdev_args},
      log);
  ASSERT_TRUE(dp.started());
  auto reader = open_ready_segment(instance, dp, 30s);
  ASSERT_TRUE(reader.ok()) << reader.error().message << "\n" << read_file(log);
  std::this_thread::sleep_for(300ms);
  ASSERT_EQ(reader->totals().packets, 0u) << "traffic before the test sent any";
  ASSERT_EQ(net.send(m.frames), m.frames.size());
  const uint64_t want = m.frames.size() - (frag == Fragments::kReassembled ? m.fragments - 1 : 0);
  const bool all = wait_until([&] { return reader->totals().packets >= want; }, 20s);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(dp.stop(SIGINT), 0) << read_file(log);
  ASSERT_TRUE(all) << "got " << reader->totals().packets << " of " << want << "\n"
                   << read_file(log);
  expect_counts(*reader, m, frag);
}

TEST(DpdkVeth, NetAfPacketCountsEqualWhatWasSent) {
  run_veth_case("af_packet", "", Fragments::kReassembled);
}

TEST(DpdkVeth, NetAfXdpCountsEqualWhatWasSent) {
  run_veth_case("af_xdp", ",start_queue=0,queue_count=1", Fragments::kAsSent);
}

}  // namespace
}  // namespace securenet::test
