// Shared fixture of the live-capture tests: a veth pair in a netns, the mix written to a
// pcap file, the real securenet-dataplane and securenet-gen run as child processes.
#pragma once

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "child_process.h"
#include "dataplane_segment.h"
#include "mix.h"
#include "netns.h"
#include "tools/packet_builder_pcap.h"

namespace securenet::netns_test {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::sh;
using test::sh_out;
using test::VethNetns;

inline constexpr uint64_t kTimes = 1000;  // each frame of the mix is sent this many times

struct Case {
  const char* name;
  const char* source;    // --source of the dataplane
  const char* xdp_mode;  // --xdp-mode (afxdp only)
  const char* gen_mode;  // --mode of the generator
  unsigned workers = 1;  // --workers of the dataplane (and RX queues of the veth)
};

inline void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class LiveFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
    tag_ = std::to_string(counter_++);
    env_ = std::make_unique<VethNetns>(tag_, queues_);
    if (!env_->ok()) GTEST_SKIP() << "cannot create a netns + veth pair: " << env_->error();
    instance_ = "netns-" + std::to_string(getpid()) + "-" + tag_;
    dir_ = ::testing::TempDir();
    pcap_ = dir_ + "sn-netns-" + instance_ + ".pcap";
    mix_ = build_mix();
    pkt::PcapWriter w;
    ASSERT_TRUE(w.open(pcap_.c_str()));
    for (const MixFrame& f : mix_) ASSERT_TRUE(w.write(f.frame, 0));
    ASSERT_TRUE(w.close());
  }

  // The capture interface's promiscuity count (`ip -details link`): the holds that sockets
  // and users have on it. ip's PROMISC flag shows only the user-set one.
  int promiscuity() {
    const std::string out = sh_out("ip -details link show " + env_->capture_if());
    const auto at = out.find("promiscuity ");
    return at == std::string::npos ? -1 : std::atoi(out.c_str() + at + 12);
  }

  void TearDown() override {
    dp_.reset();
    if (!instance_.empty()) shm_unlink(("/securenet-" + instance_).c_str());
    if (!pcap_.empty()) unlink(pcap_.c_str());
    if (env_) {
      const std::string ns = env_->ns(), ifc = env_->capture_if();
      env_.reset();
      EXPECT_EQ(sh("ip netns list | grep -qw " + ns), 1) << "netns " << ns << " left behind";
      EXPECT_NE(sh("ip link show " + ifc), 0) << "interface " << ifc << " left behind";
    }
  }

  // Starts the dataplane; returns false (and sets skip_) when the kernel refuses the source.
  bool start_dataplane(const Case& c, const std::string& target = "",
                       const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {SN_DATAPLANE,
                                     "--source",
                                     c.source,
                                     "--target",
                                     target.empty() ? env_->capture_if() : target,
                                     "--instance",
                                     instance_,
                                     "--keep-shm",
                                     "--workers",
                                     std::to_string(c.workers)};
    argv.insert(argv.end(), extra.begin(), extra.end());
    if (std::string(c.source) == "afxdp") {
      argv.push_back("--xdp-mode");
      argv.push_back(c.xdp_mode);
    }
    dp_ = std::make_unique<ChildProcess>(argv, dir_ + "sn-netns-" + instance_ + ".log");
    // Up to 60 s (wall clock): a busy machine starts the dataplane slowly.
    if (test::open_ready_segment(instance_, *dp_, 60s)) return true;
    const std::string log = dp_->log();
    if (dp_->running()) {
      skip_ = "securenet-dataplane did not get ready in 60 s: " + log;
      return false;
    }
    // Only a kernel that refuses the source is a reason to skip; anything else fails.
    if (log.find("not supported") == std::string::npos &&
        log.find("no permission") == std::string::npos)
      ADD_FAILURE() << "securenet-dataplane exited at start: " << log;
    skip_ = "the kernel refused the source: " + log;
    return false;
  }

  uint64_t send(const Case& c, uint64_t count, double pps = 50000) {
    const std::string cmd = env_->exec_prefix() + SN_GEN + " --dev " + env_->gen_if() + " --pcap " +
                            pcap_ + " --count " + std::to_string(count) + " --pps " +
                            std::to_string(static_cast<uint64_t>(pps)) + " --mode " + c.gen_mode +
                            " 2>&1";
    const std::string out = sh_out(cmd);
    const auto pos = out.find("sent=");
    EXPECT_NE(pos, std::string::npos) << cmd << "\n" << out;
    return pos == std::string::npos ? 0 : std::stoull(out.substr(pos + 5));
  }

  // Frames the veth pair dropped before they reached the sensor's socket: the generator
  // end's tx_dropped, which counts both of veth's ring-full drops (veth_xmit's and XDP
  // transmit's; veth_get_stats64). The sensor cannot report them: it never saw them.
  uint64_t veth_drops() {
    const std::string out = sh_out(env_->exec_prefix() + "cat /sys/class/net/" + env_->gen_if() +
                                   "/statistics/tx_dropped");
    return std::strtoull(out.c_str(), nullptr, 10);
  }
  // The capture end's own receive drops, for failure messages (veth_get_stats64 counts a
  // ring-full XDP transmit on both ends, so it is not added to veth_drops()).
  std::string capture_rx_dropped() {
    return sh_out("cat /sys/class/net/" + env_->capture_if() + "/statistics/rx_dropped");
  }
  struct Accounted {
    GlobalCounters t;
    uint64_t veth = 0;
    uint64_t sum() const { return t.packets + t.source_drops + veth; }
  };
  // Waits (up to 60 s) until each of `n` frames sent is counted, reported in source_drops or
  // dropped by the veth pair, then a little longer for anything extra to show up.
  Accounted wait_accounted(uint64_t n) {
    Accounted a;
    auto read = [&] {
      if (auto r = ShmReader::open("securenet-" + instance_)) a.t = r->totals();
      a.veth = veth_drops();
      return a.sum() >= n;
    };
    test::wait_until(read, 60s, 20ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    read();
    return a;
  }

  // Sends `n` frames unpaced and expects each of them counted, in source_drops (drops are
  // read periodically) or dropped by the veth pair before the socket (its ring full on a
  // busy machine), then stops the dataplane.
  void expect_every_frame_accounted(const Case& c, uint64_t n) {
    ASSERT_EQ(send(c, n, 0), n);
    const Accounted a = wait_accounted(n);
    EXPECT_EQ(a.sum(), n) << "packets " << a.t.packets << " source_drops " << a.t.source_drops
                          << " veth drops " << a.veth << " capture end rx_dropped "
                          << capture_rx_dropped() << "\n"
                          << dp_->log();
    EXPECT_GT(a.t.packets, 0u);
    RecordProperty("source_drops", std::to_string(a.t.source_drops));
    RecordProperty("veth_drops", std::to_string(a.veth));
    EXPECT_EQ(dp_->stop(SIGINT, 10s), 0) << dp_->log();
  }

  GlobalCounters wait_for(uint64_t packets) {
    GlobalCounters t;
    // Up to 60 s (wall clock) for the last packets to drain on a busy machine.
    test::wait_until(
        [&] {
          if (auto r = ShmReader::open("securenet-" + instance_)) t = r->totals();
          return t.packets >= packets;
        },
        60s, 10ms);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // anything extra shows up
    if (auto r = ShmReader::open("securenet-" + instance_)) t = r->totals();
    return t;
  }

  static inline int counter_ = 0;
  unsigned queues_ = 1;
  std::string tag_, instance_, dir_, pcap_, skip_;
  std::unique_ptr<VethNetns> env_;
  std::unique_ptr<ChildProcess> dp_;
  std::vector<MixFrame> mix_;
};

}  // namespace securenet::netns_test
