// Duplicate suppression (--dedupe-us, pipeline/dedupe.h): built frames through the table,
// the worker hook, and securenet-dataplane over a pcap file, with exact counts.
#include "pipeline/dedupe.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include "child_process.h"
#include "core_test_util.h"

namespace securenet {
namespace {

using namespace pkt;
constexpr uint64_t kUs = 1000;
constexpr uint64_t kT0 = 1'700'000'000'000'000'000ULL;

Frame udp4_ttl(uint8_t ttl, size_t payload = 20, const char* src = "10.0.0.1") {
  Ipv4Opts o;
  o.ttl = ttl;
  return Builder()
      .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
      .ipv4(ip4(src), ip4("10.0.0.2"), o)
      .udp(1000, 53)
      .payload(payload)
      .build();
}

Frame tcp6_hops(uint8_t hops) {
  Ipv6Opts o;
  o.hop_limit = hops;
  return Builder()
      .eth(mac("02:00:00:00:00:01"), mac("02:00:00:00:00:02"))
      .vlan(10)
      .vlan(20)
      .ipv6(ip6("2001:db8::1"), ip6("2001:db8::2"), o)
      .tcp(1000, 80, kSyn)
      .build();
}

PacketView at(const Frame& f, uint64_t ts) { return test::view(f, ts); }

TEST(Dedupe, SameFrameWithAnotherTtlWithinTheWindowCountsOnce) {
  Dedupe d(100);
  const Frame a = udp4_ttl(64), b = udp4_ttl(63);
  ASSERT_NE(a.data, b.data);  // TTL and header checksum differ
  EXPECT_FALSE(d.duplicate(at(a, kT0)));
  EXPECT_TRUE(d.duplicate(at(b, kT0 + 10 * kUs)));
  EXPECT_TRUE(d.duplicate(at(a, kT0 + 100 * kUs)));  // the window's edge is inside
}

TEST(Dedupe, OutsideTheWindowCountsTwice) {
  Dedupe d(100);
  const Frame a = udp4_ttl(64), b = udp4_ttl(63);
  EXPECT_FALSE(d.duplicate(at(a, kT0)));
  EXPECT_FALSE(d.duplicate(at(b, kT0 + 101 * kUs)));
  EXPECT_TRUE(d.duplicate(at(a, kT0 + 150 * kUs)));  // within 100 µs of the copy counted last
}

TEST(Dedupe, TheWindowStartsAtTheCountedCopy) {
  Dedupe d(100);
  const Frame a = udp4_ttl(64);
  EXPECT_FALSE(d.duplicate(at(a, kT0)));
  EXPECT_TRUE(d.duplicate(at(a, kT0 + 60 * kUs)));    // dropped: does not move the window
  EXPECT_FALSE(d.duplicate(at(a, kT0 + 120 * kUs)));  // 120 µs after the counted copy
}

TEST(Dedupe, AnyOtherByteMakesAnotherFrame) {
  Dedupe d(1000);
  EXPECT_FALSE(d.duplicate(at(udp4_ttl(64, 20), kT0)));
  EXPECT_FALSE(d.duplicate(at(udp4_ttl(64, 21), kT0 + 1)));  // another length
  Frame c = udp4_ttl(64, 20);
  c.data.back() ^= 1;  // another payload byte
  EXPECT_FALSE(d.duplicate(at(c, kT0 + 2)));
  EXPECT_FALSE(d.duplicate(at(udp4_ttl(64, 20, "10.0.0.9"), kT0 + 3)));  // another source
  Frame m = udp4_ttl(64, 20);
  m.data[0] ^= 0x10;  // another MAC
  EXPECT_FALSE(d.duplicate(at(m, kT0 + 4)));
  Frame id = udp4_ttl(64, 20);
  id.data[14 + 4] ^= 1;  // another IPv4 id
  EXPECT_FALSE(d.duplicate(at(id, kT0 + 5)));
  EXPECT_TRUE(d.duplicate(at(udp4_ttl(1, 20), kT0 + 6)));  // only the TTL differs
}

TEST(Dedupe, Ipv6HopLimitBehindVlanTagsIsIgnored) {
  Dedupe d(1000);
  EXPECT_FALSE(d.duplicate(at(tcp6_hops(64), kT0)));
  EXPECT_TRUE(d.duplicate(at(tcp6_hops(3), kT0 + 500 * kUs)));
  EXPECT_EQ(Dedupe::frame_hash(at(tcp6_hops(64), 0)), Dedupe::frame_hash(at(tcp6_hops(9), 99)));
}

TEST(Dedupe, RawIpCapturesMaskTheirFirstHeader) {
  const Frame a = udp4_ttl(64), b = udp4_ttl(7);
  PacketView va{a.data.data() + 14, a.caplen() - 14, a.wire_len - 14, 0, LinkKind::kRawIp};
  PacketView vb{b.data.data() + 14, b.caplen() - 14, b.wire_len - 14, 0, LinkKind::kRawIp};
  EXPECT_EQ(Dedupe::frame_hash(va), Dedupe::frame_hash(vb));
  va.link = vb.link = LinkKind::kSll;  // other link types: hashed whole
  EXPECT_NE(Dedupe::frame_hash(va), Dedupe::frame_hash(vb));
}

TEST(Dedupe, ShortAndOddFramesAreHashedWithoutReadingPastThem) {
  Dedupe d(1000);
  const uint8_t bytes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x81, 0x00, 0, 1, 0x08};
  for (uint32_t n = 0; n <= sizeof bytes; ++n) {
    PacketView v{bytes, n, n, kT0 + n, LinkKind::kEthernet};
    EXPECT_FALSE(d.duplicate(v)) << n;  // each length is another frame
  }
  const uint8_t v4[] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64};  // IPv4 header cut before its checksum
  PacketView v{v4, sizeof v4, sizeof v4, kT0, LinkKind::kRawIp};
  EXPECT_NE(Dedupe::frame_hash(v), 0u);
}

