// Time helpers: wall clock in epoch ms (API timestamps) and the monotonic clock in ns
// (the dataplane's heartbeats use CLOCK_MONOTONIC).
#pragma once

#include <time.h>

#include <cstdint>

namespace securenet::control {

inline int64_t wall_ms() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

inline uint64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace securenet::control
