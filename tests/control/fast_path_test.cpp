// Issue 17 end to end: a flood at 5x the threshold replayed (at its capture's own pace)
// through the real securenet-dataplane while the real securenet-control runs with a 5 s
// tick; the alert reaches the API from the fast path (the crossings rings), long before the
// next tick could have raised it. Prints the delay from the dataplane's start to the alert
// (bench/detection/fastpath.sh repeats this for its p99; bench/README.md).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "child_process.h"
#include "control_launcher.h"
#include "http_fixture.h"
#include "sensor_dir.h"

using namespace sn_test;
namespace fs = std::filesystem;

namespace {

using securenet::test::ChildProcess;
using securenet::test::ControlProcess;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct FastCase {
  std::string scenario, kind;
  std::string config = R"({"traffic_sent_pps":600})";
  std::string name;
};

class FastPath : public ::testing::TestWithParam<FastCase> {};

int64_t num(simdjson::dom::element e) {
  int64_t v = 0;
  if (e.get_int64().get(v) == simdjson::SUCCESS) return v;
  double d = 0;
  return e.get_double().get(d) == simdjson::SUCCESS ? static_cast<int64_t>(d) : -1;
}

}  // namespace

TEST_P(FastPath, AlertLongBeforeTheNextTick) {
  const FastCase& fc = GetParam();
  SensorDir sensor("fast-" + fc.scenario);
  // 6000 packets/s in the capture's own time and replayed at that pace: 10.0.0.66 sends
  // 3000/s (heavy-sender: UDP; icmp-flood: blacklisted ICMP), 5x a threshold of 600.
  const fs::path pcap = sensor.dir / "flood.pcap";
  {
    ChildProcess gen({PCAPGEN_BIN, "--out", pcap.string(), "--scenario", fc.scenario, "--packets",
                      "30000", "--hosts", "64", "--pps", "6000"},
                     (sensor.dir / "pcapgen.log").string());
    ASSERT_EQ(gen.wait(), 0) << "securenet-pcapgen failed";
  }
  auto opts = sensor.control();
  opts.tick_ms = 5000;
  ControlProcess control(opts, (sensor.dir / "control.log").string());
  const int64_t control_start = now_ms();  // its first tick; the next is 5 s later
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << "securenet-control did not start: " << control.log();
  const std::string admin = sensor.token();
  ASSERT_EQ(post(port, "/api/config", fc.config, admin).status, 200);

  const int64_t t0 = now_ms();
  ChildProcess dp({DATAPLANE_BIN, "--source", "pcap", "--target", pcap.string(), "--instance",
                   sensor.instance, "--rate", "6000"},
                  (sensor.dir / "dataplane.log").string());
  int64_t seen = -1, detected = -1, first = -1;
  const bool ok = eventually(
      [&] {
        auto r = get(port, "/api/alerts?limit=100", admin);
        if (r.status != 200) return false;
        Json j(r.body);
        simdjson::dom::array arr;
        if (j["alerts"].get_array().get(arr) != simdjson::SUCCESS) return false;
        for (auto a : arr) {
          std::string_view kind, host;
          if (a["kind"].get_string().get(kind) || a["host"].get_string().get(host)) continue;
          if (kind != fc.kind || host != "10.0.0.66") continue;
          seen = now_ms();
          detected = num(a["detected_ms"]);
          first = num(a["first_seen_ms"]);
          return true;
        }
        return false;
      },
      15000);
  ASSERT_TRUE(ok) << fc.kind << " never opened: " << control.log();
  const std::string name = fc.name.empty() ? fc.scenario : fc.name;
  std::printf("fast path: %s/%s %lld ms to the API, %lld ms to detected_ms\n", name.c_str(),
              fc.kind.c_str(), static_cast<long long>(seen - t0),
              static_cast<long long>(detected - t0));
  // Before the second tick (5 s after the first): only the fast path can have raised it.
  EXPECT_LT(detected, control_start + 4500) << "raised by the tick, not the fast path";
  EXPECT_GE(detected, t0);
  EXPECT_GT(first, 0);
  EXPECT_LE(first, detected);
  EXPECT_LT(seen - t0, 3000) << "the alert took longer than a generous bound";
}

INSTANTIATE_TEST_SUITE_P(Floods, FastPath,
                         ::testing::Values(FastCase{"heavy-sender", "traffic_sent"},
                                           FastCase{"icmp-flood", "protocol_blacklist"},
                                           // The trigger is the global 300; 10.0.0.66's own
                                           // threshold is 600 (a subnet override): watched.
                                           FastCase{"heavy-sender", "traffic_sent",
                                                    R"({"traffic_sent_pps":300,)"
                                                    R"("subnet_thresholds":[{"cidr":)"
                                                    R"("10.0.0.0/24","traffic_sent_pps":600}]})",
                                                    "override"}),
                         [](const ::testing::TestParamInfo<FastCase>& i) {
                           std::string n = i.param.name.empty() ? i.param.scenario : i.param.name;
                           for (auto& c : n) c = c == '-' ? '_' : c;
                           return n;
                         });
