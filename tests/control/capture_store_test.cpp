// Issue 16 on the control plane's side: the capture store (size cap, oldest evicted first,
// ids that are not UUIDs refused), the pcap format written and read back (a truncated file
// is refused), and the server-side decode of a capture (packets, rates, peers, ports).
#include "capture/capture_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "capture/capture_view.h"
#include "capture/pcap_format.h"
#include "securenet/ip_text.h"

namespace fs = std::filesystem;
using namespace securenet;
using namespace securenet::control;

namespace {

const std::string kA = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const std::string kB = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
const std::string kC = "cccccccc-cccc-4ccc-8ccc-cccccccccccc";

struct TempDir {
  fs::path p = fs::temp_directory_path() / ("sn-capstore-" + std::to_string(::getpid()));
  TempDir() { fs::remove_all(p); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(p, ec);
  }
};

SampleFields sample(const char* src, const char* dst, uint16_t sport, uint16_t dport, uint8_t flags,
                    uint64_t ts) {
  SampleFields s;
  s.ts_ns = ts;
  s.src = *parse_ip_text(src);
  s.dst = *parse_ip_text(dst);
  s.sport = sport;
  s.dport = dport;
  s.ip_proto = 6;
  s.tcp_flags = flags;
  s.wire_len = 60;
  return s;
}

}  // namespace

TEST(CaptureStore, TheCapEvictsTheOldestCapturesFirst) {
  TempDir d;
  CaptureStore store((d.p / "captures").string(), 10000);
  const std::string four_k(4000, 'x');
  ASSERT_TRUE(store.put(kA, four_k, "{}"));
  fs::last_write_time(d.p / "captures" / (kA + ".pcap"),
                      fs::file_time_type::clock::now() - std::chrono::hours(2));
  ASSERT_TRUE(store.put(kB, four_k, "{}"));
  fs::last_write_time(d.p / "captures" / (kB + ".pcap"),
                      fs::file_time_type::clock::now() - std::chrono::hours(1));
  ASSERT_TRUE(store.put(kC, four_k, "{}"));  // 12 KB > 10 KB: the oldest (A) goes
  EXPECT_FALSE(store.has(kA));
  EXPECT_FALSE(store.summary(kA).has_value());
  EXPECT_TRUE(store.has(kB));
  EXPECT_TRUE(store.has(kC));
  EXPECT_LE(store.bytes_used(), 10000u);
  EXPECT_EQ(store.pcap(kC).value_or(""), four_k);
}

TEST(CaptureStore, RefusesWhatIsNotAUuidOrTooBig) {
  TempDir d;
  CaptureStore store(d.p.string(), 1000);
  EXPECT_FALSE(store.put("../../etc/passwd", "x", "{}"));
  EXPECT_FALSE(store.pcap("../jwt-secret").has_value());
  EXPECT_FALSE(store.put(kA, std::string(2000, 'x'), "{}"));  // over the whole cap
  EXPECT_FALSE(store.has(kA));
  CaptureStore off("", 1000);
  EXPECT_FALSE(off.put(kA, "x", "{}"));
}

TEST(PcapFormat, WrittenRecordsReadBackAndATruncatedFileIsRefused) {
  std::string f = pcap_file_header(1, 1984);
  append_pcap_record(f, 1'700'000'000'123'456'789ULL, std::string(60, 'a'), 60);
  append_pcap_record(f, 1'700'000'001'000'000'000ULL, std::string(1984, 'b'), 9000);  // cut
  uint32_t link = 0;
  std::vector<std::pair<uint64_t, uint32_t>> got;
  ASSERT_TRUE(for_each_pcap_record(f, link, [&](const PcapRecord& r) {
    got.emplace_back(r.ts_ns, r.wire_len);
    EXPECT_LE(r.data.size(), 1984u);
  }));
  EXPECT_EQ(link, 1u);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, 1'700'000'000'123'456'789ULL);
  EXPECT_EQ(got[1].second, 9000u);
  EXPECT_FALSE(for_each_pcap_record(f.substr(0, f.size() - 1), link, [](const PcapRecord&) {}));
  std::string huge = pcap_file_header(1, 1984);
  append_pcap_record(huge, 1, "abc", 3);
  huge[24 + 8] = '\xff';  // caplen far beyond the file
  EXPECT_FALSE(for_each_pcap_record(huge, link, [](const PcapRecord&) {}));
}

TEST(CaptureView, DecodesPacketsRatesPeersAndPorts) {
  std::string f = pcap_file_header(1, 1984);
  const uint64_t t0 = 1'700'000'000'000'000'000ULL;
  for (int i = 0; i < 4; ++i) {
    auto s = sample("10.0.0.5", "10.0.0.9", 40000 + i, 80, 0x02, t0 + i * 100'000'000ULL);
    append_pcap_record(f, s.ts_ns, frame_of_sample(s), s.wire_len);
  }
  auto r = sample("10.0.0.9", "10.0.0.5", 80, 40000, 0x12, t0 + 400'000'000ULL);
  append_pcap_record(f, r.ts_ns, frame_of_sample(r), r.wire_len);
  const std::string summary = R"({"host":"10.0.0.5","samples":1,"packets":4})";
  auto json = capture_view_json(f, summary, 3);
  ASSERT_TRUE(json.has_value());
  EXPECT_NE(json->find(R"("sent":{"packets":4,"bytes":240)"), std::string::npos) << *json;
  EXPECT_NE(json->find(R"("received":{"packets":1,"bytes":60)"), std::string::npos) << *json;
  EXPECT_NE(json->find(R"("top_peers":[{"key":"10.0.0.9","packets":5)"), std::string::npos);
  EXPECT_NE(json->find(R"({"key":"TCP/80","packets":5)"), std::string::npos) << *json;
  EXPECT_NE(json->find(R"("flags":"SYN")"), std::string::npos);
  EXPECT_EQ(json->find("SYN,ACK"), std::string::npos);  // 3 rows only: the reply is not listed
  EXPECT_NE(json->find(R"("total":5)"), std::string::npos);
  EXPECT_FALSE(capture_view_json("garbage", summary, 3).has_value());
}