TEST(Dedupe, FilterKeepsTheOrderOfTheFramesLeft) {
  Dedupe d(1000);
  const Frame a = udp4_ttl(64), a2 = udp4_ttl(60), b = udp4_ttl(64, 30), c = udp4_ttl(64, 40);
  PacketView v[] = {at(a, kT0), at(b, kT0 + 1), at(a2, kT0 + 2), at(c, kT0 + 3), at(b, kT0 + 4)};
  ASSERT_EQ(d.filter(v, 5), 3u);
  EXPECT_EQ(v[0].wire_len, a.wire_len);
  EXPECT_EQ(v[1].wire_len, b.wire_len);
  EXPECT_EQ(v[2].wire_len, c.wire_len);
}

TEST(Dedupe, OffHasNoTableAndTheTableIsSizedForTheWindow) {
  EXPECT_FALSE(Dedupe(0).enabled());
  EXPECT_EQ(Dedupe(0).capacity(), 0u);
  EXPECT_EQ(Dedupe(1).capacity(), Dedupe::kMinEntries);
  EXPECT_EQ(Dedupe(1000).capacity(), 16384u);  // 1 ms at 15 frames/µs
  EXPECT_EQ(Dedupe(Dedupe::kMaxWindowUs).capacity(), Dedupe::kMaxEntries);
}

TEST(Dedupe, AFrameWhoseCopyWasPushedOutIsCounted) {
  Dedupe d(1000);
  const Frame a = udp4_ttl(64);
  EXPECT_FALSE(d.duplicate(at(a, kT0)));
  // Far more distinct frames than the table holds, all inside the window.
  Frame f = udp4_ttl(64, 24);
  for (uint32_t i = 0; i < 4 * d.capacity(); ++i) {
    std::memcpy(f.data.data() + f.data.size() - 4, &i, 4);
    d.duplicate(at(f, kT0 + 1));
  }
  EXPECT_FALSE(d.duplicate(at(a, kT0 + 2)));  // a miss: counted (never a false drop)
}

// ---- through securenet-dataplane ---------------------------------------------------------

struct Counts {
  uint64_t packets = 0, duplicates = 0, host_sent = 0;
  std::string json;
};

Counts replay(const std::string& file, const std::string& extra) {
  test::TempDir dir;
  const std::string inst = test::unique_instance("dedupe");
  int rc = -1;
  const std::string out = test::sh_out(
      std::string(SECURENET_DATAPLANE_BIN) + " --source pcap --target '" + file + "' --instance " +
          inst + " --keep-shm --stats-json " + dir.file("s.json") + " " + extra + " 2>&1",
      &rc);
  EXPECT_EQ(rc, 0) << out;
  Counts c;
  if (auto r = ShmReader::open("securenet-" + inst)) {
    c.packets = r->totals().packets;
    c.duplicates = r->totals().duplicates;
    for (const auto& h : r->merge_hosts())
      if (ip_text(h.key) == "10.0.0.1") c.host_sent = h.packets_sent;
  } else {
    ADD_FAILURE() << r.error().message;
  }
  shm_unlink(("/securenet-" + inst).c_str());
  std::stringstream s;
  s << std::ifstream(dir.file("s.json")).rdbuf();
  c.json = s.str();
  return c;
}

TEST(DedupeDataplane, MirroredCopiesInAPcapAreCountedOnce) {
  test::TempDir dir;
  const std::string file = dir.file("mirror.pcap");
  {
    PcapWriter w;
    ASSERT_TRUE(w.open(file.c_str(), TsResolution::kNano));
    ASSERT_TRUE(w.write(udp4_ttl(64), kT0));                // ingress copy
    ASSERT_TRUE(w.write(udp4_ttl(63), kT0 + 5 * kUs));      // egress copy, one hop later
    ASSERT_TRUE(w.write(udp4_ttl(64, 99), kT0 + 6 * kUs));  // another frame
    ASSERT_TRUE(w.write(udp4_ttl(64), kT0 + 3000 * kUs));   // the same frame, 3 ms later
    ASSERT_TRUE(w.close());
  }
  const Counts on = replay(file, "--dedupe-us 1000");
  EXPECT_EQ(on.packets, 3u);
  EXPECT_EQ(on.duplicates, 1u);
  EXPECT_EQ(on.host_sent, 3u);
  EXPECT_NE(on.json.find("\"duplicates\":1"), std::string::npos) << on.json;
  const Counts off = replay(file, "");
  EXPECT_EQ(off.packets, 4u);
  EXPECT_EQ(off.duplicates, 0u);
  EXPECT_EQ(off.host_sent, 4u);
  const Counts wide = replay(file, "--dedupe-us 1000000");
  EXPECT_EQ(wide.packets, 2u);
  EXPECT_EQ(wide.duplicates, 2u);
}

TEST(DedupeDataplane, HostileWindowsAreRefused) {
  for (const char* bad : {"-1", "1000001", "99999999999999999999", "1e3", "", "0x10"}) {
    int rc = -1;
    const std::string out = test::sh_out(
        std::string(SECURENET_DATAPLANE_BIN) + " --target x.pcap --dedupe-us '" + bad + "' 2>&1",
        &rc);
    EXPECT_EQ(rc, 2) << bad;
    EXPECT_NE(out.find("--dedupe-us"), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace securenet
