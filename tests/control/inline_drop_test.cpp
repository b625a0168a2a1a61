// The inline XDP drop list end to end (issue 16 item 4b), with real components: the real
// securenet-dataplane runs AF_XDP on veth A with --inline B, the real securenet-control
// (block config mode "xdp") drives it through the segment. Two sources send into A from a
// namespace; every frame the sensor forwards arrives on B's peer in a second namespace, where
// the kernel's own rx counter counts it. An admin blocks one source through POST /api/blocks:
// from then on exactly its frames are dropped in XDP (the count in /api/status and
// /api/blocks equals the frames it sent), the other's all arrive; after DELETE both pass
// again. The other tests: the list outlives a dataplane restart; the way back (frames sent
// behind B arrive behind A, counted, never filtered) through the shared UMEM, also with two
// queues and two workers; the AF_PACKET fallback (one way) when no shared UMEM can be made;
// a victim's flood putting its top sources on the list (block mode xdp).
// Needs root and AF_XDP (label netns); skips with the reason otherwise.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string_view>

#include "child_process.h"
#include "control_launcher.h"
#include "dataplane_segment.h"
#include "http_client.h"
#include "netns.h"
#include "sensor_dir.h"
#include "tools/packet_builder.h"

using namespace std::chrono_literals;
using boost::beast::http::verb;
using securenet::test::ChildProcess;
using securenet::test::sh_out;
using securenet::test::VethNetns;
using securenet::test::wait_until;

