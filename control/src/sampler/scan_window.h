// The scan rules' view of one source (issue 13): the dataplane keeps, per host and window
// of packet time (shm::kScanWindowNs), a 128-bit sketch of the hashed destination ports
// and one of the hashed destination hosts of its probes; the sampler keeps the latest
// sketch of each of the last kScanSlots windows and estimates the distinct values of their
// union (linear counting), i.e. over the last 45-60 s.
#pragma once

#include <array>
#include <cstdint>

#include "securenet/shm_layout.h"

namespace securenet::control {

inline constexpr unsigned kScanSlots = 4;  // x 15 s windows: a union over 45-60 s

struct ScanHistory {
  std::array<uint64_t, kScanSlots> win{};  // window number + 1 of each slot (0 = empty)
  std::array<std::array<uint64_t, 2>, kScanSlots> ports{}, hosts{};
};

struct Fanout {
  double ports = 0, hosts = 0;
};

// Linear counting over a 128-bit sketch: -m ln(zero bits / m); a full sketch reads as
// m ln m (about 621, the most it can tell).
double sketch_estimate(const std::array<uint64_t, 2>& bits);

// Records window `win`'s sketches (the latest read of it) and returns the estimates over
// the slots within kScanSlots windows of `now_win`.
Fanout update_scan(ScanHistory& h, uint64_t win, const std::array<uint64_t, 2>& ports,
                   const std::array<uint64_t, 2>& hosts, uint64_t now_win);

}  // namespace securenet::control
