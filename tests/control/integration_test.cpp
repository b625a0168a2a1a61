// End to end: captures with an ICMP flood, a port scan, a heavy sender and benign traffic
// (securenet-pcapgen) are replayed, paced with --rate, through the real securenet-dataplane
// while the real securenet-control samples the segment; the alerts come from the HTTP API.
// Prints the delay from the start of the attack traffic to the alert in the API.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "auth/jwt.h"
#include "child_process.h"
#include "control_launcher.h"
#include "http_fixture.h"
#include "securenet/common/clock.h"
#include "sensor_dir.h"

using namespace sn_test;
namespace fs = std::filesystem;

namespace {

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

using securenet::test::ChildProcess;
using securenet::test::ControlProcess;

struct Expect {
  std::string kind, host, severity, protocol;
};

struct Scenario {
  std::string name;
  uint64_t packets;
  double rate;
  std::vector<Expect> expect;
};

class Replay : public ::testing::TestWithParam<Scenario> {
 protected:
  void SetUp() override {
    sensor_.emplace("ctlint-" + GetParam().name);
    instance_ = sensor_->instance;
    dir_ = sensor_->dir;
    securenet::auth::MintOptions m;
    m.sub = kUser;
    token_ = securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)));
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove("/dev/shm/securenet-" + instance_, ec);
    sensor_.reset();
  }
  std::optional<SensorDir> sensor_;
  std::string instance_, token_;
  fs::path dir_;
};

std::string str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

}  // namespace