namespace {

constexpr const char* kBlocked = "192.0.2.10";
constexpr const char* kOther = "192.0.2.20";
constexpr const char* kBlocked6 = "2001:db8::10";
constexpr size_t kFrames = 1500;  // per source and phase

std::vector<securenet::pkt::Frame> frames(const char* src, size_t n,
                                          const char* dst = "198.51.100.1") {
  using namespace securenet::pkt;
  std::vector<Frame> out;
  const bool v6 = std::string_view(src).find(':') != std::string_view::npos;
  for (size_t i = 0; i < n; ++i) {
    Builder b;
    b.eth(mac("02:00:00:00:10:01"), mac("02:00:00:00:10:02"));
    if (v6)
      b.vlan(42).ipv6(ip6(src), ip6("2001:db8:1::1"));  // also behind a VLAN tag
    else
      b.ipv4(ip4(src), ip4(dst));
    out.push_back(b.udp(static_cast<uint16_t>(1024 + i % 1000), 53).payload(32).build());
  }
  return out;
}

// The frames the peer of a pair received (the kernel's counter in its namespace).
uint64_t far_rx(const VethNetns& out) {
  const std::string s =
      sh_out(out.exec_prefix() + "cat /sys/class/net/" + out.gen_if() + "/statistics/rx_packets");
  return std::strtoull(s.c_str(), nullptr, 10);
}

struct Inline {
  bool applied = false;
  std::optional<uint64_t> drops;   // of kBlocked's /32; nullopt: not listed or not applied
  std::optional<uint64_t> drops6;  // of kBlocked6's /128
  size_t listed = 0;
  std::map<std::string, uint64_t> all;  // every applied entry's drops by prefix
  uint64_t forwarded = 0;
  std::string out_if;
};

Inline inline_status(const std::string& body) {
  Inline r;
  simdjson::dom::parser p;
  simdjson::padded_string padded(body);
  simdjson::dom::element doc;
  if (p.parse(padded).get(doc) != simdjson::SUCCESS) return r;
  simdjson::dom::element in;
  if (doc["inline"].get(in) != simdjson::SUCCESS) return r;
  bool applied = false;
  if (in["applied"].get(applied) == simdjson::SUCCESS) r.applied = applied;
  uint64_t fw = 0;
  if (in["forwarded"].get(fw) == simdjson::SUCCESS) r.forwarded = fw;
  std::string_view oi;
  if (in["out_if"].get(oi) == simdjson::SUCCESS) r.out_if = std::string(oi);
  simdjson::dom::array list;
  if (in["drop_list"].get(list) != simdjson::SUCCESS) return r;
  for (auto e : list) {
    ++r.listed;
    std::string_view prefix;
    uint64_t n = 0;
    if (e["prefix"].get(prefix) != simdjson::SUCCESS || e["drops"].get(n) != simdjson::SUCCESS)
      continue;
    r.all[std::string(prefix)] = n;
    if (prefix == std::string(kBlocked) + "/32") r.drops = n;
    if (prefix == std::string(kBlocked6) + "/128") r.drops6 = n;
  }
  return r;
}

TEST(InlineDrop, ABlockedSourceIsDroppedInXdpWithExactCountsAndTheRestIsForwarded) {
  if (auto why = securenet::test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  VethNetns in("inlin"), out("inlout");
  ASSERT_TRUE(in.ok()) << in.error();
  ASSERT_TRUE(out.ok()) << out.error();
  const sn_test::SensorDir sensor("inline");
  ChildProcess dp({SN_DATAPLANE, "--source", "afxdp", "--target", in.capture_if(), "--inline",
                   out.capture_if(), "--instance", sensor.instance, "--ring-size", "4096"},
                  (sensor.dir / "dataplane.log").string());
  auto seg = securenet::test::open_ready_segment(sensor.instance, dp, 30s);
  if (!seg) {
    const std::string log = dp.log();
    if (log.find("no permission") != std::string::npos ||
        log.find("cannot attach XDP") != std::string::npos)
      GTEST_SKIP() << "AF_XDP cannot run here: " << log;
    FAIL() << seg.error().message << "\n" << log;
  }
  std::ofstream(sensor.dir / "block.json")
      << R"({"enabled":true,"mode":"xdp","protected_prefixes":["198.51.100.0/24"]})";
  auto opts = sensor.control();
  opts.extra = {"--block-config", (sensor.dir / "block.json").string()};
  securenet::test::ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << control.log();
  const std::string admin = sensor.token();
  auto call = [&](verb v, const std::string& target, const std::string& body = "") {
    return sn_test::HttpClient(port).request(v, target, body, admin);
  };
  std::string last;  // the last /api/status body, for the failure messages
  auto status = [&] {
    auto r = call(verb::get, "/api/status");
    last = std::to_string(r.status) + " " + r.body;
    return inline_status(r.body);
  };
  ASSERT_TRUE(wait_until([&] { return status().out_if == out.capture_if(); }, 30s, 50ms))
      << call(verb::get, "/api/status").body;

  const auto blocked = frames(kBlocked, kFrames), other = frames(kOther, kFrames);
  auto send_both = [&] {
    ASSERT_EQ(in.send(blocked), kFrames);
    ASSERT_EQ(in.send(other), kFrames);
  };
  const uint64_t rx0 = far_rx(out);
  // 1. No block: both sources' frames cross the sensor.
  send_both();
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - rx0 >= 2 * kFrames; }, 30s, 20ms));
  EXPECT_EQ(far_rx(out) - rx0, 2 * kFrames);

  // 2. An admin blocks one source; a protected prefix is refused.
  EXPECT_EQ(call(verb::post, "/api/blocks", R"({"ip":"198.51.100.1"})").status, 409);
  auto b = call(verb::post, "/api/blocks", std::string(R"({"ip":")") + kBlocked + R"("})");
  ASSERT_EQ(b.status, 200) << b.body;
  b = call(verb::post, "/api/blocks", std::string(R"({"ip":")") + kBlocked6 + R"("})");
  ASSERT_EQ(b.status, 200) << b.body;
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = status();
        return s.applied && s.drops == 0u && s.drops6 == 0u;
      },
      30s, 20ms))
      << last << dp.log();
  send_both();
  const auto blocked6 = frames(kBlocked6, kFrames / 3);
  ASSERT_EQ(in.send(blocked6), blocked6.size());
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = status();
        return s.drops == kFrames && s.drops6 == blocked6.size();
      },
      30s, 20ms))
      << last;
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - rx0 >= 3 * kFrames; }, 30s, 20ms));
  EXPECT_EQ(far_rx(out) - rx0, 3 * kFrames) << "exactly the other source's frames arrive";
  const std::string metrics = call(verb::get, "/metrics").body;  // totals only: it is public
  EXPECT_NE(metrics.find("securenet_drop_list_dropped_packets " +
                         std::to_string(kFrames + blocked6.size()) + "\n"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("securenet_drop_list_entries 2\n"), std::string::npos);
  EXPECT_EQ(metrics.find(kBlocked), std::string::npos);
  const auto blocks = call(verb::get, "/api/blocks");
  EXPECT_NE(blocks.body.find(R"("mode":"xdp")"), std::string::npos) << blocks.body;
  EXPECT_NE(blocks.body.find(R"("drops":)" + std::to_string(kFrames)), std::string::npos)
      << blocks.body;

  // 3. Unblocked: both pass again, and the count stays where it was.
  ASSERT_EQ(call(verb::delete_, std::string("/api/blocks/") + kBlocked, "{}").status, 200);
  ASSERT_EQ(call(verb::delete_, std::string("/api/blocks/") + kBlocked6, "{}").status, 200);
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = status();
        return s.applied && s.listed == 0;
      },
      30s, 20ms));
  send_both();
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - rx0 >= 5 * kFrames; }, 30s, 20ms));
  EXPECT_EQ(far_rx(out) - rx0, 5 * kFrames);
  EXPECT_TRUE(wait_until([&] { return status().forwarded == 5 * kFrames; }, 10s, 20ms)) << last;
  const auto after = call(verb::get, "/api/blocks").body;
  EXPECT_NE(after.find(R"("action":"withdraw")"), std::string::npos) << after;
  EXPECT_EQ(control.stop(), 0) << control.log();
  EXPECT_EQ(dp.stop(SIGINT, 10s), 0) << dp.log();
}

