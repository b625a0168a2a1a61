// securenet-analyze gives the alerts a live replay at 1x gives: the same capture replayed by
// the real securenet-dataplane (--timing recorded) while the control plane's sampler and
// detector tick once per second of wall-clock time on its segment, against the Analyzer
// over the file in packet time. Same (kind, host) set; each first_seen at the same offset
// from the start of the traffic, within the live tick's phase (1 s) plus slack for a busy
// machine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

#include "analyzer.h"
#include "child_process.h"
#include "config/publish.h"
#include "detect/alert_store.h"
#include "detect/detector.h"
#include "sampler/sampler.h"
#include "securenet/shm_reader.h"

namespace securenet::analyze {
namespace {

using Key = std::pair<std::string, std::string>;  // kind, host
using Offsets = std::map<Key, int64_t>;           // first_seen - start, ms

constexpr int64_t kStartMs = 1700000000LL * 1000;  // pcapgen's first packet

std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "-" + std::to_string(getpid())))
      .string();
}

Offsets offline(const std::string& file) {
  Offsets out;
  auto an = Analyzer::create(AnalyzeOptions{}, [&](const char* ev, const control::Alert& a) {
    if (std::string(ev) == "open" && !a.host.empty())
      out[{control::to_string(a.kind), a.host}] = a.first_seen_ms - kStartMs;
  });
  EXPECT_TRUE(an);
  if (!an) return out;
  EXPECT_TRUE((*an)->feed(file));
  (*an)->finish();
  return out;
}

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
uint64_t mono_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The real dataplane replays `file` at its recorded timing; the sampler and detector tick
// every second of wall-clock time on its segment, as securenet-control does.
Offsets live(const std::string& file) {
  Offsets out;
  const std::string instance = "analyze-live-" + std::to_string(getpid());
  test::ChildProcess dp(
      {SECURENET_DATAPLANE_BIN, "--target", file, "--instance", instance, "--timing", "recorded"},
      ::testing::TempDir() + instance + ".log");
  EXPECT_TRUE(dp.started());
  // Wait for the segment (generous deadline: a busy machine).
  std::optional<ShmReader> reader;
  test::wait_until(
      [&] {
        if (auto r = ShmReader::open("securenet-" + instance, true); r && r->header().ready)
          reader.emplace(std::move(*r));
        return reader.has_value();
      },
      std::chrono::seconds(60), std::chrono::milliseconds(2));
  EXPECT_TRUE(reader) << "the dataplane's segment never appeared: " << dp.log();
  if (!reader) return out;
  const int64_t start_ms = wall_ms();  // the replay starts as the segment is ready
  control::SecurityConfig cfg = control::SecurityConfig::defaults();
  control::publish_config(*reader->control(), cfg);  // as the App does when it attaches
  control::Sampler sampler;
  control::AlertStore store;
  control::Detector detector(store);
  std::vector<control::HostObservation> obs;
  bool exited = false;
  auto next = std::chrono::steady_clock::now();
  for (int after_exit = 0; after_exit < 2;) {
    std::this_thread::sleep_until(next);
    next += std::chrono::seconds(1);
    sampler.begin_tick(mono_ns(), wall_ms(), reader->totals());
    reader->scan_hosts(
        [&](unsigned w, uint64_t slot, const HostCounters& h) { sampler.add_host_at(w, slot, h); });
    auto snap = sampler.end_tick(control::Detector::floor_for(cfg), obs);
    control::TickInput in;
    in.now_ms = snap->ts_ms;
    in.hosts = &obs;
    in.global_conn_per_min = snap->connections_per_min;
    for (const auto& a : detector.evaluate(in, cfg)) {
      const Key k{control::to_string(a.kind), a.host};
      if (!a.host.empty() && !out.count(k)) out[k] = a.first_seen_ms - start_ms;
    }
    if (!exited) exited = !dp.running();
    if (exited) ++after_exit;  // two more ticks: the last second's packets
  }
  EXPECT_EQ(dp.wait(), 0) << dp.log();
  return out;
}

TEST(AnalyzeVsLive, SameAlertsAndFirstSeenAsAReplayAt1x) {
  const std::string file = temp_file("analyze-live.pcap");
  // 10.9.9.9: 2,000 ICMP echo/s to 10.200.0.1 for 4 s, amid 50 benign hosts.
  const std::string cmd =
      std::string(SECURENET_PCAPGEN_BIN) + " --out " + file +
      " --scenario icmp-flood --src 10.9.9.9 --pps 2000 --packets 16000 --hosts 50";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const Offsets off = offline(file);
  const Offsets on = live(file);
  std::filesystem::remove(file);
  ASSERT_FALSE(off.empty());
  ASSERT_TRUE(off.count({"protocol_blacklist", "10.9.9.9"}));
  std::vector<Key> off_keys, on_keys;
  for (const auto& [k, v] : off) off_keys.push_back(k);
  for (const auto& [k, v] : on) on_keys.push_back(k);
  EXPECT_EQ(off_keys, on_keys);
  for (const auto& [k, v] : off) {
    if (!on.count(k)) continue;
    // Offline: the first whole second of packet time. Live: the first tick after it, whose
    // phase is anywhere in the second, plus start-up and scheduling slack.
    EXPECT_GE(on.at(k), v - 1000) << k.first << " " << k.second;
    EXPECT_LE(on.at(k), v + 2500) << k.first << " " << k.second;
  }
}

}  // namespace
}  // namespace securenet::analyze
