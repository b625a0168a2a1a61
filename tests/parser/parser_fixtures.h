// Packet fixture table for the parser: {description, frame built by the builder, expected
// result}. Drives the GoogleTest cases (tests/parser) and the benchmarks (bench/parser).
#pragma once

#include <string>
#include <vector>

#include "securenet/parser.h"
#include "tools/packet_builder.h"

namespace securenet::testing {

// Every field of ParsedPacket that the test compares; anything not named is expected to
// be zero/default. src/dst are textual addresses ("" = not set, all zero).
struct Expect {
  shm::ParseError error = shm::ParseError::kNone;
  L3 l3 = L3::kNone;
  uint16_t ethertype = 0;
  uint8_t vlan_tags = 0;
  const char* src = "";
  const char* dst = "";
  uint8_t ip_proto = 0;
  shm::ProtoClass proto_class = shm::ProtoClass::kOther;
  uint8_t ipv6_ext_headers = 0;
  bool fragment = false;
  bool first_fragment = false;
  uint16_t l4_offset = 0;
  bool l4_parsed = false;
  uint16_t sport = 0;
  uint16_t dport = 0;
  uint8_t tcp_flags = 0;
  uint8_t icmp_type = 0;
};

struct Fixture {
  std::string name;  // [A-Za-z0-9_] only: used as the GoogleTest parameter name
  pkt::Frame frame;
  Expect want;
};

std::vector<Fixture> all_fixtures();

}  // namespace securenet::testing
