// Prefix blocks and the xdp mode's victim alerts (control/src/block, without a dataplane):
// a manual block of a prefix in mode xdp or blackhole, within the configured minimum length,
// never over a protected prefix, the whitelist or (xdp) the home networks; hostile prefixes
// refused with the reason. A victim's alert in mode xdp drops its top sources (capped), never
// a protected or whitelisted one nor the victim; they leave the list when the alert resolves.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "app/app.h"
#include "block/bgp_command.h"
#include "block/blocker.h"

using namespace securenet::control;

namespace {

SecurityConfig security() {
  SecurityConfig s = SecurityConfig::defaults();
  s.whitelist = {*parse_cidr("198.51.100.128/25"), *parse_cidr("2001:db8:ffff::/48")};
  s.home_networks = {*parse_cidr("100.64.0.0/16")};
  return s;
}

class PrefixBlock : public ::testing::Test {
 protected:
  static BlockConfig config(BlockMode mode) {
    BlockConfig c;
    c.enabled = true;
    c.mode = mode;
    c.gobgp = "/bin/true";
    c.protected_prefixes = {*parse_cidr("192.0.2.0/28")};
    return c;
  }
  static ManualBlock prefix(const std::string& p) {
    ManualBlock m;
    m.prefix = p;
    return m;
  }
  static Alert victim(const std::string& id, const std::string& host,
                      std::vector<std::string> sources) {
    Alert a;
    a.id = id;
    a.kind = AlertKind::kTrafficReceived;
    a.severity = Severity::kHigh;
    a.host = host;
    for (size_t i = 0; i < sources.size(); ++i) a.top_sources.push_back({sources[i], 100 - i});
    return a;
  }
  bool listed(const std::string& p) { return app_.drop_list().contains(*parse_cidr(p)); }
  BlockAnswer block(Blocker& b, const std::string& p) { return b.block(prefix(p), AuditEvent{}); }
  boost::asio::io_context ioc_;
  NullSink sink_;
  App app_{ioc_, AppOptions{}, security(), sink_};
};

}  // namespace

