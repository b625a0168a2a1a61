// Blocking mode xdp (issue 16 item 4b) without a dataplane: the Blocker puts an attacker's
// address on the App's drop list (never a victim's or a protected one), takes it
// off when its alerts resolve, on a manual unblock and at shutdown; each step is recorded.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "app/app.h"
#include "block/blocker.h"

using namespace securenet::control;

namespace {

class XdpBlock : public ::testing::Test {
 protected:
  static Alert alert(const std::string& id, AlertKind kind, const std::string& host) {
    Alert a;
    a.id = id;
    a.kind = kind;
    a.severity = Severity::kHigh;
    a.host = host;
    a.open = true;
    return a;
  }
  static BlockConfig config() {
    BlockConfig c;
    c.enabled = true;
    c.mode = BlockMode::kXdp;
    c.kinds = {AlertKind::kTrafficThreshold, AlertKind::kTrafficReceived};
    c.protected_prefixes = {*parse_cidr("192.0.2.0/28")};
    return c;
  }
  bool listed(const std::string& ip) { return app_.drop_list().contains(*parse_cidr(ip)); }
  boost::asio::io_context ioc_;
  NullSink sink_;
  App app_{ioc_, AppOptions{}, SecurityConfig::defaults(), sink_};
};

}  // namespace

TEST_F(XdpBlock, AnAttackerGoesOnTheDropListUntilItsAlertResolves) {
  Blocker blocker(ioc_, config(), app_);
  Alert a = alert("x-1", AlertKind::kTrafficThreshold, "203.0.113.9");
  blocker.on_alert_changed(a);
  EXPECT_TRUE(listed("203.0.113.9"));
  const std::string j = blocker.to_json();
  EXPECT_NE(j.find(R"("mode":"xdp")"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("state":"active")"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("drops":null)"), std::string::npos) << j;  // no dataplane yet
  a.open = false;
  blocker.on_alert_changed(a);
  EXPECT_FALSE(listed("203.0.113.9"));
  EXPECT_EQ(app_.drop_list().size(), 0u);
  EXPECT_NE(blocker.to_json().find("alert resolved"), std::string::npos);
}

TEST_F(XdpBlock, VictimsAndProtectedHostsAreNeverDropped) {
  BlockConfig c = config();
  c.xdp_sources_per_alert = 0;  // else its top sources would be (block_prefix_test)
  Blocker blocker(ioc_, c, app_);
  blocker.on_alert_changed(alert("v-1", AlertKind::kTrafficReceived, "203.0.113.10"));
  blocker.on_alert_changed(alert("p-1", AlertKind::kTrafficThreshold, "192.0.2.5"));
  EXPECT_EQ(app_.drop_list().size(), 0u);
  const std::string j = blocker.to_json();
  EXPECT_NE(j.find("the alert's host is the victim"), std::string::npos) << j;
  EXPECT_NE(j.find("protected prefix"), std::string::npos) << j;
  ManualBlock m;
  m.ip = "192.0.2.6";
  EXPECT_EQ(blocker.block(m, AuditEvent{}).status, 409u);
  EXPECT_EQ(app_.drop_list().size(), 0u);
}

TEST_F(XdpBlock, ManualBlocksOfBothFamiliesAndTheirUnblockAndShutdown) {
  Blocker blocker(ioc_, config(), app_);
  ManualBlock m;
  m.ip = "2001:db8::66";
  ASSERT_EQ(blocker.block(m, AuditEvent{}).status, 0u);
  m.ip = "198.51.100.66";
  ASSERT_EQ(blocker.block(m, AuditEvent{}).status, 0u);
  EXPECT_EQ(blocker.block(m, AuditEvent{}).status, 409u);  // already blocked
  EXPECT_TRUE(listed("2001:db8::66"));
  EXPECT_TRUE(listed("198.51.100.66"));
  EXPECT_EQ(blocker.unblock("2001:DB8::66", AuditEvent{}).status, 0u);
  EXPECT_FALSE(listed("2001:db8::66"));
  EXPECT_EQ(blocker.unblock("2001:db8::66", AuditEvent{}).status, 404u);
  blocker.withdraw_all_now();  // bans do not outlive the process
  EXPECT_EQ(app_.drop_list().size(), 0u);
}

TEST_F(XdpBlock, TheBanTimeTakesTheSourceOffTheList) {
  BlockConfig c = config();
  c.ban_time_s = 1;
  Blocker blocker(ioc_, c, app_);
  blocker.start();
  blocker.on_alert_changed(alert("b-1", AlertKind::kPortScan, "203.0.113.77"));
  EXPECT_FALSE(listed("203.0.113.77")) << blocker.to_json();  // port_scan: not in kinds
  c.kinds.push_back(AlertKind::kPortScan);
  Blocker scans(ioc_, c, app_);
  scans.start();
  scans.on_alert_changed(alert("b-2", AlertKind::kPortScan, "203.0.113.78"));
  ASSERT_TRUE(listed("203.0.113.78"));
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (listed("203.0.113.78") && std::chrono::steady_clock::now() < until) {
    ioc_.restart();
    ioc_.run_for(std::chrono::milliseconds(100));
  }
  EXPECT_FALSE(listed("203.0.113.78"));
  EXPECT_NE(scans.to_json().find("ban time passed"), std::string::npos);
  blocker.stop();
  scans.stop();
}
