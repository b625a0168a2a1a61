// --timing recorded: the pcap source replays at the capture's own timing, scaled by --speed.
// Bounds are loose (a busy machine only makes a replay later, never earlier): a 2 s capture
// must take at least 2 s / speed, and packets must never be delivered before their offset.
#include <gtest/gtest.h>

#include <chrono>

#include "core_test_util.h"
#include "sources/pcap/pcap_source.h"

namespace securenet {
namespace {

using Clock = std::chrono::steady_clock;

std::string gen_2s(const test::TempDir& dir) {
  const std::string f = dir.file("two-seconds.pcap");
  // 2001 packets at 1000 packets/s: the last one 2 s after the first.
  const std::string cmd = std::string(SECURENET_PCAPGEN_BIN) + " --out " + f +
                          " --scenario benign --packets 2001 --pps 1000 --hosts 20";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return f;
}

struct Replay {
  double seconds = 0;
  uint64_t packets = 0;
  uint64_t early = 0;  // packets delivered before (offset / speed) had passed
};

// Drains every source (round robin on this thread), checking each packet's delivery time.
Replay replay(const std::string& file, double speed, unsigned workers, bool preload) {
  SourceOptions o;
  o.target = file;
  o.workers = workers;
  o.preload = preload;
  o.timing_recorded = true;
  o.speed = speed;
  auto srcs = make_pcap_sources(o);
  EXPECT_TRUE(srcs) << (srcs ? "" : srcs.error().message);
  Replay r;
  if (!srcs) return r;
  PacketView v[32];
  uint64_t origin = 0;
  const auto t0 = Clock::now();
  for (bool all_done = false; !all_done;) {
    all_done = true;
    for (auto& s : *srcs) {
      const uint32_t n = s->rx_burst(v, 32);
      const double now_ns = std::chrono::duration<double, std::nano>(Clock::now() - t0).count();
      for (uint32_t i = 0; i < n; ++i) {
        if (origin == 0) origin = v[i].ts_ns;  // the file's first packet comes first
        const double due = static_cast<double>(v[i].ts_ns - origin) / speed;
        if (now_ns + 2e6 < due) ++r.early;  // 2 ms slack for the first packet's clock read
      }
      r.packets += n;
      all_done = all_done && s->finished();
    }
  }
  r.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return r;
}

TEST(RecordedTiming, SpeedScalesTheCapturesDuration) {
  test::TempDir dir;
  const std::string f = gen_2s(dir);
  for (const double speed : {4.0, 2.0}) {
    const Replay r = replay(f, speed, 1, false);
    EXPECT_EQ(r.packets, 2001u);
    EXPECT_EQ(r.early, 0u) << "speed " << speed;
    EXPECT_GE(r.seconds, 2.0 / speed * 0.95) << "speed " << speed;
  }
}

TEST(RecordedTiming, WorkersShareOneClockPreloadedOrStreaming) {
  test::TempDir dir;
  const std::string f = gen_2s(dir);
  for (const bool preload : {false, true}) {
    const Replay r = replay(f, 4.0, 3, preload);
    EXPECT_EQ(r.packets, 2001u) << "preload " << preload;
    EXPECT_EQ(r.early, 0u) << "preload " << preload;
    EXPECT_GE(r.seconds, 0.5 * 0.95) << "preload " << preload;
  }
}

TEST(RecordedTiming, FasterSpeedIsFasterThanRecorded) {
  // Not a wall-clock bound: the 100x replay must finish before the 1x replay's 2 s pass,
  // which any machine that can read 2001 packets in ~2 s does.
  test::TempDir dir;
  const std::string f = gen_2s(dir);
  const Replay fast = replay(f, 100.0, 1, false);
  EXPECT_EQ(fast.early, 0u);
  EXPECT_GE(fast.seconds, 0.02 * 0.95);
  const Replay slow = replay(f, 1.0, 1, false);
  EXPECT_GE(slow.seconds, 2.0 * 0.95);
  EXPECT_LT(fast.seconds, slow.seconds);
}

TEST(RecordedTiming, RefusesNoSpeedOrARateAsWell) {
  test::TempDir dir;
  SourceOptions o;
  o.target = gen_2s(dir);
  o.timing_recorded = true;
  o.speed = 0;
  EXPECT_FALSE(make_pcap_sources(o));
  o.speed = 1;
  o.rate_pps = 1000;
  EXPECT_FALSE(make_pcap_sources(o));
}

TEST(RecordedTiming, CliRejectsHostileSpeeds) {
  for (const char* bad : {"0", "-1", "inf", "nan", "1e3", "0x10", "10001", "", "2x", "0.001"}) {
    const std::string cmd = std::string(SECURENET_DATAPLANE_BIN) +
                            " --target /dev/null --instance x --timing recorded --speed '" + bad +
                            "' 2>/dev/null";
    const int rc = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 2) << bad;
  }
  for (const char* bad : {"--speed 2", "--timing recorded --rate 10", "--timing fast",
                          "--source afpacket --timing recorded"}) {
    const std::string cmd = std::string(SECURENET_DATAPLANE_BIN) +
                            " --target /dev/null --instance x " + bad + " 2>/dev/null";
    const int rc = std::system(cmd.c_str());
    EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 2) << bad;
  }
}

}  // namespace
}  // namespace securenet
