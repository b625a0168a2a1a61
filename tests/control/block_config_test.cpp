// The --block-config file (block/block_config.h) with valid and hostile inputs, and the gobgp
// command lines of an announcement and its withdrawal.
#include "block/block_config.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "block/bgp_command.h"

using namespace securenet::control;

namespace {
std::string err(std::string_view json) {
  auto r = parse_block_config(json);
  return r ? std::string("(accepted)") : r.error().message;
}
}  // namespace

TEST(BlockConfig, DefaultsAreOffAndAFullFileParses) {
  auto d = parse_block_config("{}");
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->enabled);
  EXPECT_EQ(d->mode, BlockMode::kBlackhole);
  EXPECT_EQ(d->min_severity, Severity::kHigh);
  EXPECT_EQ(d->max_announcements_per_hour, 20u);
  EXPECT_EQ(d->min_prefix_v4, 24u);
  EXPECT_EQ(d->min_prefix_v6, 48u);
  EXPECT_EQ(d->xdp_sources_per_alert, 5u);
  auto p =
      parse_block_config(R"({"min_prefix_v4":16,"min_prefix_v6":32,"xdp_sources_per_alert":0})");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->min_prefix_v4, 16u);
  EXPECT_EQ(p->min_prefix_v6, 32u);
  EXPECT_EQ(p->xdp_sources_per_alert, 0u);
  auto c = parse_block_config(R"({"enabled":true,"mode":"flowspec","min_severity":"medium",
    "kinds":["reflection","port_scan"],"ban_time_s":0,"communities":["65000:100","0:0"],
    "protected_prefixes":["10.0.0.0/8","2001:db8::/32"],"max_announcements_per_hour":3,
    "gobgp":"/usr/bin/gobgp","grpc_address":"[::1]:50052","next_hop_v4":"192.0.2.1",
    "next_hop_v6":"100::1","flowspec_rate_bytes":1250.5,"command_timeout_ms":2000})");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->enabled);
  EXPECT_EQ(c->mode, BlockMode::kFlowspec);
  EXPECT_EQ(c->min_severity, Severity::kMedium);
  ASSERT_EQ(c->kinds.size(), 2u);
  EXPECT_EQ(c->kinds[1], AlertKind::kPortScan);
  EXPECT_EQ(c->ban_time_s, 0);
  ASSERT_EQ(c->communities.size(), 2u);
  EXPECT_EQ(c->communities[0], (65000u << 16) | 100u);
  EXPECT_EQ(c->protected_prefixes[1].text(), "2001:db8::/32");
  EXPECT_EQ(c->grpc_host, "::1");
  EXPECT_EQ(c->grpc_port, 50052);
  EXPECT_EQ(c->flowspec_rate_bytes, 1250.5);
}

TEST(BlockConfig, HostileInputsAreRefusedWithTheField) {
  EXPECT_NE(err("[]").find("JSON object"), std::string::npos);
  EXPECT_NE(err("{").find("malformed"), std::string::npos);
  EXPECT_NE(err(R"({"enabled":true,"enabled":false})").find("twice"), std::string::npos);
  EXPECT_NE(err(R"({"enable":true})").find("unknown field"), std::string::npos);
  EXPECT_NE(err(R"({"enabled":"yes"})").find("enabled"), std::string::npos);
  EXPECT_NE(err(R"({"mode":"drop"})").find("mode"), std::string::npos);
  EXPECT_NE(err(R"({"min_severity":"URGENT"})").find("min_severity"), std::string::npos);
  EXPECT_NE(err(R"({"kinds":["sensor_health"]})").find("kinds"), std::string::npos);
  EXPECT_NE(err(R"({"kinds":["nope"]})").find("kinds"), std::string::npos);
  EXPECT_NE(err(R"({"kinds":"reflection"})").find("kinds"), std::string::npos);
  for (const char* b : {"-1", "604801", "1.5", "\"60\"", "1e30"})
    EXPECT_NE(err(std::string(R"({"ban_time_s":)") + b + "}").find("ban_time_s"), std::string::npos)
        << b;
  for (const char* c :
       {"65536:1", "1:65536", "-1:5", "1:2:3", ":5", "5:", "a:b", "", "00000000001:1", " 1:1"})
    EXPECT_NE(err(std::string(R"({"communities":[")") + c + "\"]}").find("communities"),
              std::string::npos)
        << c;
  std::string many = R"({"communities":[)";
  for (int i = 0; i < 33; ++i)
    many += std::string(i ? "," : "") + "\"1:" + std::to_string(i) + "\"";
  EXPECT_NE(err(many + "]}").find("communities"), std::string::npos);
  EXPECT_NE(err(R"({"protected_prefixes":["10.0.0.0/33"]})").find("protected"), std::string::npos);
  EXPECT_NE(err(R"({"protected_prefixes":[1]})").find("protected"), std::string::npos);
  for (const char* g : {"gobgp", "", "../gobgp", "bin/gobgp"})
    EXPECT_NE(err(std::string(R"({"gobgp":")") + g + "\"}").find("gobgp"), std::string::npos) << g;
  for (const char* a : {"127.0.0.1", "localhost:50051", "127.0.0.1:0", "127.0.0.1:65536",
                        "127.0.0.1:-1", "127.0.0.1:5x", ":50051", "1.2.3.4:50051 --x"})
    EXPECT_NE(err(std::string(R"({"grpc_address":")") + a + "\"}").find("grpc_address"),
              std::string::npos)
        << a;
  EXPECT_NE(err(R"({"next_hop_v4":"2001:db8::1"})").find("next_hop_v4"), std::string::npos);
  EXPECT_NE(err(R"({"next_hop_v6":"192.0.2.1"})").find("next_hop_v6"), std::string::npos);
  EXPECT_NE(err(R"({"next_hop_v4":"1.2.3.4 community 1:1"})").find("next_hop_v4"),
            std::string::npos);
  EXPECT_NE(err(R"({"max_announcements_per_hour":0})").find("max_"), std::string::npos);
  EXPECT_NE(err(R"({"max_announcements_per_hour":10001})").find("max_"), std::string::npos);
  EXPECT_NE(err(R"({"flowspec_rate_bytes":-1})").find("flowspec"), std::string::npos);
  EXPECT_NE(err(R"({"command_timeout_ms":99})").find("command_timeout"), std::string::npos);
  for (const char* v : {"7", "33", "-1", "24.5", "\"24\""})
    EXPECT_NE(
        err(std::string(R"({"min_prefix_v4":)") + v + "}").find("min_prefix_v4: must be 8..32"),
        std::string::npos)
        << v;
  for (const char* v : {"15", "129", "null"})
    EXPECT_NE(err(std::string(R"({"min_prefix_v6":)") + v + "}").find("min_prefix_v6"),
              std::string::npos)
        << v;
  for (const char* v : {"11", "-1", "true"})
    EXPECT_NE(err(std::string(R"({"xdp_sources_per_alert":)") + v + "}").find("xdp_sources"),
              std::string::npos)
        << v;
  EXPECT_NE(err(std::string(300 * 1024, ' ') + "{}").find("256 KiB"), std::string::npos);
}

