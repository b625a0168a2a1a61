// Blocking through BGP against a real router: gobgpd A (the operator's router) runs in a
// network namespace and peers over a veth pair with gobgpd B, the sensor's speaker, which the
// Blocker drives with the gobgp CLI. Every check reads A's RIB: the /32 with 65535:666 and the
// configured communities, the FlowSpec NLRI and action, and that withdrawals, the ban time and
// shutdown take them away; protected prefixes and the per-hour cap announce nothing. The last
// test goes through POST/DELETE /api/blocks of a real securenet-control. Needs root and gobgpd.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <memory>

#include "app/app.h"
#include "block/blocker.h"
#include "child_process.h"
#include "control_launcher.h"
#include "netns.h"
#include "sensor_dir.h"

using namespace std::chrono_literals;
using namespace securenet::control;
using securenet::test::ChildProcess;
using securenet::test::sh;
using securenet::test::sh_out;
using securenet::test::VethNetns;
using securenet::test::wait_until;
namespace fs = std::filesystem;

namespace {

constexpr const char* kRouterApi = "50061";     // inside the namespace: no clash possible
constexpr uint64_t kBlackhole = 0xffff029aULL;  // 65535:666
constexpr uint64_t kExtra = (65000ULL << 16) | 100;

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

std::string peer_toml(int as, const std::string& id, int port, const std::string& nbr, int nbr_as) {
  std::string s = "[global.config]\n  as = " + std::to_string(as) + "\n  router-id = \"" + id +
                  "\"\n  port = " + std::to_string(port) +
                  "\n[[neighbors]]\n  [neighbors.config]\n" + "    neighbor-address = \"" + nbr +
                  "\"\n    peer-as = " + std::to_string(nbr_as) +
                  "\n  [neighbors.timers.config]\n    connect-retry = 1\n";
  for (const char* f : {"ipv4-unicast", "ipv6-unicast", "ipv4-flowspec", "ipv6-flowspec"})
    s += std::string("  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n") +
         "      afi-safi-name = \"" + f + "\"\n";
  return s;
}

// Router A in a namespace, speaker B here, one eBGP session between them.
class BgpPeers {
 public:
  BgpPeers() : net_("bgp") {
    if (!net_.ok()) {
      error_ = net_.error();
      return;
    }
    const int base = static_cast<int>(::getpid() % 64) * 4;
    here_ = "198.51.100." + std::to_string(base + 1);
    there_ = "198.51.100." + std::to_string(base + 2);
    dir_ = fs::temp_directory_path() / ("snbgp-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "router.toml") << peer_toml(65001, there_, 179, here_, 65000);
    std::ofstream(dir_ / "speaker.toml") << peer_toml(65000, here_, -1, there_, 65001);
    if (sh("ip addr add " + here_ + "/30 dev " + net_.capture_if()) != 0 ||
        sh("ip -n " + net_.ns() + " addr add " + there_ + "/30 dev " + net_.gen_if()) != 0 ||
        sh("ip -n " + net_.ns() + " link set lo up") != 0) {
      error_ = "cannot address the veth pair";
      return;
    }
    speaker_port_ = free_port();
    router_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"ip", "netns", "exec", net_.ns(), "gobgpd", "-f",
                                 (dir_ / "router.toml").string(), "--api-hosts",
                                 std::string("127.0.0.1:") + kRouterApi, "--pprof-disable"},
        (dir_ / "router.log").string());
    speaker_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"gobgpd", "-f", (dir_ / "speaker.toml").string(), "--api-hosts",
                                 "127.0.0.1:" + std::to_string(speaker_port_), "--pprof-disable"},
        (dir_ / "speaker.log").string());
    if (!wait_until([&] { return established(); }, 90s, 250ms))
      error_ = "no BGP session: " + router_->log() + speaker_->log();
  }
  ~BgpPeers() {
    speaker_.reset();
    router_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const std::string& error() const { return error_; }
  uint16_t speaker_port() const { return speaker_port_; }
  bool established() const {
    return sh_out(net_.exec_prefix() + "gobgp -p " + kRouterApi + " neighbor -j")
               .find("\"session_state\":6") != std::string::npos;
  }
  // The router's RIB of one family, as gobgp -j prints it.
  std::string rib(const std::string& family) const {
    return sh_out(net_.exec_prefix() + "gobgp -p " + kRouterApi + " global rib -a " + family +
                  " -j");
  }
  // The path of `key` in that RIB, minified; "" when absent.
  std::string path(const std::string& family, const std::string& key) const {
    const std::string text = rib(family);
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(text).at_key(key).at(0).get(e) != simdjson::SUCCESS) return "";
    return simdjson::minify(e);
  }
  std::vector<uint64_t> communities(const std::string& family, const std::string& prefix) const {
    std::vector<uint64_t> out;
    const std::string text = path(family, prefix);
    simdjson::dom::parser p;
    simdjson::dom::array attrs;
    if (text.empty() || p.parse(text).at_key("attrs").get(attrs) != simdjson::SUCCESS) return out;
    for (auto a : attrs) {
      int64_t type = 0;
      simdjson::dom::array cs;
      if (a.at_key("type").get(type) || type != 8 || a.at_key("communities").get(cs)) continue;
      for (auto c : cs) out.push_back(c.get_uint64().value_unsafe());
    }
    return out;
  }

 private:
  VethNetns net_;
  std::string here_, there_, error_;
  fs::path dir_;
  uint16_t speaker_port_ = 0;
  std::unique_ptr<ChildProcess> router_, speaker_;
};

