// The scan rules' view of one source (issue 13): the dataplane keeps, per host and window
// of packet time (shm::kScanWindowNs), a 64-bit sketch of the hashed destination ports
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
  std::array<uint64_t, kScanSlots> ports{}, hosts{};
};

struct Fanout {
  double ports = 0, hosts = 0;
};

// Linear counting over a 64-bit sketch: -m ln(zero bits / m); a full sketch reads as
// m ln m (about 266, the most it can tell).
double sketch_estimate(uint64_t bits);

// Records window `win`'s sketches (the latest read of it) and returns the estimates over
// the slots within kScanSlots windows of `now_win`.
Fanout update_scan(ScanHistory& h, uint64_t win, uint64_t ports, uint64_t hosts, uint64_t now_win);

// Fan-in (issue 13 item 2): per destination, the dataplane's 256-bit sketch of 1 in 16 of
// its sources (shm::fanin_sampled) per scan window; the sampler keeps the latest read of the
// last kFaninSlots windows, and the estimate is over their union, i.e. the last 15-30 s.
inline constexpr unsigned kFaninSlots = 2;
using FaninBits = std::array<uint64_t, shm::kFaninSketchBits / 64>;

struct FaninHistory {
  std::array<uint64_t, kFaninSlots> win{};  // window number + 1 of each slot (0 = empty)
  std::array<FaninBits, kFaninSlots> bits{};
};

// Distinct sources: kFaninSampleOneIn x linear counting of the sketch, -m ln(zeros / m); a
// full sketch reads as 16 m ln m (about 22,700, the most it can tell).
double fanin_estimate(const FaninBits& bits);

// Records window `win`'s sketch and returns the estimate over the slots within kFaninSlots
// windows of `now_win`.
double update_fanin(FaninHistory& h, uint64_t win, const FaninBits& bits, uint64_t now_win);

}  // namespace securenet::control