// A dataplane that restarts (a new segment) gets the list again from the control plane at
// once: the block stays in force and counts from 0 in the new dataplane.
TEST(InlineDrop, TheListOutlivesADataplaneRestart) {
  if (auto why = securenet::test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  VethNetns in("inlrin"), out("inlrout");
  ASSERT_TRUE(in.ok()) << in.error();
  ASSERT_TRUE(out.ok()) << out.error();
  const sn_test::SensorDir sensor("inliner");
  const std::vector<std::string> argv = {
      SN_DATAPLANE,     "--source",   "afxdp",         "--target",    in.capture_if(), "--inline",
      out.capture_if(), "--instance", sensor.instance, "--ring-size", "4096"};
  auto dp = std::make_unique<ChildProcess>(argv, (sensor.dir / "dataplane1.log").string());
  if (!securenet::test::open_ready_segment(sensor.instance, *dp, 30s))
    GTEST_SKIP() << "AF_XDP cannot run here: " << dp->log();
  std::ofstream(sensor.dir / "block.json") << R"({"enabled":true,"mode":"xdp"})";
  auto opts = sensor.control();
  opts.extra = {"--block-config", (sensor.dir / "block.json").string()};
  securenet::test::ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << control.log();
  const std::string admin = sensor.token();
  auto call = [&](verb v, const std::string& target, const std::string& body = "") {
    return sn_test::HttpClient(port).request(v, target, body, admin);
  };
  std::string last;
  auto status = [&] {
    auto r = call(verb::get, "/api/status");
    last = std::to_string(r.status) + " " + r.body;
    return inline_status(r.body);
  };
  ASSERT_EQ(call(verb::post, "/api/blocks", std::string(R"({"ip":")") + kBlocked + R"("})").status,
            200);
  ASSERT_TRUE(wait_until([&] { return status().drops == 0u; }, 30s, 20ms)) << last;
  const auto blocked = frames(kBlocked, kFrames / 2);
  ASSERT_EQ(in.send(blocked), blocked.size());
  ASSERT_TRUE(wait_until([&] { return status().drops == blocked.size(); }, 30s, 20ms)) << last;

  ASSERT_EQ(dp->stop(SIGINT, 10s), 0) << dp->log();
  dp = std::make_unique<ChildProcess>(argv, (sensor.dir / "dataplane2.log").string());
  ASSERT_TRUE(securenet::test::open_ready_segment(sensor.instance, *dp, 30s)) << dp->log();
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = status();
        return s.applied && s.drops == 0u && s.forwarded == 0;
      },
      30s, 20ms))
      << last;
  const uint64_t rx0 = far_rx(out);
  ASSERT_EQ(in.send(blocked), blocked.size());
  const auto other = frames(kOther, kFrames / 2);
  ASSERT_EQ(in.send(other), other.size());
  ASSERT_TRUE(wait_until([&] { return status().drops == blocked.size(); }, 30s, 20ms)) << last;
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - rx0 >= other.size(); }, 30s, 20ms));
  EXPECT_EQ(far_rx(out) - rx0, other.size());
  EXPECT_EQ(control.stop(), 0) << control.log();
  EXPECT_EQ(dp->stop(SIGINT, 10s), 0) << dp->log();
}