TEST_F(PrefixBlock, XdpPrefixesOfBothFamiliesGoOnTheListAndComeOffByTheirName) {
  Blocker b(ioc_, config(BlockMode::kXdp), app_);
  ASSERT_EQ(block(b, "203.0.113.0/24").status, 0u);
  ASSERT_EQ(block(b, "2001:db8:1::/48").status, 0u);
  EXPECT_TRUE(listed("203.0.113.0/24"));
  EXPECT_TRUE(listed("2001:db8:1::/48"));
  EXPECT_FALSE(listed("203.0.113.7"));                 // the prefix, not a host of it
  EXPECT_EQ(block(b, "203.0.113.0/24").status, 409u);  // already blocked
  const std::string j = b.to_json();
  EXPECT_NE(j.find(R"("ip":"203.0.113.0/24","prefix":"203.0.113.0/24","mode":"xdp")"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find(R"("prefix":"2001:db8:1::/48")"), std::string::npos) << j;
  // A /32 given as a prefix is the host, the same block as {"ip": ...}.
  ASSERT_EQ(block(b, "203.0.114.9/32").status, 0u);
  ManualBlock host;
  host.ip = "203.0.114.9";
  EXPECT_EQ(b.block(host, AuditEvent{}).status, 409u);
  EXPECT_EQ(b.unblock("203.0.113.0/24", AuditEvent{}).status, 0u);
  EXPECT_FALSE(listed("203.0.113.0/24"));
  EXPECT_EQ(b.unblock("2001:DB8:1::/48", AuditEvent{}).status, 0u);
  EXPECT_EQ(b.unblock("2001:db8:1::/48", AuditEvent{}).status, 404u);
  EXPECT_EQ(b.unblock("203.0.114.9", AuditEvent{}).status, 0u);
  EXPECT_EQ(app_.drop_list().size(), 0u);
}

TEST_F(PrefixBlock, HostilePrefixesAreRefusedWithTheReason) {
  Blocker b(ioc_, config(BlockMode::kXdp), app_);
  auto detail = [&](const std::string& p) {
    auto r = block(b, p);
    return std::to_string(r.status) + " " + r.detail;
  };
  // Host bits set: refused, never normalised; the detail names the network.
  EXPECT_EQ(detail("203.0.113.7/24"),
            "400 prefix: host bits are set in 203.0.113.7/24 (its network is 203.0.113.0/24)");
  EXPECT_NE(detail("2001:db8::1/48").find("400 prefix: host bits"), std::string::npos);
  // Shorter than the minimum (defaults /24 and /48).
  EXPECT_EQ(detail("203.0.0.0/16"),
            "400 prefix: /16 is shorter than /24, the shortest allowed (min_prefix_v4 in the "
            "block config)");
  EXPECT_NE(detail("2001:db8::/32").find("400 prefix: /32 is shorter than /48"), std::string::npos);
  EXPECT_NE(detail("0.0.0.0/0").find("400 prefix: /0"), std::string::npos);
  // IPv6 text over the IPv4-mapped key space would drop IPv4 sources at any length; the
  // mapped spelling of an IPv4 prefix is that prefix, under the IPv4 minimum.
  for (const char* p : {"::/80", "::fffe:0:0/95", "::/64"})
    EXPECT_NE(detail(p).find("IPv4-mapped"), std::string::npos) << p;
  EXPECT_NE(detail("::ffff:0:0/96").find("400 prefix: /0 is shorter than /24"), std::string::npos);
  for (const char* p : {"203.0.113.0/33", "203.0.113.0/", "203.0.113.0/-1", "/24", "x/24",
                        "203.0.113.0/24/1", "203.0.113.0 /24", "2001:db8::/129", ""})
    EXPECT_EQ(block(b, p).status, 400u) << p;
  // Covering a protected prefix, inside or over the whitelist, over the home networks (xdp).
  EXPECT_EQ(detail("192.0.2.0/24"), "409 192.0.2.0/24: protected prefix");
  EXPECT_EQ(detail("198.51.100.0/24"), "409 198.51.100.0/24: whitelisted");
  EXPECT_EQ(detail("198.51.100.192/26"), "409 198.51.100.192/26: whitelisted");
  EXPECT_EQ(detail("2001:db8:ffff::/48"), "409 2001:db8:ffff::/48: whitelisted");
  EXPECT_NE(detail("100.64.7.0/24").find("409 100.64.7.0/24: the prefix covers home_networks"),
            std::string::npos);
  EXPECT_EQ(app_.drop_list().size(), 0u);
  const std::string j = b.to_json();  // the refusals are recorded (and audited) with the reason
  EXPECT_NE(j.find(R"("ip":"192.0.2.0/24","action":"refused")"), std::string::npos) << j;
  EXPECT_EQ(block(b, "::ffff:203.0.113.0/120").status, 0u);
  EXPECT_TRUE(listed("203.0.113.0/24"));
  EXPECT_EQ(block(b, "203.0.113.0/24").status, 409u);  // the same block
  ASSERT_EQ(b.unblock("203.0.113.0/24", AuditEvent{}).status, 0u);
  // A lower configured minimum lets a /16 through.
  BlockConfig c = config(BlockMode::kXdp);
  c.min_prefix_v4 = 16;
  Blocker wide(ioc_, c, app_);
  EXPECT_EQ(block(wide, "203.0.0.0/16").status, 0u);
  EXPECT_EQ(block(wide, "203.0.0.0/15").status, 400u);
}

TEST_F(PrefixBlock, BlackholePrefixesAnnounceTheirLengthAndFlowspecRefusesThem) {
  Blocker b(ioc_, config(BlockMode::kBlackhole), app_);
  ASSERT_EQ(block(b, "203.0.113.0/24").status, 0u);
  const std::string j = b.to_json();
  EXPECT_NE(j.find(R"("prefix":"203.0.113.0/24","mode":"blackhole")"), std::string::npos) << j;
  // Blackhole: the home networks are what it protects (no xdp-only refusal).
  EXPECT_EQ(block(b, "100.64.7.0/24").status, 0u);
  ManualBlock fs = prefix("203.0.114.0/24");
  fs.mode = BlockMode::kFlowspec;
  auto r = b.block(fs, AuditEvent{});
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.detail.find("blackhole and xdp"), std::string::npos) << r.detail;
  BlockRule rule;
  rule.ip = "2001:db8:1::";
  rule.v6 = true;
  rule.prefix_len = 48;
  BlockConfig c = config(BlockMode::kBlackhole);
  std::string argv;
  for (const auto& a : announce_argv(c, rule)) argv += a + " ";
  EXPECT_NE(argv.find("rib add -a ipv6 2001:db8:1::/48 community 65535:666"), std::string::npos)
      << argv;
  ioc_.run_for(std::chrono::milliseconds(10));
  b.stop();
}

