// THE end-to-end check: replay a capture through securenet-dataplane and compare its
// per-host and per-protocol counts with tshark's independent decode of the same file.
// Captures: one from securenet-pcapgen (realistic mix, pcap and pcapng), and one whose
// headers text2pcap (Wireshark's tool) wrote.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "child_process.h"
#include "core_test_util.h"

namespace securenet {
namespace {

bool have(const char* tool) { return test::sh(std::string("command -v ") + tool) == 0; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}
std::string first(const std::string& s) { return s.substr(0, s.find(',')); }

struct Expected {
  std::map<std::string, HostCounters> hosts;  // by address text
  std::map<unsigned, uint64_t> ip_proto;
  uint64_t packets = 0, bytes = 0, syn = 0;
};

// tshark's view: every frame's length, outer IP addresses and final IP protocol.
Expected tshark_count(const std::string& file) {
  const char* fields[] = {
      "frame.len",        "ip.src",    "ip.dst",           "ipv6.src",         "ipv6.dst",
      "ip.proto",         "ipv6.nxt",  "ipv6.hopopts.nxt", "ipv6.dstopts.nxt", "ipv6.routing.nxt",
      "ipv6.fraghdr.nxt", "tcp.flags", "_ws.malformed"};
  std::string cmd = "tshark -n -r '" + file + "' -T fields -E separator=/t -E occurrence=a";
  for (const char* f : fields) cmd += std::string(" -e ") + f;
  Expected e;
  std::istringstream lines(test::sh_out(cmd + " 2>/dev/null"));
  for (std::string line; std::getline(lines, line);) {
    const auto f = split(line, '\t');
    if (f.size() < 12) continue;
    const uint64_t len = std::stoull(f[0]);
    ++e.packets;
    e.bytes += len;
    const bool v4 = !f[1].empty();
    const std::string src = first(v4 ? f[1] : f[3]), dst = first(v4 ? f[2] : f[4]);
    if (src.empty() || dst.empty()) continue;
    unsigned proto = 0;
    if (v4) {
      proto = static_cast<unsigned>(std::stoul(first(f[5])));
    } else {
      std::string p = first(f[6]);
      for (int i = 7; i <= 10; ++i) {
        if (!f[i].empty()) p = first(f[i]);
      }
      proto = static_cast<unsigned>(std::stoul(p));
    }
    ++e.ip_proto[proto];
    const bool syn =
        proto == 6 && !f[11].empty() && (std::stoul(first(f[11]), nullptr, 16) & 0x12) == 0x02;
    e.syn += syn;
    HostCounters& s = e.hosts[src];
    s.packets_sent++;
    s.bytes_sent += len;
    s.syn_sent += syn;
    HostCounters& d = e.hosts[dst];
    d.packets_recv++;
    d.bytes_recv += len;
  }
  return e;
}

struct Replay {
  GlobalCounters totals;
  std::vector<HostCounters> hosts;
};

// Runs securenet-dataplane on `file`, keeps its segment, reads it back, removes it.
Replay dataplane_count(const std::string& file, const std::string& extra) {
  const std::string inst = test::unique_instance("replay");
  int rc = -1;
  const std::string out =
      test::sh_out(std::string(SECURENET_DATAPLANE_BIN) + " --source pcap --target '" + file +
                       "' --instance " + inst + " --keep-shm --stats " + extra + " 2>&1",
                   &rc);
  EXPECT_EQ(rc, 0) << out;
  Replay r;
  auto reader = ShmReader::open("securenet-" + inst);
  EXPECT_TRUE(reader) << (reader ? "" : reader.error().message);
  if (reader) {
    r.totals = reader->totals();
    r.hosts = reader->merge_hosts();
  }
  shm_unlink(("/securenet-" + inst).c_str());
  return r;
}

void expect_same(const Expected& e, const Replay& r) {
  EXPECT_EQ(r.totals.packets, e.packets);
  EXPECT_EQ(r.totals.bytes, e.bytes);
  EXPECT_EQ(r.totals.tcp_syn, e.syn);
  for (unsigned p = 0; p < 256; ++p) {
    const auto it = e.ip_proto.find(p);
    EXPECT_EQ(r.totals.ip_proto_packets[p], it == e.ip_proto.end() ? 0 : it->second)
        << "IP protocol " << p;
  }
  const uint64_t cls_tcp = e.ip_proto.count(6) ? e.ip_proto.at(6) : 0;
  EXPECT_EQ(r.totals.proto_class_packets[0], cls_tcp);
  ASSERT_EQ(r.hosts.size(), e.hosts.size());
  size_t checked = 0;
  for (const auto& h : r.hosts) {
    const std::string ip = ip_text(h.key);
    const auto it = e.hosts.find(ip);
    ASSERT_NE(it, e.hosts.end()) << ip << " counted by the dataplane, unknown to tshark";
    const HostCounters& w = it->second;
    EXPECT_EQ(h.packets_sent, w.packets_sent) << ip;
    EXPECT_EQ(h.bytes_sent, w.bytes_sent) << ip;
    EXPECT_EQ(h.packets_recv, w.packets_recv) << ip;
    EXPECT_EQ(h.bytes_recv, w.bytes_recv) << ip;
    EXPECT_EQ(h.syn_sent, w.syn_sent) << ip;
    ++checked;
  }
  EXPECT_EQ(checked, e.hosts.size());
}

class ReplayVsTshark : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have("tshark")) GTEST_SKIP() << "tshark is not installed (apt-get install tshark)";
  }
  test::TempDir dir_;
};

