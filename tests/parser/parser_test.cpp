// Parser fixture table: every parse path and every ParseError reason.
#include "securenet/parser.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <set>
#include <string>

#include "parser_fixtures.h"

namespace securenet::testing {
namespace {

using shm::ParseError;

// Textual address -> IpKey as the parser stores it ("" -> all zero).
shm::IpKey key_of(const char* s) {
  shm::IpKey k{};
  if (*s == '\0') return k;
  uint8_t v4[4];
  if (inet_pton(AF_INET, s, v4) == 1) {
    k.bytes[10] = k.bytes[11] = 0xFF;
    std::memcpy(k.bytes + 12, v4, 4);
  } else {
    EXPECT_EQ(inet_pton(AF_INET6, s, k.bytes), 1) << s;
  }
  return k;
}

std::string hex(const shm::IpKey& k) {
  std::string s;
  char b[3];
  for (uint8_t c : k.bytes) {
    std::snprintf(b, sizeof b, "%02x", c);
    s += b;
  }
  return s;
}

class ParserFixture : public ::testing::TestWithParam<Fixture> {};

TEST_P(ParserFixture, DecodesAsExpected) {
  const Fixture& f = GetParam();
  const Expect& w = f.want;
  ParsedPacket p;
  const bool ok = parse_packet(f.frame.data.data(), f.frame.caplen(), f.frame.wire_len, p);
  EXPECT_EQ(ok, w.error == ParseError::kNone);
  EXPECT_STREQ(parse_error_name(p.error), parse_error_name(w.error));
  EXPECT_EQ(p.wire_len, f.frame.wire_len);
  EXPECT_EQ(static_cast<int>(p.l3), static_cast<int>(w.l3));
  EXPECT_EQ(p.ethertype, w.ethertype);
  EXPECT_EQ(p.vlan_tags, w.vlan_tags);
  EXPECT_EQ(hex(p.src), hex(key_of(w.src)));
  EXPECT_EQ(hex(p.dst), hex(key_of(w.dst)));
  EXPECT_EQ(p.ip_proto, w.ip_proto);
  EXPECT_STREQ(proto_class_name(p.proto_class), proto_class_name(w.proto_class));
  EXPECT_EQ(p.ipv6_ext_headers, w.ipv6_ext_headers);
  EXPECT_EQ(p.fragment, w.fragment);
  EXPECT_EQ(p.first_fragment, w.first_fragment);
  EXPECT_EQ(p.l4_offset, w.l4_offset);
  EXPECT_EQ(p.l4_parsed, w.l4_parsed);
  EXPECT_EQ(p.sport, w.sport);
  EXPECT_EQ(p.dport, w.dport);
  EXPECT_EQ(p.tcp_flags, w.tcp_flags);
  EXPECT_EQ(p.icmp_type, w.icmp_type);
}

INSTANTIATE_TEST_SUITE_P(Table, ParserFixture, ::testing::ValuesIn(all_fixtures()),
                         [](const ::testing::TestParamInfo<Fixture>& i) { return i.param.name; });

// Every reason (and kNone) is produced by at least one fixture, and the parser agrees.
TEST(ParserCoverage, EveryParseErrorHasAFixture) {
  const auto fixtures = all_fixtures();
  // Reasons from kTruncatedMpls on (decapsulation, link types): decap_test.cpp.
  for (size_t r = 0; r < static_cast<size_t>(ParseError::kTruncatedMpls); ++r) {
    const auto reason = static_cast<ParseError>(r);
    int produced = 0;
    for (const Fixture& f : fixtures) {
      if (f.want.error != reason) continue;
      ParsedPacket p;
      parse_packet(f.frame.data.data(), f.frame.caplen(), f.frame.wire_len, p);
      produced += p.error == reason;
    }
    EXPECT_GT(produced, 0) << "no fixture produces " << parse_error_name(reason);
  }
}

TEST(ParserCoverage, EveryProtoClassHasAFixture) {
  std::set<shm::ProtoClass> seen;
  for (const Fixture& f : all_fixtures())
    if (f.want.error == ParseError::kNone && f.want.l3 != L3::kNone)
      seen.insert(f.want.proto_class);
  EXPECT_EQ(seen.size(), shm::kProtoClassCount);
}

TEST(ParserNames, ErrorNamesAreUniqueAndStable) {
  std::set<std::string> names;
  for (size_t r = 0; r < shm::kParseErrorCount; ++r) {
    const std::string n = parse_error_name(static_cast<ParseError>(r));
    EXPECT_NE(n, "unknown");
    EXPECT_EQ(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_"), std::string::npos) << n;
    names.insert(n);
  }
  EXPECT_EQ(names.size(), shm::kParseErrorCount);
  EXPECT_STREQ(parse_error_name(ParseError::kNone), "none");
  EXPECT_STREQ(parse_error_name(ParseError::kTruncatedTcp), "truncated_tcp");
  EXPECT_STREQ(parse_error_name(ParseError::kCount), "unknown");
}

TEST(ParserNames, ProtoClassNames) {
  EXPECT_STREQ(proto_class_name(shm::ProtoClass::kTcp), "tcp");
  EXPECT_STREQ(proto_class_name(shm::ProtoClass::kUdp), "udp");
  EXPECT_STREQ(proto_class_name(shm::ProtoClass::kIcmp), "icmp");
  EXPECT_STREQ(proto_class_name(shm::ProtoClass::kIgmp), "igmp");
  EXPECT_STREQ(proto_class_name(shm::ProtoClass::kOther), "other");
  EXPECT_STREQ(proto_class_name(shm::ProtoClass::kCount), "unknown");
}

// A previous result must not leak into the next parse (the worker reuses one struct).
TEST(ParserState, OutputIsResetOnEveryCall) {
  const auto fixtures = all_fixtures();
  ParsedPacket p;
  for (const Fixture& f : fixtures) {
    parse_packet(f.frame.data.data(), f.frame.caplen(), f.frame.wire_len, p);
    ParsedPacket fresh;
    parse_packet(f.frame.data.data(), f.frame.caplen(), f.frame.wire_len, fresh);
    EXPECT_EQ(std::memcmp(&p.src, &fresh.src, sizeof p.src), 0) << f.name;
    EXPECT_EQ(p.sport, fresh.sport) << f.name;
    EXPECT_EQ(p.l4_parsed, fresh.l4_parsed) << f.name;
    EXPECT_EQ(p.error, fresh.error) << f.name;
  }
}

}  // namespace
}  // namespace securenet::testing
