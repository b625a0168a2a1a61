// Every public capture in tests/data/captures/ (see its README.md: sources, licences)
// replayed through securenet-dataplane and compared exactly with the table that
// derive_expected.py derived from tshark's decode: packets, L3 families, protocol
// classes, and every counted (inner) host with its packets sent and received. The
// families must also add up to the packet total.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

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

int run(const std::string& cmd, std::string& out) {
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

class Captures : public ::testing::TestWithParam<Want> {};

TEST_P(Captures, MatchTsharksView) {
  const Want& w = GetParam();
  const std::string inst = "captures-" + std::to_string(getpid()) + "-" + std::to_string(w.file.size()) + "-" +
                           std::to_string(std::hash<std::string>{}(w.file) % 100000);
  std::string out;
  const std::string file = std::string(SECURENET_CAPTURES_DIR) + "/" + w.file;
  const int rc = run(std::string(SECURENET_DATAPLANE_BIN) + " --source pcap --target '" + file + "' --instance " +
                         inst + " --keep-shm 2>&1",
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
  EXPECT_EQ(g.ipv4_packets + g.ipv6_packets + g.arp_packets + g.other_l2_packets, g.packets) << "families add up";
  for (size_t c = 0; c < shm::kProtoClassCount; ++c) {
    EXPECT_EQ(g.proto_class_packets[c], w.cls[c]) << "class " << c;
  }
  EXPECT_EQ(hosts.size(), w.hosts);
  for (const HostCounters& h : hosts) {
    const std::string ip = format_ip(h.key);
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

INSTANTIATE_TEST_SUITE_P(Public, Captures, ::testing::ValuesIn(table()), [](const ::testing::TestParamInfo<Want>& i) {
  std::string n;
  for (char c : i.param.file) n += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return n;
});

// The table covers every capture in the folder (47 of them).
TEST(CapturesTable, CoversEveryFile) { EXPECT_EQ(load_table().size(), 47u); }

}  // namespace
}  // namespace securenet
