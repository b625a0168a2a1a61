// Issue 13 item 2 end to end: a spoofed SYN flood (one SYN from each of 24,000 sources to
// 10.0.9.9:80, never answered) interleaved with a busy server (10.0.9.8 receiving SYNs from
// 3,000 clients and answering every one with a SYN+ACK), written as a capture here and
// replayed through the real securenet-dataplane while the real securenet-control samples it
// (thresholds lowered to the replay's rates). The flood's victim raises syn_flood and fan_in,
// its alert names the attack type, the top (spoofed) sources and the SYN/port-80 breakdown;
// the server that answers raises nothing; its host view shows both new counters.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

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
constexpr int kFlood = 24000;

pkt::Builder eth() {
  pkt::Builder b;
  b.eth(pkt::mac("02:00:00:00:00:01"), pkt::mac("02:00:00:00:00:02"));
  return b;
}

pkt::Ip4 spoofed(int i) { return {198, 18, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)}; }

// Per flood SYN, every fourth a client's SYN to the server and the server's SYN+ACK.
size_t write_capture(const std::string& path) {
  using namespace pkt;
  PcapWriter w;
  if (!w.open(path.c_str(), TsResolution::kNano)) return 0;
  uint64_t t = kT0;
  size_t n = 0;
  auto put = [&](const Frame& f) {
    if (w.write(f, t)) ++n;
    t += 500'000;  // 2,000 packets/s of packet time, as the replay (the fast path counts in it)
  };
  const Ip4 victim = ip4("10.0.9.9"), server = ip4("10.0.9.8");
  for (int i = 0; i < kFlood; ++i) {
    put(eth()
            .ipv4(spoofed(i), victim)
            .tcp(static_cast<uint16_t>(1024 + i % 60000), 80, kSyn)
            .build());
    if (i % 4 != 0) continue;
    const int c = (i / 4) % 3000;
    const Ip4 client{172, 16, static_cast<uint8_t>(c >> 8), static_cast<uint8_t>(c)};
    const auto cport = static_cast<uint16_t>(30000 + i / 4 % 30000);
    put(eth().ipv4(client, server).tcp(cport, 443, kSyn).build());
    put(eth().ipv4(server, client).tcp(443, cport, kSyn | kAck).build());
  }
  return w.close() ? n : 0;
}

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

}  // namespace

TEST(VictimEndToEnd, ASpoofedSynFloodNamesItsVictimSourcesAndTypeAndAServerThatAnswersNothing) {
  const SensorDir sensor("ctlvictim");
  const std::string token = sensor.token();
  const fs::path pcap = sensor.dir / "syn-flood-and-server.pcap";
  const size_t packets = write_capture(pcap.string());
  ASSERT_EQ(packets, static_cast<size_t>(kFlood + kFlood / 4 * 2));

  auto opts = sensor.control();
  opts.tick_ms = 1000;
  ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << "securenet-control did not start: " << control.log();
  // The replay's rates: ~1,330 flood SYNs/s, ~330 server SYNs/s (all answered).
  auto cfg = post(port, "/api/config",
                  R"({"syn_flood_per_s":300,"fan_in_sources":5000,"sample_one_in":7})", token);
  ASSERT_EQ(cfg.status, 200) << cfg.body;
  ChildProcess dp({DATAPLANE_BIN, "--source", "pcap", "--target", pcap.string(), "--instance",
                   sensor.instance, "--rate", "2000"},
                  (sensor.dir / "dataplane.log").string());

  std::map<std::string, std::string> alerts, ids;  // kind|host -> direction|role, id
  auto poll = [&] {
    auto r = get(port, "/api/alerts?limit=1000", token);
    EXPECT_EQ(r.status, 200);
    Json j(r.body);
    simdjson::dom::array arr;
    if (j["alerts"].get_array().get(arr) != simdjson::SUCCESS) return;
    for (auto a : arr) {
      const std::string k = str(a["kind"].value()) + "|" + str(a["host"].value());
      alerts[k] = str(a["direction"].value()) + "|" + str(a["role"].value());
      ids[k] = str(a["id"].value());
    }
  };
  EXPECT_TRUE(eventually(
      [&] {
        poll();
        return alerts.count("syn_flood|10.0.9.9") && alerts.count("fan_in|10.0.9.9");
      },
      60000))
      << control.log();
  // The profile of the flood: the attack type, spoofed top sources, SYNs to port 80.
  std::string body;
  EXPECT_TRUE(eventually(
      [&] {
        body = get(port, "/api/alerts/" + ids["syn_flood|10.0.9.9"], token).body;
        Json a(body);
        simdjson::dom::array top, bd;
        if (str(a["attack_type"]) != "SYN flood") return false;
        if (a["top_sources"].get_array().get(top) != simdjson::SUCCESS || top.size() == 0)
          return false;
        if (a["breakdown"].get_array().get(bd) != simdjson::SUCCESS || bd.size() == 0) return false;
        const std::string ip = str(top.at(0)["ip"].value());
        return ip.rfind("198.18.", 0) == 0 && str(bd.at(0)["protocol"].value()) == "tcp_syn" &&
               bd.at(0)["dst_port"].get_int64().value() == 80;
      },
      60000))
      << body;
  EXPECT_NE(body.find("attack type: SYN flood"), std::string::npos) << body;
  // The server's own counters, end to end.
  std::string host;
  EXPECT_TRUE(eventually(
      [&] {
        host = get(port, "/api/hosts/10.0.9.8", token).body;
        Json h(host);
        uint64_t syn = 0, synack = 0;
        return h["syn_recv"].get_uint64().get(syn) == simdjson::SUCCESS && syn > 0 &&
               h["synack_sent"].get_uint64().get(synack) == simdjson::SUCCESS && synack == syn;
      },
      60000))
      << host;
  dp.wait();
  EXPECT_TRUE(eventually(
      [&] {
        Json st(get(port, "/api/status", token).body);
        return str(st["dataplane"]["state"]) == "down";
      },
      60000));
  poll();
  EXPECT_EQ(alerts["syn_flood|10.0.9.9"], "receiving|victim");
  EXPECT_EQ(alerts["fan_in|10.0.9.9"], "receiving|victim");
  const std::set<std::string> allowed = {"syn_flood|10.0.9.9", "fan_in|10.0.9.9"};
  for (const auto& [k, v] : alerts) {
    if (k.back() == '|' || k.rfind("sensor_health|", 0) == 0) continue;  // network-wide
    EXPECT_TRUE(allowed.count(k)) << "unexpected alert " << k << " (" << v << ")";
  }
  std::error_code ec;
  fs::remove("/dev/shm/securenet-" + sensor.instance, ec);
}