// Both directions through the shared UMEM: what arrives on B crosses to A's peer, counted by
// the sensor like the other direction (a tap on the link sees both), and the drop list, a list
// of sources to keep out, filters only what arrives on the capture interface A.
TEST(InlineDrop, TheOtherDirectionCrossesBackCountedAndUnfiltered) {
  if (auto why = securenet::test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  VethNetns in("inlbin"), out("inlbout");
  ASSERT_TRUE(in.ok()) << in.error();
  ASSERT_TRUE(out.ok()) << out.error();
  const sn_test::SensorDir sensor("inlineback");
  ChildProcess dp({SN_DATAPLANE, "--source", "afxdp", "--target", in.capture_if(), "--inline",
                   out.capture_if(), "--instance", sensor.instance, "--ring-size", "4096"},
                  (sensor.dir / "dataplane.log").string());
  auto seg = securenet::test::open_ready_segment(sensor.instance, dp, 30s);
  if (!seg) GTEST_SKIP() << "AF_XDP cannot run here: " << dp.log();
  if (dp.log().find("shared UMEM, both directions") == std::string::npos)
    GTEST_SKIP() << "no AF_XDP socket with a shared UMEM here (AF_PACKET, one direction): "
                 << dp.log();
  std::ofstream(sensor.dir / "block.json") << R"({"enabled":true,"mode":"xdp"})";
  auto opts = sensor.control();
  opts.extra = {"--block-config", (sensor.dir / "block.json").string()};
  securenet::test::ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << control.log();
  const std::string admin = sensor.token();
  auto call = [&](verb v, const std::string& target, const std::string& body = "") {
    return sn_test::HttpClient(port).request(v, target, body, admin);
  };
  std::string last;
  auto status = [&] {
    auto r = call(verb::get, "/api/status");
    last = std::to_string(r.status) + " " + r.body;
    return inline_status(r.body);
  };
  ASSERT_EQ(call(verb::post, "/api/blocks", std::string(R"({"ip":")") + kBlocked + R"("})").status,
            200);
  ASSERT_TRUE(wait_until([&] { return status().drops == 0u; }, 30s, 20ms)) << last;

  const uint64_t back0 = far_rx(in), on0 = far_rx(out);
  // Replies from behind B (one from the blocked address: B's side is not filtered), and
  // both sources from A's side at the same time.
  const auto replies = frames("198.51.100.1", kFrames, kOther);
  const auto from_blocked_behind = frames(kBlocked, kFrames / 3, "198.51.100.7");
  const auto blocked = frames(kBlocked, kFrames / 2), other = frames(kOther, kFrames / 2);
  ASSERT_EQ(out.send(replies), replies.size());
  ASSERT_EQ(in.send(blocked), blocked.size());
  ASSERT_EQ(out.send(from_blocked_behind), from_blocked_behind.size());
  ASSERT_EQ(in.send(other), other.size());
  const uint64_t back = replies.size() + from_blocked_behind.size();
  ASSERT_TRUE(wait_until([&] { return far_rx(in) - back0 >= back; }, 30s, 20ms))
      << far_rx(in) - back0 << " of " << back << "\n"
      << dp.log();
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - on0 >= other.size(); }, 30s, 20ms));
  ASSERT_TRUE(wait_until([&] { return status().drops == blocked.size(); }, 30s, 20ms)) << last;
  EXPECT_TRUE(wait_until([&] { return status().forwarded == back + other.size(); }, 10s, 20ms))
      << last;
  EXPECT_EQ(far_rx(in) - back0, back) << "exactly the frames sent behind B come back to A";
  EXPECT_EQ(far_rx(out) - on0, other.size()) << "and only the unblocked source's go on to B";
  EXPECT_TRUE(wait_until([&] { return seg->totals().packets == back + other.size(); }, 10s, 20ms))
      << seg->totals().packets << " counted";
  EXPECT_EQ(control.stop(), 0) << control.log();
  EXPECT_EQ(dp.stop(SIGINT, 10s), 0) << dp.log();
}