TEST_F(PrefixBlock, AVictimAlertInXdpModeDropsItsTopSourcesCappedUntilItResolves) {
  BlockConfig c = config(BlockMode::kXdp);
  c.xdp_sources_per_alert = 3;
  Blocker b(ioc_, c, app_);
  // Opened before any sample: nothing to drop yet, and nothing refused.
  Alert a = victim("v-1", "100.64.0.5", {});
  b.on_alert_changed(a);
  EXPECT_EQ(app_.drop_list().size(), 0u);
  EXPECT_EQ(b.to_json().find("refused"), std::string::npos) << b.to_json();
  // The profile brings the top sources: a protected one and the victim itself are refused
  // (they count toward the cap), the first others go on the list up to 3 considered.
  a = victim("v-1", "100.64.0.5", {"203.0.113.1", "192.0.2.3", "203.0.113.2", "203.0.113.3"});
  b.on_alert_changed(a);
  EXPECT_TRUE(listed("203.0.113.1"));
  EXPECT_TRUE(listed("203.0.113.2"));
  EXPECT_FALSE(listed("203.0.113.3"));  // over the cap
  EXPECT_FALSE(listed("192.0.2.3"));
  std::string j = b.to_json();
  EXPECT_NE(j.find(R"("ip":"192.0.2.3","action":"refused","reason":"traffic_received HIGH, )"
                   R"(source of 100.64.0.5")"),
            std::string::npos)
      << j;
  EXPECT_NE(j.find(R"("reason":"traffic_received HIGH, source of 100.64.0.5")"), std::string::npos);
  // Later updates add nothing past the cap.
  a.top_sources.insert(a.top_sources.begin(), {"203.0.113.9", 500});
  b.on_alert_changed(a);
  EXPECT_FALSE(listed("203.0.113.9"));
  EXPECT_EQ(app_.drop_list().size(), 2u);
  // A second victim's alert with the same source: one block, two alerts behind it.
  Alert other = victim("v-2", "100.64.0.6", {"203.0.113.1", "100.64.0.6"});
  b.on_alert_changed(other);
  j = b.to_json();
  EXPECT_NE(j.find("the source is the victim itself"), std::string::npos) << j;
  a.open = false;
  b.on_alert_changed(a);
  EXPECT_TRUE(listed("203.0.113.1"));  // v-2 still open
  EXPECT_FALSE(listed("203.0.113.2"));
  other.open = false;
  b.on_alert_changed(other);
  EXPECT_EQ(app_.drop_list().size(), 0u);
}

TEST_F(PrefixBlock, WithNoSourcesPerAlertAVictimAlertIsRefusedAsBefore) {
  BlockConfig c = config(BlockMode::kXdp);
  c.xdp_sources_per_alert = 0;
  Blocker b(ioc_, c, app_);
  b.on_alert_changed(victim("v-3", "100.64.0.5", {"203.0.113.1"}));
  EXPECT_EQ(app_.drop_list().size(), 0u);
  EXPECT_NE(b.to_json().find("the alert's host is the victim"), std::string::npos);
}
