// The clocks both processes use, in one place. All go through clock_gettime, which the
// vDSO serves without a system call (safe on the packet path).
//   wall_ns / wall_ms  CLOCK_REALTIME, UNIX epoch: packet timestamps of live sources, API
//                      and database timestamps
//   mono_ns / mono_s   CLOCK_MONOTONIC: heartbeats, pacing, deadlines, durations
#pragma once

#include <time.h>

#include <cstdint>

namespace securenet {

inline uint64_t wall_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

inline int64_t wall_ms() noexcept { return static_cast<int64_t>(wall_ns() / 1000000ULL); }

inline uint64_t mono_ns() noexcept {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

inline int64_t mono_s() noexcept { return static_cast<int64_t>(mono_ns() / 1000000000ULL); }

}  // namespace securenet
