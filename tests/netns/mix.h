// The packet mix the capture tests send, with what each frame must add to the counters.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "securenet/shm_layout.h"
#include "tools/packet_builder.h"

namespace securenet::netns_test {

struct MixFrame {
  std::string what;
  pkt::Frame frame;
  bool malformed = false;  // its hosts (10.9.9.x) are not checked, one parse error each
  std::string src, dst;    // well-formed IP frames: the hosts it counts for
  shm::ProtoClass cls = shm::ProtoClass::kOther;
  bool vlan = false, fragment = false, syn = false;
};

struct HostExpect {
  uint64_t sent = 0, bytes_sent = 0, recv = 0, bytes_recv = 0, syn_sent = 0;
  uint64_t cls[shm::kProtoClassCount] = {};
};

std::vector<MixFrame> build_mix();

// Expected per-host counters when every frame of `mix` is sent `times` times.
std::map<std::string, HostExpect> expected_hosts(const std::vector<MixFrame>& mix, uint64_t times);

}  // namespace securenet::netns_test
