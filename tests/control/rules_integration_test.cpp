// Issue 13 end to end: a ping sweep of a /24 (with echo replies from the live addresses)
// and a UDP scan of 1,000 ports (with the target's ICMP port-unreachable answers), written
// as a capture here and replayed through the real securenet-dataplane while the real
// securenet-control samples it. The sweep alerts on its sender only (blacklist + host
// scan), never on the pinged addresses; the UDP scan raises port_scan; the victims of
// both raise nothing (ICMP answers are not blacklist-counted against their sender).
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "auth/jwt.h"
#include "child_process.h"
#include "control_launcher.h"
#include "http_fixture.h"
#include "sensor_dir.h"
#include "tools/packet_builder.h"
#include "tools/packet_builder_pcap.h"

using namespace sn_test;
using securenet::test::ChildProcess;
using securenet::test::ControlProcess;
namespace fs = std::filesystem;
namespace pkt = securenet::pkt;

namespace {

constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;
constexpr uint64_t kGapNs = 10'000'000;  // 100 packets/s of packet time

pkt::Builder eth() {
  pkt::Builder b;
  b.eth(pkt::mac("02:00:00:00:00:01"), pkt::mac("02:00:00:00:00:02"));
  return b;
}

// The UDP scan from 10.0.0.77 of 10.0.6.1 ports 1-1000 (every closed port answers
// unreachable), then the sweep from 10.0.0.66 over 10.0.5.1-254 (every tenth address
// answers). The scan comes first: the dataplane checks the blacklist once the control plane
// has published it (its first tick), so the sweep's packets are all checked.
size_t write_capture(const std::string& path) {
  using namespace pkt;
  PcapWriter w;
  if (!w.open(path.c_str(), TsResolution::kNano)) return 0;
  uint64_t t = kT0;
  size_t n = 0;
  auto put = [&](const Frame& f) {
    if (w.write(f, t)) ++n;
    t += kGapNs;
  };
  for (uint16_t port = 1; port <= 1000; ++port) {
    put(eth().ipv4(ip4("10.0.0.77"), ip4("10.0.6.1")).udp(45000, port).payload(0).build());
    put(eth().ipv4(ip4("10.0.6.1"), ip4("10.0.0.77")).icmp(3, 3).payload(28).build());
  }
  for (int i = 1; i <= 254; ++i) {
    const Ip4 dst = ip4(("10.0.5." + std::to_string(i)).c_str());
    put(eth()
            .ipv4(ip4("10.0.0.66"), dst)
            .icmp_echo(7, static_cast<uint16_t>(i))
            .payload(56)
            .build());
    if (i % 10 == 0)
      put(eth()
              .ipv4(dst, ip4("10.0.0.66"))
              .icmp_echo(7, static_cast<uint16_t>(i), false)
              .payload(56)
              .build());
  }
  return w.close() ? n : 0;
}

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

}  // namespace

TEST(RulesEndToEnd, APingSweepAlertsOnlyOnItsSenderAndAUdpScanAlerts) {
  const SensorDir sensor("ctlrules");
  const std::string& instance = sensor.instance;
  const fs::path& dir = sensor.dir;
  securenet::auth::MintOptions m;
  m.sub = kUser;
  const std::string token =
      securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)));
  const fs::path pcap = dir / "sweep-and-udp-scan.pcap";
  const size_t packets = write_capture(pcap.string());
  ASSERT_EQ(packets, 254u + 25u + 2000u);

  auto opts = sensor.control();
  opts.tick_ms = 1000;
  ControlProcess control(opts, (dir / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << "securenet-control did not start: " << control.log();
  // 500 packets/s: the scan takes four seconds, the sweep about one.
  ChildProcess dp({DATAPLANE_BIN, "--source", "pcap", "--target", pcap.string(), "--instance",
                   instance, "--rate", "500"},
                  (dir / "dataplane.log").string());

  std::map<std::string, std::string> alerts;  // kind|host -> severity|direction|role
  auto poll = [&] {
    auto r = get(port, "/api/alerts?limit=1000", token);
    EXPECT_EQ(r.status, 200);
    Json j(r.body);
    simdjson::dom::array arr;
    if (j["alerts"].get_array().get(arr) != simdjson::SUCCESS) return;
    for (auto a : arr) {
      alerts[str(a["kind"].value()) + "|" + str(a["host"].value())] =
          str(a["severity"].value()) + "|" + str(a["direction"].value()) + "|" +
          str(a["role"].value());
    }
  };
  auto have = [&](const std::string& k) { return alerts.count(k) > 0; };
  EXPECT_TRUE(eventually(
      [&] {
        poll();
        return have("protocol_blacklist|10.0.0.66");
      },
      60000));
  EXPECT_TRUE(eventually(
      [&] {
        poll();
        return have("host_scan|10.0.0.66");
      },
      60000));
  // A pinged address's host view still shows the blacklisted packets it received (the
  // request in, its reply out), none of them counted as sent. Read while the dataplane runs.
  std::string host_body;
  EXPECT_TRUE(eventually(
      [&] {
        host_body = get(port, "/api/hosts/10.0.5.10", token).body;
        Json h(host_body);
        uint64_t total = 0, sent = 1;
        return h["blacklisted_packets"].get_uint64().get(total) == simdjson::SUCCESS &&
               total == 2 && h["blacklisted_sent"].get_uint64().get(sent) == simdjson::SUCCESS &&
               sent == 0;
      },
      60000))
      << host_body;
  EXPECT_TRUE(eventually(
      [&] {
        poll();
        return have("port_scan|10.0.0.77");
      },
      60000));
  dp.wait();
  EXPECT_TRUE(eventually(
      [&] {
        Json st(get(port, "/api/status", token).body);
        return str(st["dataplane"]["state"]) == "down";
      },
      60000));
  poll();
  EXPECT_EQ(alerts["protocol_blacklist|10.0.0.66"], "HIGH|sending|attacker");
  EXPECT_EQ(alerts["host_scan|10.0.0.66"], "MEDIUM|sending|attacker");
  EXPECT_EQ(alerts["port_scan|10.0.0.77"], "MEDIUM|sending|attacker");
  // Nothing else: no alert on a pinged address, on the scanned host or its ICMP answers.
  const std::set<std::string> allowed = {"protocol_blacklist|10.0.0.66", "host_scan|10.0.0.66",
                                         "port_scan|10.0.0.77"};
  for (const auto& [k, v] : alerts) {
    if (k.rfind("sensor_health|", 0) == 0) continue;
    EXPECT_TRUE(allowed.count(k)) << "unexpected alert " << k << " (" << v << ")";
  }
  Json metrics(get(port, "/api/metrics", token).body);
  EXPECT_EQ(metrics["totals"]["packets"].get_uint64().value(), packets);
  std::error_code ec;
  fs::remove("/dev/shm/securenet-" + instance, ec);
}
