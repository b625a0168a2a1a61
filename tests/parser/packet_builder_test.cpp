// The fixture builder and pcap writer themselves: byte layout, corruption knobs, pcap
// round trip through libpcap, and checksums as tshark verifies them.
#include "tools/packet_builder.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"
#include "parser_fixtures.h"
#include "tools/packet_builder_pcap.h"

namespace securenet::testing {
namespace {

namespace fs = std::filesystem;
using namespace securenet::pkt;

uint16_t be16(const Bytes& b, size_t o) { return static_cast<uint16_t>(b[o] << 8 | b[o + 1]); }

uint16_t ones_sum(const Bytes& b, size_t off, size_t len) {
  uint32_t acc = 0;
  for (size_t i = 0; i < len; i += 2) acc += be16(b, off + i);
  while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
  return static_cast<uint16_t>(acc);
}

Builder base() { return Builder().eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02")); }

TEST(PacketBuilder, QinQIpv4TcpLayout) {
  Frame f = base()
                .qinq(100, 200)
                .ipv4(ip4("10.0.0.1"), ip4("10.0.0.2"), {.ttl = 7})
                .tcp(1, 2, kSyn)
                .payload(3)
                .build();
  const Bytes& b = f.data;
  ASSERT_EQ(b.size(), 14u + 8 + 20 + 20 + 3);
  EXPECT_EQ(f.wire_len, b.size());
  EXPECT_EQ(be16(b, 12), 0x88A8);
  EXPECT_EQ(be16(b, 14) & 0x0FFF, 100);
  EXPECT_EQ(be16(b, 16), 0x8100);
  EXPECT_EQ(be16(b, 18) & 0x0FFF, 200);
  EXPECT_EQ(be16(b, 20), 0x0800);
  EXPECT_EQ(b[22], 0x45);
  EXPECT_EQ(be16(b, 24), 43);  // total length
  EXPECT_EQ(b[30], 7);         // TTL
  EXPECT_EQ(b[31], kProtoTcp);
  EXPECT_EQ(ones_sum(b, 22, 20), 0xFFFF);  // valid header checksum
  EXPECT_EQ(b[42 + 12] >> 4, 5);           // data offset
  EXPECT_EQ(b[42 + 13], kSyn);
}

TEST(PacketBuilder, Ipv6ExtensionChain) {
  Frame f = base()
                .ipv6(ip6("::1"), ip6("::2"))
                .ipv6_hop_by_hop()
                .ipv6_routing()
                .ipv6_fragment(0, true)
                .ipv6_dest_opts()
                .udp(5, 6)
                .build();
  const Bytes& b = f.data;
  EXPECT_EQ(be16(b, 12), 0x86DD);
  EXPECT_EQ(b[14 + 6], kProtoHopByHop);
  EXPECT_EQ(b[54], kProtoRouting);
  EXPECT_EQ(b[62], kProtoFragment);
  EXPECT_EQ(b[70], kProtoDestOpts);
  EXPECT_EQ(b[78], kProtoUdp);
  EXPECT_EQ(be16(b, 18), b.size() - 54);  // payload length
  EXPECT_EQ(be16(b, 86 + 4), 8);          // UDP length
}

TEST(PacketBuilder, CorruptionKnobs) {
  Frame f = base()
                .ipv4(ip4("1.1.1.1"), ip4("2.2.2.2"), {.version = 6, .ihl = 3, .total_length = 999})
                .udp(1, 2, {.length = 3})
                .build();
  EXPECT_EQ(f.data[14], 0x63);
  EXPECT_EQ(be16(f.data, 16), 999);
  EXPECT_EQ(be16(f.data, 34 + 4), 3);
  Frame s = base().ipv4(ip4("1.1.1.1"), ip4("2.2.2.2")).udp(1, 2).payload(100).snap(50).build();
  EXPECT_EQ(s.caplen(), 50u);
  EXPECT_EQ(s.wire_len, 14u + 20 + 8 + 100);
  Frame t = base().ipv4(ip4("1.1.1.1"), ip4("2.2.2.2")).udp(1, 2).payload(100).truncate(50).build();
  EXPECT_EQ(t.caplen(), 50u);
  EXPECT_EQ(t.wire_len, 50u);
  EXPECT_EQ(be16(t.data, 16), 128);  // lengths still describe the whole packet
  Frame p = base().ipv4(ip4("1.1.1.1"), ip4("2.2.2.2")).udp(1, 2).pad_to(60).build();
  EXPECT_EQ(p.caplen(), 60u);
  EXPECT_EQ(be16(p.data, 16), 28);  // padding is not part of the IP packet
}

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("securenet-pktbuilder-" + std::to_string(getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void round_trip(TsResolution res) {
  TempDir dir;
  const std::string file = (dir.path / "rt.pcap").string();
  Frame a =
      base().ipv4(ip4("1.1.1.1"), ip4("2.2.2.2")).tcp(1, 2, kAck).payload(20).snap(40).build();
  Frame b = base().arp(1, {}, ip4("1.1.1.1"), {}, ip4("2.2.2.2")).build();
  {
    PcapWriter w;
    ASSERT_TRUE(w.open(file.c_str(), res));
    ASSERT_TRUE(w.write(a, 1700000000'123456789ull));
    ASSERT_TRUE(w.write(b, 1700000001'000000999ull));
    ASSERT_TRUE(w.close());
  }
  char err[PCAP_ERRBUF_SIZE];
  std::unique_ptr<pcap_t, void (*)(pcap_t*)> pc(
      pcap_open_offline_with_tstamp_precision(file.c_str(), PCAP_TSTAMP_PRECISION_NANO, err),
      pcap_close);
  ASSERT_TRUE(pc) << err;
  EXPECT_EQ(pcap_datalink(pc.get()), DLT_EN10MB);
  pcap_pkthdr* h;
  const u_char* d;
  ASSERT_EQ(pcap_next_ex(pc.get(), &h, &d), 1);
  EXPECT_EQ(h->caplen, 40u);
  EXPECT_EQ(h->len, a.wire_len);
  EXPECT_EQ(h->ts.tv_sec, 1700000000);
  EXPECT_EQ(h->ts.tv_usec, res == TsResolution::kNano ? 123456789 : 123456000);
  EXPECT_EQ(0, std::memcmp(d, a.data.data(), 40));
  ASSERT_EQ(pcap_next_ex(pc.get(), &h, &d), 1);
  EXPECT_EQ(h->caplen, b.caplen());
  EXPECT_EQ(h->ts.tv_usec, res == TsResolution::kNano ? 999 : 0);
  EXPECT_EQ(pcap_next_ex(pc.get(), &h, &d), PCAP_ERROR_BREAK);
}

TEST(PcapWriter, MicrosecondRoundTrip) { round_trip(TsResolution::kMicro); }
TEST(PcapWriter, NanosecondRoundTrip) { round_trip(TsResolution::kNano); }
TEST(PcapWriter, OpenFailsOnBadPath) {
  PcapWriter w;
  EXPECT_FALSE(w.open("/nonexistent-dir-securenet/x.pcap"));
  EXPECT_FALSE(w.write(Frame{{1, 2, 3}, 3}, 0));
}

// tshark verifies every checksum the builder computed, on every valid fixture.
TEST(PacketBuilder, ChecksumsAreCorrectPerTshark) {
  if (securenet::test::sh("command -v tshark") != 0)
    GTEST_SKIP() << "tshark not installed (Debian package tshark)";
  TempDir dir;
  const std::string file = (dir.path / "fixtures.pcap").string();
  size_t written = 0;
  std::vector<std::string> names;
  {
    PcapWriter w;
    ASSERT_TRUE(w.open(file.c_str()));
    for (const Fixture& f : all_fixtures()) {
      if (f.want.error != shm::ParseError::kNone || f.frame.caplen() != f.frame.wire_len) continue;
      if (f.want.l3 == L3::kIpv4 && f.want.ip_proto == kProtoIcmpv6) continue;  // not a real thing
      ASSERT_TRUE(w.write(f.frame, 0));
      names.push_back(f.name);
      ++written;
    }
  }
  const std::string cmd =
      "tshark -r '" + file +
      "' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE "
      "-o udp.check_checksum:TRUE -T fields -e ip.checksum.status -e tcp.checksum.status "
      "-e udp.checksum.status -e icmp.checksum.status -e icmpv6.checksum.status "
      "-e igmp.checksum.status 2>/dev/null";
  int status = 0;
  std::istringstream out(securenet::test::sh_out(cmd, &status));
  ASSERT_NE(status, -1) << "tshark did not run";
  size_t rows = 0, good = 0, bad = 0;
  for (std::string text; std::getline(out, text);) {
    const char* line = text.c_str();
    ++rows;
    size_t line_bad = 0;
    for (const char* c = line; *c; ++c) {
      const bool start = c == line || c[-1] == '\t' || c[-1] == ',';
      const bool end = c[1] == '\t' || c[1] == '\n' || c[1] == ',' || c[1] == '\0';
      if (start && end && *c == '1') ++good;
      if (start && end && *c == '0') ++line_bad;
    }
    bad += line_bad;
    EXPECT_EQ(line_bad, 0u) << names.at(rows - 1) << ": bad checksum status in: " << line;
  }
  EXPECT_EQ(rows, written);
  EXPECT_EQ(bad, 0u);
  EXPECT_GT(good, written);  // IP and L4 checksums were verified
}

}  // namespace
}  // namespace securenet::testing
