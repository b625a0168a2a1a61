// Nothing the network sends can crash the parser or make it read out of bounds.
// Every frame is copied into a heap buffer of exactly caplen bytes, so an overread is
// caught by AddressSanitizer (build with -DSECURENET_SANITIZE=address,undefined).
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>

#include "parser_fixtures.h"
#include "securenet/parser.h"

namespace securenet::testing {
namespace {

using shm::ParseError;

// Parses exactly n bytes held in their own allocation and checks the result's invariants.
void parse_exact(const uint8_t* src, uint32_t n, uint32_t wire_len) {
  std::unique_ptr<uint8_t[]> buf(new uint8_t[n ? n : 1]);
  if (n) std::memcpy(buf.get(), src, n);
  ParsedPacket p;
  const bool ok = parse_packet(buf.get(), n, wire_len, p);
  ASSERT_EQ(ok, p.error == ParseError::kNone);
  ASSERT_LT(static_cast<size_t>(p.error), shm::kParseErrorCount);
  ASSERT_LE(p.vlan_tags, kMaxVlanTags);
  ASSERT_LE(p.ipv6_ext_headers, kMaxIpv6ExtHeaders);
  ASSERT_LE(p.l4_offset, n);
  if (p.l4_parsed) {
    ASSERT_TRUE(ok);
  }
  if (p.l4_parsed) {
    ASSERT_TRUE(p.l3 == L3::kIpv4 || p.l3 == L3::kIpv6);
  }
  if (p.fragment && !p.first_fragment) {
    ASSERT_FALSE(p.l4_parsed);
  }
  if (p.has_addrs && p.l3 == L3::kIpv4) {
    ASSERT_EQ(p.src.bytes[10] & p.src.bytes[11], 0xFF);
  }
  if (p.has_addrs) {
    ASSERT_TRUE(p.l3 == L3::kIpv4 || p.l3 == L3::kIpv6);
  }
  ASSERT_NE(p.l3, L3::kNone);  // every packet is counted in a family
  ASSERT_LE(p.encap_depth, kMaxEncapDepth);
  if (!p.l4_parsed) {
    ASSERT_EQ(p.icmp_type, 0);
  }
}

TEST(ParserRobustness, EveryTruncationOfEveryFixture) {
  size_t parsed = 0;
  for (const Fixture& f : all_fixtures()) {
    SCOPED_TRACE(f.name);
    const auto& d = f.frame.data;
    for (uint32_t n = 0; n <= d.size(); ++n) {
      parse_exact(d.data(), n, n);                 // the frame really is n bytes
      parse_exact(d.data(), n, f.frame.wire_len);  // snap length n
      parse_exact(d.data(), n, 0);                 // a source that reports no wire length
      parsed += 3;
    }
  }
  EXPECT_GT(parsed, 3000u);
}

TEST(ParserRobustness, RandomBytesAndMutatedFixtures) {
  std::mt19937 rng(12345);
  const auto fixtures = all_fixtures();
  std::vector<uint8_t> b;
  for (int i = 0; i < 200000; ++i) {
    if (i % 2) {
      const auto& f = fixtures[rng() % fixtures.size()].frame;
      b = f.data;
      for (int k = 1 + static_cast<int>(rng() % 4); k > 0 && !b.empty(); --k)
        b[rng() % b.size()] = static_cast<uint8_t>(rng());
    } else {
      b.resize(rng() % 160);
      for (auto& c : b) c = static_cast<uint8_t>(rng());
      if (b.size() >= 14 && rng() % 2) {  // steer random bytes into the IP parsers
        static const uint16_t kTypes[] = {0x0800, 0x86DD, 0x8100, 0x88A8, 0x0806};
        const uint16_t t = kTypes[rng() % 5];
        b[12] = static_cast<uint8_t>(t >> 8);
        b[13] = static_cast<uint8_t>(t);
      }
    }
    const uint32_t n = static_cast<uint32_t>(b.size());
    parse_exact(b.data(), n, rng() % 2 ? n : n + rng() % 2000);
    if (HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace securenet::testing