std::string skip_reason() {
  if (auto r = securenet::test::netns_skip_reason(); !r.empty()) return r;
  if (sh("command -v gobgpd >/dev/null && command -v gobgp >/dev/null") != 0)
    return "gobgpd/gobgp not installed (apt-get install gobgpd; scripts/deps/block.txt)";
  return "";
}

class BgpBlock : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!skip_reason().empty()) return;
    peers_ = new BgpPeers();
  }
  static void TearDownTestSuite() {
    delete peers_;
    peers_ = nullptr;
  }
  void SetUp() override {
    if (auto r = skip_reason(); !r.empty()) GTEST_SKIP() << r;
    ASSERT_TRUE(peers_->error().empty()) << peers_->error();
  }
  BlockConfig config() const {
    BlockConfig c;
    c.enabled = true;
    c.gobgp = sh_out("command -v gobgp");
    while (!c.gobgp.empty() && c.gobgp.back() == '\n') c.gobgp.pop_back();
    c.grpc_port = peers_->speaker_port();
    c.communities = {static_cast<uint32_t>(kExtra)};
    return c;
  }
  // Runs the io_context (gobgp answers, the ban timer) until pred holds.
  bool pump_until(const std::function<bool()>& pred, std::chrono::milliseconds limit = 30s) {
    return wait_until(
        [&] {
          ioc_.restart();
          ioc_.run_for(100ms);
          return pred();
        },
        limit, 100ms);
  }
  static Alert alert(const std::string& id, AlertKind kind, const std::string& host) {
    Alert a;
    a.id = id;
    a.kind = kind;
    a.severity = Severity::kHigh;
    a.host = host;
    return a;
  }
  static BgpPeers* peers_;
  boost::asio::io_context ioc_;
  NullSink sink_;
  App app_{ioc_, AppOptions{}, SecurityConfig::defaults(), sink_};
};
BgpPeers* BgpBlock::peers_ = nullptr;

}  // namespace

TEST_F(BgpBlock, AnAlertAnnouncesABlackholeWithCommunitiesAndItsResolveWithdrawsIt) {
  Blocker blocker(ioc_, config(), app_);
  Alert a = alert("a-1", AlertKind::kTrafficReceived, "203.0.113.7");
  blocker.on_alert_changed(a);
  ASSERT_TRUE(pump_until([&] { return !peers_->path("ipv4", "203.0.113.7/32").empty(); }))
      << peers_->rib("ipv4");
  const auto coms = peers_->communities("ipv4", "203.0.113.7/32");
  EXPECT_NE(std::find(coms.begin(), coms.end(), kBlackhole), coms.end());
  EXPECT_NE(std::find(coms.begin(), coms.end(), kExtra), coms.end());
  // gobgp's answer reaches the control thread as a posted handler.
  EXPECT_TRUE(pump_until(
      [&] { return blocker.to_json().find("\"state\":\"active\"") != std::string::npos; }));
  a.open = false;
  blocker.on_alert_changed(a);
  EXPECT_TRUE(pump_until([&] { return peers_->path("ipv4", "203.0.113.7/32").empty(); }));
  EXPECT_EQ(blocker.active(), 0u);
  // An IPv6 victim: a /128.
  Alert b = alert("a-2", AlertKind::kReflection, "2001:db8::7");
  blocker.on_alert_changed(b);
  EXPECT_TRUE(pump_until([&] { return !peers_->path("ipv6", "2001:db8::7/128").empty(); }));
  blocker.withdraw_all_now();
  EXPECT_TRUE(peers_->path("ipv6", "2001:db8::7/128").empty()) << peers_->rib("ipv6");
}