// Without a shared UMEM (here: OUT_IF has 2 RX queues, the capture interface 1, so its
// second queue would have no socket) the sensor says so and forwards through AF_PACKET, one
// direction only: frames sent behind B stay there.
TEST(InlineDrop, WithoutASharedUmemItFallsBackToAfPacketOneWay) {
  if (auto why = securenet::test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  VethNetns in("inlfin"), out("inlfout", 2);
  ASSERT_TRUE(in.ok()) << in.error();
  ASSERT_TRUE(out.ok()) << out.error();
  const sn_test::SensorDir sensor("inlinefb");
  ChildProcess dp({SN_DATAPLANE, "--source", "afxdp", "--target", in.capture_if(), "--inline",
                   out.capture_if(), "--instance", sensor.instance, "--ring-size", "4096"},
                  (sensor.dir / "dataplane.log").string());
  auto seg = securenet::test::open_ready_segment(sensor.instance, dp, 30s);
  if (!seg) GTEST_SKIP() << "AF_XDP cannot run here: " << dp.log();
  EXPECT_NE(dp.log().find("falling back to AF_PACKET: one direction only"), std::string::npos)
      << dp.log();
  const uint64_t back0 = far_rx(in), on0 = far_rx(out);
  const auto replies = frames("198.51.100.1", kFrames / 3, kOther);
  const auto other = frames(kOther, kFrames / 2);
  ASSERT_EQ(out.send(replies), replies.size());
  ASSERT_EQ(in.send(other), other.size());
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - on0 >= other.size(); }, 30s, 20ms));
  EXPECT_EQ(far_rx(out) - on0, other.size());
  EXPECT_EQ(far_rx(in) - back0, 0u);
  EXPECT_EQ(dp.stop(SIGINT, 10s), 0) << dp.log();
}

// Two RX queues on each side, two workers: each worker's peer socket sits on its own queue of
// OUT_IF, and both directions arrive whole (the segment counts both).
TEST(InlineDrop, TwoQueuesForwardBothWaysWithAPeerPerWorker) {
  if (auto why = securenet::test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  VethNetns in("inlqin", 2), out("inlqout", 2);
  ASSERT_TRUE(in.ok()) << in.error();
  ASSERT_TRUE(out.ok()) << out.error();
  const sn_test::SensorDir sensor("inlineq");
  ChildProcess dp(
      {SN_DATAPLANE, "--source", "afxdp", "--target", in.capture_if(), "--inline", out.capture_if(),
       "--workers", "2", "--instance", sensor.instance, "--ring-size", "4096"},
      (sensor.dir / "dataplane.log").string());
  auto seg = securenet::test::open_ready_segment(sensor.instance, dp, 30s);
  if (!seg) GTEST_SKIP() << "AF_XDP cannot run here: " << dp.log();
  ASSERT_NE(dp.log().find("shared UMEM, both directions"), std::string::npos) << dp.log();
  const uint64_t back0 = far_rx(in), on0 = far_rx(out);
  const auto there = frames(kOther, kFrames), back = frames("198.51.100.1", kFrames, kOther);
  ASSERT_EQ(in.send(there), there.size());
  ASSERT_EQ(out.send(back), back.size());
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - on0 >= there.size(); }, 30s, 20ms));
  ASSERT_TRUE(wait_until([&] { return far_rx(in) - back0 >= back.size(); }, 30s, 20ms));
  EXPECT_EQ(far_rx(out) - on0, there.size());
  EXPECT_EQ(far_rx(in) - back0, back.size());
  EXPECT_TRUE(wait_until([&] { return seg->totals().packets == 2 * kFrames; }, 10s, 20ms))
      << seg->totals().packets;
  EXPECT_EQ(dp.stop(SIGINT, 10s), 0) << dp.log();
}