TEST(BlockConfig, LoadRefusesAMissingFile) {
  EXPECT_FALSE(load_block_config("/nonexistent/block.json"));
}

TEST(BgpCommand, BlackholeAndFlowspecCommandLines) {
  BlockConfig c;
  c.gobgp = "/usr/bin/gobgp";
  c.grpc_port = 50099;
  c.communities = {(65000u << 16) | 100u, 0xffff029au};
  c.next_hop_v4 = "192.0.2.1";
  BlockRule r;
  r.ip = "203.0.113.7";
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
    return s;
  };
  EXPECT_EQ(join(announce_argv(c, r)),
            "/usr/bin/gobgp -u 127.0.0.1 -p 50099 global rib add -a ipv4 203.0.113.7/32 nexthop "
            "192.0.2.1 community 65535:666,65000:100");
  EXPECT_EQ(join(withdraw_argv(c, r)),
            "/usr/bin/gobgp -u 127.0.0.1 -p 50099 global rib del -a ipv4 203.0.113.7/32");
  r.ip = "2001:db8::7";
  r.v6 = true;
  r.mode = BlockMode::kFlowspec;
  r.protocol = "udp";
  r.source_port = 53;
  r.rate_bytes = 1000;
  EXPECT_EQ(join(announce_argv(c, r)),
            "/usr/bin/gobgp -u 127.0.0.1 -p 50099 global rib -a ipv6-flowspec add match "
            "destination 2001:db8::7/128 protocol udp source-port ==53 then rate-limit 1000");
  r.match_source = true;
  r.rate_bytes = 0;
  EXPECT_EQ(join(withdraw_argv(c, r)),
            "/usr/bin/gobgp -u 127.0.0.1 -p 50099 global rib -a ipv6-flowspec del match source "
            "2001:db8::7/128 protocol udp source-port ==53");
}

TEST(BgpCommand, RunCommandReportsExitOutputAndTimeout) {
  auto ok = run_command({"/bin/echo", "hello"}, 5000);
  EXPECT_EQ(ok.status, 0);
  EXPECT_EQ(ok.output, "hello\n");
  EXPECT_EQ(run_command({"/bin/false"}, 5000).status, 1);
  EXPECT_FALSE(run_command({"/nonexistent/gobgp"}, 5000).ok());
  auto slow = run_command({"/bin/sleep", "30"}, 200);
  EXPECT_EQ(slow.status, -1);
  EXPECT_NE(slow.output.find("timed out"), std::string::npos);
}

TEST(BlockConfig, LoadRefusesAGobgpThatIsNotExecutable) {
  const std::string path = ::testing::TempDir() + "/block-config-test.json";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(R"({"enabled":true,"gobgp":"/nonexistent/gobgp"})", f);
    std::fclose(f);
  }
  auto r = load_block_config(path);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not executable"), std::string::npos);
  std::remove(path.c_str());
}