TEST_F(BgpBlock, FlowspecRulesCarryTheMatchAndTheAction) {
  BlockConfig c = config();
  c.mode = BlockMode::kFlowspec;
  Blocker blocker(ioc_, c, app_);
  blocker.on_alert_changed(alert("f-1", AlertKind::kReflection, "203.0.113.8"));
  const std::string key = "[destination: 203.0.113.8/32][protocol: ==udp]";
  ASSERT_TRUE(pump_until([&] { return !peers_->path("ipv4-flowspec", key).empty(); }))
      << peers_->rib("ipv4-flowspec");
  const std::string discard = peers_->path("ipv4-flowspec", key);
  EXPECT_NE(discard.find(R"({"type":3,"value":[{"op":129,"value":17}]})"), std::string::npos);
  EXPECT_NE(discard.find(R"("subtype":6,"as":0,"rate":0)"), std::string::npos) << discard;
  // A manual rule with a source port and a rate.
  ManualBlock m;
  m.ip = "203.0.113.9";
  m.mode = BlockMode::kFlowspec;
  m.protocol = "udp";
  m.source_port = 53;
  m.rate_bytes = 1000;
  ASSERT_EQ(blocker.block(m, {}).status, 0u);
  const std::string key2 = "[destination: 203.0.113.9/32][protocol: ==udp][source-port: ==53]";
  ASSERT_TRUE(pump_until([&] { return !peers_->path("ipv4-flowspec", key2).empty(); }));
  EXPECT_NE(peers_->path("ipv4-flowspec", key2).find(R"("rate":1000)"), std::string::npos);
  EXPECT_EQ(blocker.unblock("203.0.113.9", {}).status, 0u);
  EXPECT_EQ(blocker.unblock("203.0.113.9", {}).status, 404u);
  EXPECT_TRUE(pump_until([&] { return peers_->path("ipv4-flowspec", key2).empty(); }));
  blocker.withdraw_all_now();
  EXPECT_TRUE(peers_->path("ipv4-flowspec", key).empty());
}

TEST_F(BgpBlock, ProtectedPrefixesWhitelistAndTheHourlyCapAnnounceNothing) {
  BlockConfig c = config();
  c.protected_prefixes = {*parse_cidr("203.0.113.16/28")};
  c.max_announcements_per_hour = 2;
  ASSERT_TRUE(app_.apply_config(R"({"whitelist":["203.0.113.40/32"]})", "").ok);
  Blocker blocker(ioc_, c, app_);
  blocker.on_alert_changed(alert("p-1", AlertKind::kTrafficReceived, "203.0.113.20"));
  blocker.on_alert_changed(alert("p-2", AlertKind::kTrafficReceived, "203.0.113.40"));
  blocker.on_alert_changed(alert("p-3", AlertKind::kTrafficReceived, "203.0.113.61"));
  blocker.on_alert_changed(alert("p-4", AlertKind::kTrafficReceived, "203.0.113.62"));
  blocker.on_alert_changed(alert("p-5", AlertKind::kTrafficReceived, "203.0.113.63"));  // cap
  ManualBlock m;
  m.ip = "203.0.113.21";
  EXPECT_EQ(blocker.block(m, {}).status, 409u);  // protected
  m.ip = "203.0.113.64";
  EXPECT_EQ(blocker.block(m, {}).status, 429u);  // cap
  ASSERT_TRUE(pump_until([&] {
    return !peers_->path("ipv4", "203.0.113.61/32").empty() &&
           !peers_->path("ipv4", "203.0.113.62/32").empty();
  }));
  for (const char* p : {"203.0.113.20/32", "203.0.113.40/32", "203.0.113.63/32", "203.0.113.21/32",
                        "203.0.113.64/32"})
    EXPECT_TRUE(peers_->path("ipv4", p).empty()) << p;
  const std::string j = blocker.to_json();
  EXPECT_NE(j.find("\"result\":\"protected prefix\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"result\":\"whitelisted\""), std::string::npos) << j;
  EXPECT_NE(j.find("announcements per hour reached"), std::string::npos) << j;
  blocker.withdraw_all_now();
  EXPECT_TRUE(peers_->path("ipv4", "203.0.113.61/32").empty());
}