// --inline lo would take every local packet away from the kernel: refused in one line, before
// anything is attached.
TEST(InlineDrop, LoopbackAsTheOutInterfaceIsRefused) {
  if (auto why = securenet::test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  VethNetns in("inllo");
  ASSERT_TRUE(in.ok()) << in.error();
  const std::string out =
      sh_out(std::string(SN_DATAPLANE) + " --source afxdp --target " + in.capture_if() +
             " --inline lo --instance inllo-" + std::to_string(getpid()) + " 2>&1");
  EXPECT_NE(out.find("--inline: refusing 'lo'"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  EXPECT_EQ(sh_out("ip -d link show dev " + in.capture_if()).find("prog/xdp"), std::string::npos);
}

// Mode xdp and a victim's alert, end to end: three sources flood a host of the home network
// (2,000, 1,000 and 300 frames a round); the traffic_received alert's profile names them and
// its two top sources (xdp_sources_per_alert 2) go on the drop list, the victim never; from
// then on exactly their frames are dropped before the socket and the third's still cross.
TEST(InlineDrop, AVictimsFloodDropsItsTopSourcesInXdp) {
  if (auto why = securenet::test::netns_skip_reason(); !why.empty()) GTEST_SKIP() << why;
  if (!SN_HAVE_AFXDP) GTEST_SKIP() << "AF_XDP support not built";
  VethNetns in("inlvin"), out("inlvout");
  ASSERT_TRUE(in.ok()) << in.error();
  ASSERT_TRUE(out.ok()) << out.error();
  const sn_test::SensorDir sensor("inlinevic");
  ChildProcess dp({SN_DATAPLANE, "--source", "afxdp", "--target", in.capture_if(), "--inline",
                   out.capture_if(), "--instance", sensor.instance, "--ring-size", "8192"},
                  (sensor.dir / "dataplane.log").string());
  auto seg = securenet::test::open_ready_segment(sensor.instance, dp, 30s);
  if (!seg) GTEST_SKIP() << "AF_XDP cannot run here: " << dp.log();
  std::ofstream(sensor.dir / "block.json")
      << R"({"enabled":true,"mode":"xdp","kinds":["traffic_received"],"min_severity":"LOW",)"
      << R"("xdp_sources_per_alert":2})";
  auto opts = sensor.control();
  opts.extra = {"--block-config", (sensor.dir / "block.json").string()};
  securenet::test::ControlProcess control(opts, (sensor.dir / "control.log").string());
  const uint16_t port = control.wait_port();
  ASSERT_NE(port, 0) << control.log();
  const std::string admin = sensor.token();
  auto call = [&](verb v, const std::string& target, const std::string& body = "") {
    return sn_test::HttpClient(port).request(v, target, body, admin);
  };
  auto cfg = call(verb::post, "/api/config",
                  R"({"traffic_received_pps":500,"home_networks":["198.51.100.0/24"],)"
                  R"("sample_one_in":1,"clear_hold_s":3600})");
  ASSERT_EQ(cfg.status, 200) << cfg.body;
  const auto heavy = frames("203.0.113.1", 2000), mid = frames("203.0.113.2", 1000),
             light = frames("203.0.113.3", 300);
  std::string blocks;
  auto listed = [&](const char* ip) {
    return blocks.find(std::string(R"("ip":")") + ip + R"(")") != std::string::npos;
  };
  // Rounds of the flood until the profile has named the sources and two are blocked.
  ASSERT_TRUE(wait_until(
      [&] {
        in.send(heavy);
        in.send(mid);
        in.send(light);
        blocks = call(verb::get, "/api/blocks").body;
        return listed("203.0.113.1") && listed("203.0.113.2");
      },
      60s, 200ms))
      << blocks << "\n"
      << control.log();
  EXPECT_FALSE(listed("203.0.113.3")) << blocks;   // the cap: two per alert
  EXPECT_FALSE(listed("198.51.100.1")) << blocks;  // never the victim
  EXPECT_NE(blocks.find("source of 198.51.100.1"), std::string::npos) << blocks;
  std::string last;
  auto status = [&] {
    auto r = call(verb::get, "/api/status");
    last = r.body;
    return inline_status(r.body);
  };
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = status();
        return s.applied && s.all.count("203.0.113.1/32") && s.all.count("203.0.113.2/32");
      },
      30s, 20ms))
      << last;
  // Quiet, then one more round: exactly the blocked sources' frames are dropped.
  uint64_t d1 = 0, d2 = 0, on0 = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = status();
        const uint64_t a = s.all["203.0.113.1/32"], b = s.all["203.0.113.2/32"], r = far_rx(out);
        const bool still = a == d1 && b == d2 && r == on0;
        d1 = a, d2 = b, on0 = r;
        return still;
      },
      30s, 300ms));
  ASSERT_EQ(in.send(heavy), heavy.size());
  ASSERT_EQ(in.send(mid), mid.size());
  ASSERT_EQ(in.send(light), light.size());
  ASSERT_TRUE(wait_until(
      [&] {
        auto s = status();
        return s.all["203.0.113.1/32"] == d1 + heavy.size() &&
               s.all["203.0.113.2/32"] == d2 + mid.size();
      },
      30s, 20ms))
      << last;
  ASSERT_TRUE(wait_until([&] { return far_rx(out) - on0 >= light.size(); }, 30s, 20ms));
  EXPECT_EQ(far_rx(out) - on0, light.size()) << "only the unblocked source crosses";
  EXPECT_EQ(control.stop(), 0) << control.log();
  EXPECT_EQ(dp.stop(SIGINT, 10s), 0) << dp.log();
}

}  // namespace