TEST_F(ReplayVsTshark, PcapgenRealisticMixTwoWorkers) {
  const std::string f = dir_.file("mix.pcap");
  ASSERT_EQ(std::system((std::string(SECURENET_PCAPGEN_BIN) + " --out " + f +
                         " --packets 30000 --hosts 400 --seed 11")
                            .c_str()),
            0);
  const Expected e = tshark_count(f);
  ASSERT_EQ(e.packets, 30000u);
  ASSERT_GT(e.hosts.size(), 700u);  // 400 IPv4 + their IPv6 twins + servers
  expect_same(e, dataplane_count(f, "--workers 2"));
}

TEST_F(ReplayVsTshark, PcapgenAsPcapngPreloadedAndLooped) {
  if (!have("editcap")) GTEST_SKIP() << "editcap (wireshark-common) is not installed";
  const std::string f = dir_.file("mix.pcap"), ng = dir_.file("mix.pcapng");
  ASSERT_EQ(std::system((std::string(SECURENET_PCAPGEN_BIN) + " --out " + f +
                         " --packets 5000 --hosts 50 --seed 5")
                            .c_str()),
            0);
  ASSERT_EQ(std::system(("editcap -F pcapng " + f + " " + ng).c_str()), 0);
  Expected e = tshark_count(ng);
  // Three loops triple every count.
  e.packets *= 3;
  e.bytes *= 3;
  e.syn *= 3;
  for (auto& [p, n] : e.ip_proto) n *= 3;
  for (auto& [ip, h] : e.hosts) {
    h.packets_sent *= 3, h.bytes_sent *= 3, h.packets_recv *= 3, h.bytes_recv *= 3, h.syn_sent *= 3;
  }
  expect_same(e, dataplane_count(ng, "--preload --loops 3 --workers 3"));
}

