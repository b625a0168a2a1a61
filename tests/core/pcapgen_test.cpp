// securenet-pcapgen: the shapes other tests and benchmarks rely on.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "core_test_util.h"
#include "pipeline/packet_counter.h"
#include "sources/pcap/pcap_source.h"

namespace securenet {
namespace {

std::shared_ptr<const PcapImage> gen(const test::TempDir& dir, const std::string& args) {
  const std::string f = dir.file("g.pcap");
  EXPECT_EQ(std::system((std::string(SECURENET_PCAPGEN_BIN) + " --out " + f + " " + args).c_str()),
            0)
      << args;
  auto img = load_pcap(f);
  EXPECT_TRUE(img) << (img ? "" : img.error().message);
  return img ? *img : nullptr;
}

TEST(Pcapgen, Fixed64ByteUdpFramesFromDistinctHosts) {
  test::TempDir dir;
  auto img = gen(dir, "--mix udp --size 64 --packets 5000 --hosts 1000 --seed 3");
  ASSERT_TRUE(img);
  ASSERT_EQ(img->packets.size(), 5000u);
  std::set<uint32_t> sources;
  for (const auto& p : img->packets) {
    ASSERT_EQ(p.caplen, 64u);
    ASSERT_EQ(p.wire_len, 64u);
    ParsedPacket pp;
    ASSERT_TRUE(parse_packet(p.data, p.caplen, p.wire_len, pp));
    ASSERT_EQ(pp.ip_proto, 17);
    uint32_t a;
    std::memcpy(&a, pp.src.bytes + 12, 4);
    sources.insert(a);
  }
  EXPECT_GT(sources.size(), 900u);  // ~993 of 1000 expected with 5000 random draws
  EXPECT_LE(sources.size(), 1000u);
}

TEST(Pcapgen, ScenariosShapeTheAttackerAndTimestamps) {
  test::TempDir dir;
  struct Case {
    const char* scenario;
    uint8_t proto;
  };
  for (const Case c : {Case{"icmp-flood", 1}, Case{"port-scan", 6}, Case{"heavy-sender", 17}}) {
    auto img = gen(dir, std::string("--scenario ") + c.scenario +
                            " --src 10.9.9.9 --pps 1000 --packets 2000 --hosts 20");
    ASSERT_TRUE(img);
    uint64_t attacker = 0, syn = 0;
    std::set<uint16_t> ports;
    for (const auto& p : img->packets) {
      ParsedPacket pp;
      ASSERT_TRUE(parse_packet(p.data, p.caplen, p.wire_len, pp));
      if (ip_text(pp.src) != "10.9.9.9") {
        EXPECT_TRUE(pp.ip_proto == 6 || pp.ip_proto == 17) << "background is TCP/UDP only";
        continue;
      }
      ++attacker;
      EXPECT_EQ(pp.ip_proto, c.proto) << c.scenario;
      if (pp.ip_proto == 6 && (pp.tcp_flags & 0x12) == 0x02) ++syn, ports.insert(pp.dport);
    }
    EXPECT_EQ(attacker, 1000u) << c.scenario;
    if (c.proto == 6) {
      EXPECT_EQ(syn, 1000u);
      EXPECT_EQ(ports.size(), 1000u);  // a distinct port per probe
    }
    // --pps is the attacker's rate: 1000 attack packets span ~1 s.
    EXPECT_NEAR(static_cast<double>(img->duration_ns) / 1e9, 1.0, 0.01) << c.scenario;
  }
}

TEST(Pcapgen, BenignStaysUnderTheDefaultThresholds) {
  test::TempDir dir;
  auto img = gen(dir, "--scenario benign --packets 20000 --hosts 100 --pps 2000");
  ASSERT_TRUE(img);
  std::map<std::string, uint64_t> per_host, syns;
  for (const auto& p : img->packets) {
    ParsedPacket pp;
    ASSERT_TRUE(parse_packet(p.data, p.caplen, p.wire_len, pp));
    EXPECT_TRUE(pp.ip_proto == 6 || pp.ip_proto == 17);  // no ICMP/IGMP (blacklisted by default)
    per_host[ip_text(pp.src)]++;
    if (pp.ip_proto == 6 && (pp.tcp_flags & 0x12) == 0x02) syns[ip_text(pp.src)]++;
  }
  const double secs = static_cast<double>(img->duration_ns) / 1e9;
  ASSERT_NEAR(secs, 10.0, 0.01);
  for (const auto& [ip, n] : per_host) EXPECT_LT(static_cast<double>(n) / secs, 1000.0) << ip;
  for (const auto& [ip, n] : syns) EXPECT_LT(static_cast<double>(n) / secs * 60, 100.0) << ip;
}

TEST(Pcapgen, BadOptionsExitWithUsage) {
  EXPECT_NE(std::system((std::string(SECURENET_PCAPGEN_BIN) + " --packets 5 2>/dev/null").c_str()),
            0);
  EXPECT_NE(std::system((std::string(SECURENET_PCAPGEN_BIN) +
                         " --out /dev/null --scenario nope 2>/dev/null")
                            .c_str()),
            0);
}

}  // namespace
}  // namespace securenet
