// Every public capture in tests/data/captures/ (see its README.md: sources, licences)
// replayed through securenet-dataplane and compared exactly with the table that
// derive_expected.py derived from tshark's decode: packets, L3 families, protocol
// classes, and every counted (inner) host with its packets sent and received. The
// families must also add up to the packet total.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"
#include "securenet/shm_reader.h"

namespace securenet {
namespace {

struct Want {
  std::string file;
  uint64_t packets = 0, ipv4 = 0, ipv6 = 0, arp = 0, other = 0;
  uint64_t cls[shm::kProtoClassCount] = {};
  size_t hosts = 0;
  std::map<std::string, std::pair<uint64_t, uint64_t>> host;  // address -> sent, recv
};

std::vector<Want> load_table() {
  std::ifstream in(SECURENET_CAPTURES_TABLE);
  std::vector<Want> out;
  std::map<std::string, size_t> at;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ss(line);
    std::string kind;
    ss >> kind;
    if (kind == "file") {
      Want w;
      ss >> w.file >> w.packets >> w.ipv4 >> w.ipv6 >> w.arp >> w.other;
      for (auto& c : w.cls) ss >> c;
      ss >> w.hosts;
      at[w.file] = out.size();
      out.push_back(w);
    } else if (kind == "host") {
      std::string file, ip;
      uint64_t s = 0, r = 0;
      ss >> file >> ip >> s >> r;
      out.at(at.at(file)).host[ip] = {s, r};
    }
  }
  return out;
}

// Runs `cmd`, appending its output to `out`; its exit status.
int run(const std::string& cmd, std::string& out) {
  int rc = -1;
  out += test::sh_out(cmd, &rc);
  return rc;
}

class Captures : public ::testing::TestWithParam<Want> {};

TEST_P(Captures, MatchTsharksView) {
  const Want& w = GetParam();
  const std::string inst = "captures-" + std::to_string(getpid()) + "-" +
                           std::to_string(w.file.size()) + "-" +
                           std::to_string(std::hash<std::string>{}(w.file) % 100000);
  std::string out;
  const std::string file = std::string(SECURENET_CAPTURES_DIR) + "/" + w.file;
  const int rc = run(std::string(SECURENET_DATAPLANE_BIN) + " --source pcap --target '" + file +
                         "' --instance " + inst + " --keep-shm 2>&1",
                     out);
  ASSERT_EQ(rc, 0) << out;
  auto reader = ShmReader::open("securenet-" + inst);
  ASSERT_TRUE(reader) << reader.error().message;
  const GlobalCounters g = reader->totals();
  const std::vector<HostCounters> hosts = reader->merge_hosts();
  shm_unlink(("/securenet-" + inst).c_str());

  EXPECT_EQ(g.packets, w.packets);
  EXPECT_EQ(g.ipv4_packets, w.ipv4);
  EXPECT_EQ(g.ipv6_packets, w.ipv6);
  EXPECT_EQ(g.arp_packets, w.arp);
  EXPECT_EQ(g.other_l2_packets, w.other);
  EXPECT_EQ(g.ipv4_packets + g.ipv6_packets + g.arp_packets + g.other_l2_packets, g.packets)
      << "families add up";
  for (size_t c = 0; c < shm::kProtoClassCount; ++c) {
    EXPECT_EQ(g.proto_class_packets[c], w.cls[c]) << "class " << c;
  }
  EXPECT_EQ(hosts.size(), w.hosts);
  for (const HostCounters& h : hosts) {
    const std::string ip = ip_text(h.key);
    const auto it = w.host.find(ip);
    ASSERT_NE(it, w.host.end()) << ip << " counted by the dataplane, not in tshark's view";
    EXPECT_EQ(h.packets_sent, it->second.first) << ip;
    EXPECT_EQ(h.packets_recv, it->second.second) << ip;
  }
}

std::vector<Want> table() {
  auto t = load_table();
  return t;
}

INSTANTIATE_TEST_SUITE_P(Public, Captures, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<Want>& i) {
                           std::string n;
                           for (char c : i.param.file)
                             n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

struct Replayed {
  int rc = -1;
  std::string out;
  GlobalCounters g;
  std::map<std::string, std::pair<uint64_t, uint64_t>> hosts;
};

Replayed replay(const std::string& file, const std::string& extra) {
  Replayed r;
  const std::string inst = "captures-x-" + std::to_string(getpid());
  r.rc = run(std::string(SECURENET_DATAPLANE_BIN) + " --source pcap --target '" + file +
                 "' --instance " + inst + " --keep-shm " + extra + " 2>&1",
             r.out);
  if (r.rc != 0) return r;
  auto reader = ShmReader::open("securenet-" + inst);
  if (reader) {
    r.g = reader->totals();
    for (const auto& h : reader->merge_hosts())
      r.hosts[ip_text(h.key)] = {h.packets_sent, h.packets_recv};
  }
  shm_unlink(("/securenet-" + inst).c_str());
  return r;
}

// --decap outer counts the tunnel endpoints only, both counts them and the inner hosts;
// the VXLAN counter is the same in every mode.
TEST(CapturesDecapModes, VxlanInnerOuterBoth) {
  const std::string f = std::string(SECURENET_CAPTURES_DIR) + "/vxlan-ipv4.pcap";
  const Replayed in = replay(f, ""), out = replay(f, "--decap outer"),
                 both = replay(f, "--decap both");
  ASSERT_EQ(in.rc, 0) << in.out;
  ASSERT_EQ(out.rc, 0) << out.out;
  ASSERT_EQ(both.rc, 0) << both.out;
  ASSERT_FALSE(in.hosts.empty());
  ASSERT_FALSE(out.hosts.empty());
  EXPECT_EQ(out.g.proto_class_packets[static_cast<size_t>(shm::ProtoClass::kUdp)], out.g.packets);
  EXPECT_EQ(out.g.ipv4_packets, out.g.packets);
  for (const auto& [ip, c] : out.hosts)
    EXPECT_EQ(in.hosts.count(ip), 0u) << ip << " is both inner and outer";
  std::map<std::string, std::pair<uint64_t, uint64_t>> sum = in.hosts;
  for (const auto& [ip, c] : out.hosts) sum[ip] = c;
  EXPECT_EQ(both.hosts, sum);
  for (const Replayed* r : {&in, &out, &both}) {
    EXPECT_EQ(r->g.encap_packets[static_cast<size_t>(shm::Encap::kVxlan)], 10u);
  }
  EXPECT_EQ(replay(f, "--decap sideways").rc, 2);
}

// A capture of a link type the parser does not read is refused with one line naming it.
TEST(CapturesLinkTypes, UnknownLinkTypeIsOneClearError) {
  const std::string f = "/tmp/securenet-linktype-" + std::to_string(getpid()) + ".pcap";
  {
    std::ofstream o(f, std::ios::binary);
    const uint32_t hdr[6] = {0xa1b2c3d4, 0x00040002, 0, 0, 65535, 147};  // LINKTYPE_USER0
    o.write(reinterpret_cast<const char*>(hdr), sizeof hdr);
    const uint32_t rec[4] = {1, 0, 4, 4};
    o.write(reinterpret_cast<const char*>(rec), sizeof rec);
    o.write("\x45\0\0\0", 4);
  }
  const Replayed r = replay(f, "");
  std::remove(f.c_str());
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("link type 147"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

// The table covers every capture in the folder (47 of them).
TEST(CapturesTable, CoversEveryFile) { EXPECT_EQ(load_table().size(), 47u); }

}  // namespace
}  // namespace securenet