TEST_P(Replay, RightAlertsFromTheApi) {
  const Scenario& sc = GetParam();
  fs::path pcap = dir_ / (sc.name + ".pcap");
  {
    ChildProcess gen({PCAPGEN_BIN, "--out", pcap.string(), "--scenario", sc.name, "--packets",
                      std::to_string(sc.packets), "--hosts", "64", "--pps",
                      std::to_string(static_cast<int>(sc.rate / 2))},
                     (dir_ / "pcapgen.log").string());
    ASSERT_EQ(gen.wait(), 0) << "securenet-pcapgen failed";
  }
  auto opts = sensor_->control();
  opts.tick_ms = 1000;
  ControlProcess control(opts, (dir_ / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << "securenet-control did not start: " << control.log();
  ASSERT_EQ(get(port, "/health").status, 200);

  int64_t t_start = wall_ms();
  ChildProcess dp({DATAPLANE_BIN, "--source", "pcap", "--target", pcap.string(), "--instance",
                   instance_, "--rate", std::to_string(static_cast<int>(sc.rate))},
                  (dir_ / "dataplane.log").string());
  std::map<std::string, int64_t> seen_at;  // kind|host -> ms since start
  auto poll_alerts = [&] {
    auto r = get(port, "/api/alerts?limit=1000", token_);
    EXPECT_EQ(r.status, 200);
    Json j(r.body);
    std::vector<std::map<std::string, std::string>> out;
    simdjson::dom::array arr;
    if (j["alerts"].get_array().get(arr) != simdjson::SUCCESS) return out;
    for (auto a : arr) {
      std::map<std::string, std::string> m;
      for (const char* k : {"kind", "host", "severity", "protocol", "status", "condition"})
        m[k] = str(a[k].value());
      m["first_seen_ms"] = std::to_string(a["first_seen_ms"].get_int64().value());
      out.push_back(m);
      seen_at.emplace(m["kind"] + "|" + m["host"], wall_ms() - t_start);
    }
    return out;
  };
  auto has = [](const std::vector<std::map<std::string, std::string>>& alerts, const Expect& e) {
    for (const auto& a : alerts) {
      if (a.at("kind") == e.kind && a.at("host") == e.host && a.at("severity") == e.severity &&
          a.at("protocol").find(e.protocol) != std::string::npos) {
        return true;
      }
    }
    return false;
  };
  // Expected alerts appear while the attack runs.
  for (const auto& e : sc.expect) {
    bool ok = eventually([&] { return has(poll_alerts(), e); }, 60000);
    EXPECT_TRUE(ok) << sc.name << ": no " << e.severity << " " << e.kind << " alert for " << e.host;
    if (ok) {
      std::printf(
          "[ delay    ] %s: %s %s for %s: %lld ms from the start of the replay to the alert in the "
          "API\n",
          sc.name.c_str(), e.severity.c_str(), e.kind.c_str(), e.host.c_str(),
          static_cast<long long>(seen_at[e.kind + "|" + e.host]));
    }
  }
  dp.wait();
  // The control plane has seen the end (a tick after the dataplane exited reports it down).
  EXPECT_TRUE(eventually(
      [&] {
        Json st(get(port, "/api/status", token_).body);
        return str(st["dataplane"]["state"]) == "down";
      },
      60000));
  auto all = poll_alerts();
  for (const auto& a : all) {
    if (a.at("kind") == "sensor_health") {
      EXPECT_TRUE(a.at("condition") == "dataplane_down" || a.at("condition") == "dataplane_stale")
          << a.at("condition");
      continue;
    }
    bool expected = false;
    for (const auto& e : sc.expect) expected |= a.at("host") == e.host || e.host.empty();
    // Other hosts may only be alerted as the attack's targets (they receive the flood).
    if (!expected) {
      EXPECT_NE(sc.name, "benign")
          << "benign traffic raised " << a.at("kind") << " for " << a.at("host");
      EXPECT_TRUE(a.at("host").rfind("10.200.", 0) == 0)
          << sc.name << ": unexpected " << a.at("kind") << " alert for " << a.at("host");
    }
  }
  Json status(get(port, "/api/status", token_).body);
  EXPECT_EQ(str(status["dataplane"]["state"]), "down");  // the replay has ended
  Json metrics(get(port, "/api/metrics", token_).body);
  EXPECT_EQ(metrics["totals"]["packets"].get_uint64().value(), sc.packets);
}

TEST(ControlCli, TokenSubcommandMintsAVerifiableToken) {
  fs::path dir = fs::temp_directory_path() / ("ctlcli-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "secret") << kSecret << "\n";
  {
    ChildProcess c({CONTROL_BIN, "token", "--jwt-secret-file", (dir / "secret").string(), "--user",
                    kUser, "--email", "a@example.com", "--ttl", "120"},
                   (dir / "token.txt").string());
    ASSERT_EQ(c.wait(), 0);
  }
  std::string token;
  std::ifstream(dir / "token.txt") >> token;
  securenet::auth::AuthConfig ac;
  ac.hs256_secret = kSecret;
  auto v = securenet::auth::Verifier::create(ac);
  ASSERT_TRUE(v.ok());
  auto claims = v->verify(token, static_cast<int64_t>(std::time(nullptr)));
  ASSERT_TRUE(claims.ok()) << claims.error().message;
  EXPECT_EQ(claims->sub, kUser);
  EXPECT_EQ(claims->email, "a@example.com");
  EXPECT_LE(claims->exp - claims->iat, 120);
  {
    ChildProcess bad({CONTROL_BIN, "token", "--jwt-secret-file", (dir / "secret").string()},
                     (dir / "err.txt").string());
    EXPECT_NE(bad.wait(), 0);  // --user is required
  }
  {
    ChildProcess help({CONTROL_BIN, "--help"}, (dir / "help.txt").string());
    EXPECT_EQ(help.wait(), 0);
  }
  std::stringstream ss;
  ss << std::ifstream(dir / "help.txt").rdbuf();
  EXPECT_NE(ss.str().find("--listen"), std::string::npos);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(
    Scenarios, Replay,
    ::testing::Values(
        // 3000 pkt/s in total, half of it the flood: ICMP is blacklisted (HIGH) and 1500 pkt/s
        // is above 1000 but below 10x (MEDIUM).
        Scenario{"icmp-flood",
                 9000,
                 3000,
                 {{"protocol_blacklist", "10.0.0.66", "HIGH", "ICMP"},
                  {"traffic_sent", "10.0.0.66", "MEDIUM", ""}}},
        // 200 SYN/s for 4 s: 800 new connections in the minute (above 100, below 10x), to
        // 800 distinct ports (a port scan).
        Scenario{"port-scan",
                 1600,
                 400,
                 {{"connection_rate", "10.0.0.66", "MEDIUM", ""},
                  {"connection_rate_global", "", "MEDIUM", ""},
                  {"port_scan", "10.0.0.66", "MEDIUM", ""}}},
        // 3000 pkt/s of large UDP from one host for 1.5 s.
        Scenario{"heavy-sender", 9000, 6000, {{"traffic_sent", "10.0.0.66", "MEDIUM", ""}}},
        // Only background traffic: no alert.
        Scenario{"benign", 4000, 1000, {}}),
    [](const ::testing::TestParamInfo<Scenario>& i) {
      std::string n = i.param.name;
      for (auto& c : n) c = c == '-' ? '_' : c;
      return n;
    });
