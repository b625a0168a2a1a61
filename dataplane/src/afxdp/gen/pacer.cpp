#include <time.h>

#include "afxdp/gen/sender.h"

namespace securenet::gen {
namespace {
uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000u + uint64_t(ts.tv_nsec);
}
}  // namespace

Pacer::Pacer(double pps) : pps_(pps), start_ns_(now_ns()) {}

void Pacer::wait(uint64_t done) const {
  if (pps_ <= 0) return;
  const uint64_t due = start_ns_ + static_cast<uint64_t>(double(done) * 1e9 / pps_);
  timespec ts{static_cast<time_t>(due / 1000000000u), static_cast<long>(due % 1000000000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

double Pacer::elapsed() const { return double(now_ns() - start_ns_) / 1e9; }

}  // namespace securenet::gen