// Headers written by text2pcap, not by this project: TCP, UDP, SCTP over IPv4 and IPv6,
// raw ICMP over IPv4, merged into one capture by mergecap.
TEST_F(ReplayVsTshark, Text2pcapCapture) {
  if (!have("text2pcap") || !have("mergecap"))
    GTEST_SKIP() << "text2pcap/mergecap (wireshark-common) missing";
  std::ofstream(dir_.file("payload.txt"))
      << "0000  08 00 f7 fe 00 01 00 00 61 62 63 64 65 66 67 68\n"
         "0010  69 6a 6b 6c 6d 6e 6f 70\n\n"
         "0000  08 00 00 00 00 02 00 01 41 42 43 44\n\n"
         "0000  00 11 22 33\n";
  const char* variants[] = {
      "-e 0x800 -4 10.7.0.1,10.7.0.2 -T 40000,443",
      "-e 0x800 -4 10.7.0.2,10.7.0.1 -T 443,40000",
      "-e 0x800 -4 10.7.0.3,10.7.0.1 -u 5353,53",
      "-e 0x800 -4 10.7.0.4,10.7.0.2 -i 1",
      "-e 0x800 -4 10.7.0.4,10.7.0.5 -s 3000,3001,0",
      "-e 0x800 -4 10.7.0.6,10.7.0.1 -i 47",
      "-e 0x86dd -6 2001:db8:7::1,2001:db8:7::2 -T 1000,22",
      "-e 0x86dd -6 2001:db8:7::2,2001:db8:7::1 -u 123,123",
  };
  std::string parts;
  int i = 0;
  for (const char* v : variants) {
    const std::string out = dir_.file("p" + std::to_string(i++) + ".pcap");
    const std::string cmd = std::string("text2pcap -q ") + v + " " + dir_.file("payload.txt") +
                            " " + out + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    parts += " " + out;
  }
  const std::string f = dir_.file("t2p.pcap");
  ASSERT_EQ(std::system(("mergecap -a -F pcap -w " + f + parts).c_str()), 0);
  const Expected e = tshark_count(f);
  ASSERT_EQ(e.packets, 24u);
  ASSERT_EQ(e.hosts.size(), 8u);
  expect_same(e, dataplane_count(f, ""));
}

TEST(DataplaneCli, BadOptionsAndFilesExitWithOneLine) {
  int rc = -1;
  std::string out =
      test::sh_out(std::string(SECURENET_DATAPLANE_BIN) + " --no-such-option 2>&1", &rc);
  EXPECT_EQ(rc, 2);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  out = test::sh_out(std::string(SECURENET_DATAPLANE_BIN) + " --workers 0 --target x 2>&1", &rc);
  EXPECT_EQ(rc, 2);
  out = test::sh_out(std::string(SECURENET_DATAPLANE_BIN) + " --source pcap 2>&1", &rc);
  EXPECT_EQ(rc, 2);
  EXPECT_NE(out.find("--target"), std::string::npos);
  out = test::sh_out(std::string(SECURENET_DATAPLANE_BIN) +
                         " --target /nonexistent/file.pcap --instance " +
                         test::unique_instance("cli") + " 2>&1",
                     &rc);
  EXPECT_EQ(rc, 1);
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  out = test::sh_out(std::string(SECURENET_DATAPLANE_BIN) + " --help", &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("--host-capacity"), std::string::npos);
}

TEST(DataplaneCli, StatsJsonIsWritten) {
  test::TempDir dir;
  ASSERT_TRUE(
      test::write_pcap(dir.file("a.pcap"), {test::udp4("10.0.0.1", "10.0.0.2", 1, 53, 10)}));
  int rc = -1;
  test::sh_out(std::string(SECURENET_DATAPLANE_BIN) + " --target " + dir.file("a.pcap") +
                   " --instance " + test::unique_instance("json") + " --stats-json " +
                   dir.file("s.json"),
               &rc);
  ASSERT_EQ(rc, 0);
  std::stringstream s;
  s << std::ifstream(dir.file("s.json")).rdbuf();
  EXPECT_NE(s.str().find("\"packets\":1,"), std::string::npos) << s.str();
  EXPECT_NE(s.str().find("\"ip\":\"10.0.0.1\",\"packets_sent\":1,"), std::string::npos) << s.str();
}

}  // namespace
}  // namespace securenet