TEST_F(BgpBlock, TheBanTimeWithdrawsWhileTheAlertIsStillOpen) {
  BlockConfig c = config();
  c.ban_time_s = 1;
  Blocker blocker(ioc_, c, app_);
  blocker.start();
  blocker.on_alert_changed(alert("b-1", AlertKind::kTrafficReceived, "203.0.113.50"));
  ASSERT_TRUE(pump_until([&] { return !peers_->path("ipv4", "203.0.113.50/32").empty(); }));
  EXPECT_TRUE(pump_until([&] { return peers_->path("ipv4", "203.0.113.50/32").empty(); }));
  EXPECT_NE(blocker.to_json().find("ban time passed"), std::string::npos);
  blocker.stop();
}

TEST_F(BgpBlock, AdminsBlockAndUnblockThroughTheApiOfARealControlPlane) {
  const sn_test::SensorDir sensor("ctlbgp");
  const BlockConfig c = config();
  std::ofstream(sensor.dir / "block.json")
      << R"({"enabled":true,"gobgp":")" << c.gobgp << R"(","grpc_address":"127.0.0.1:)"
      << c.grpc_port
      << R"(","communities":["65000:100"],"protected_prefixes":["203.0.113.96/27"]})";
  auto opts = sensor.control();
  opts.extra = {"--block-config", (sensor.dir / "block.json").string()};
  securenet::test::ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << control.log();
  const std::string admin = sensor.token();
  securenet::auth::MintOptions vm;
  vm.sub = sn_test::kUser;
  vm.app_role = "operator";
  const std::string op =
      securenet::auth::mint_hs256(sn_test::kSecret, vm, static_cast<int64_t>(std::time(nullptr)));
  using boost::beast::http::verb;
  auto call = [&](verb v, const std::string& target, const std::string& body,
                  const std::string& tok) {
    return sn_test::HttpClient(port).request(v, target, body, tok);
  };
  const std::string body = R"({"ip":"203.0.113.70","ban_s":600})";
  EXPECT_EQ(call(verb::post, "/api/blocks", body, op).status, 403);
  EXPECT_EQ(call(verb::post, "/api/blocks", body, "").status, 401);
  EXPECT_EQ(call(verb::post, "/api/blocks", R"({"ip":"203.0.113.300"})", admin).status, 400);
  EXPECT_EQ(call(verb::post, "/api/blocks", R"({"ip":"203.0.113.7","x":1})", admin).status, 400);
  EXPECT_EQ(
      call(verb::post, "/api/blocks", R"({"ip":"203.0.113.7","protocol":"udp"})", admin).status,
      400);  // FlowSpec fields without mode flowspec
  EXPECT_EQ(call(verb::post, "/api/blocks", R"({"ip":"203.0.113.100"})", admin).status, 409);
  auto ok = call(verb::post, "/api/blocks", body, admin);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(call(verb::post, "/api/blocks", body, admin).status, 409);  // already blocked
  ASSERT_TRUE(
      wait_until([&] { return !peers_->path("ipv4", "203.0.113.70/32").empty(); }, 30s, 100ms));
  auto coms = peers_->communities("ipv4", "203.0.113.70/32");
  EXPECT_NE(std::find(coms.begin(), coms.end(), kBlackhole), coms.end());
  auto list = call(verb::get, "/api/blocks", "", op);  // viewers and operators read
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(R"("ip":"203.0.113.70")"), std::string::npos) << list.body;
  EXPECT_NE(list.body.find(R"("reason":"manual")"), std::string::npos);
  EXPECT_EQ(list.body.find(R"("by":)"), std::string::npos);  // who: admins only
  EXPECT_NE(call(verb::get, "/api/blocks", "", admin).body.find(R"("by":)"), std::string::npos);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/203.0.113.70", "{}", op).status, 403);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/203.0.113.70", "{}", admin).status, 200);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/203.0.113.70", "{}", admin).status, 404);
  EXPECT_TRUE(
      wait_until([&] { return peers_->path("ipv4", "203.0.113.70/32").empty(); }, 30s, 100ms));
  // IPv6: a /128, unblocked by its address in the path.
  ASSERT_EQ(call(verb::post, "/api/blocks", R"({"ip":"2001:DB8::70"})", admin).status, 200);
  ASSERT_TRUE(
      wait_until([&] { return !peers_->path("ipv6", "2001:db8::70/128").empty(); }, 30s, 100ms));
  EXPECT_EQ(call(verb::delete_, "/api/blocks/2001:db8::70", "{}", admin).status, 200);
  EXPECT_TRUE(
      wait_until([&] { return peers_->path("ipv6", "2001:db8::70/128").empty(); }, 30s, 100ms));
  // Prefixes: announced with their length and the community, withdrawn by <net>/<len>; one
  // over the protected /27 is refused, one with host bits set is a 400.
  EXPECT_EQ(call(verb::post, "/api/blocks", R"({"prefix":"203.0.113.64/26"})", admin).status, 409);
  EXPECT_EQ(call(verb::post, "/api/blocks", R"({"prefix":"198.51.100.1/24"})", admin).status, 400);
  ASSERT_EQ(call(verb::post, "/api/blocks", R"({"prefix":"198.51.100.0/24"})", admin).status, 200);
  ASSERT_EQ(call(verb::post, "/api/blocks", R"({"prefix":"2001:db8:5::/48"})", admin).status, 200);
  ASSERT_TRUE(
      wait_until([&] { return !peers_->path("ipv4", "198.51.100.0/24").empty(); }, 30s, 100ms))
      << peers_->rib("ipv4");
  ASSERT_TRUE(
      wait_until([&] { return !peers_->path("ipv6", "2001:db8:5::/48").empty(); }, 30s, 100ms))
      << peers_->rib("ipv6");
  coms = peers_->communities("ipv4", "198.51.100.0/24");
  EXPECT_NE(std::find(coms.begin(), coms.end(), kBlackhole), coms.end());
  EXPECT_TRUE(peers_->path("ipv4", "198.51.100.0/32").empty()) << peers_->rib("ipv4");
  EXPECT_EQ(call(verb::post, "/api/blocks", R"({"prefix":"198.51.101.0/24"})", op).status, 403);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/198.51.100.0/24", "{}", op).status, 403);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/198.51.100.0/24", "{}", "").status, 401);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/198.51.100.0%2F24", "{}", admin).status, 400);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/198.51.100.0/x", "{}", admin).status, 400);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/198.51.100.0/24", "{}", admin).status, 200);
  EXPECT_EQ(call(verb::delete_, "/api/blocks/2001:db8:5::/48", "{}", admin).status, 200);
  EXPECT_TRUE(
      wait_until([&] { return peers_->path("ipv4", "198.51.100.0/24").empty(); }, 30s, 100ms));
  EXPECT_TRUE(
      wait_until([&] { return peers_->path("ipv6", "2001:db8:5::/48").empty(); }, 30s, 100ms));
  // A block still active at shutdown is withdrawn.
  ASSERT_EQ(call(verb::post, "/api/blocks", R"({"ip":"203.0.113.71"})", admin).status, 200);
  ASSERT_TRUE(
      wait_until([&] { return !peers_->path("ipv4", "203.0.113.71/32").empty(); }, 30s, 100ms));
  EXPECT_EQ(control.stop(), 0);
  EXPECT_TRUE(peers_->path("ipv4", "203.0.113.71/32").empty()) << control.log();
}
