#include <time.h>

#include "securenet/common/clock.h"
#include "tools/gen/sender.h"

namespace securenet::gen {
namespace {}  // namespace

Pacer::Pacer(double pps, uint64_t max_lag_ns)
    : pps_(pps), max_lag_ns_(max_lag_ns), start_ns_(mono_ns()), epoch_ns_(start_ns_) {}

void Pacer::wait(uint64_t done) {
  if (pps_ <= 0) return;
  const uint64_t due = epoch_ns_ + static_cast<uint64_t>(double(done - epoch_done_) * 1e9 / pps_);
  const uint64_t now = mono_ns();
  if (now > due + max_lag_ns_) {  // too far behind (a stall): do not burst it all out
    epoch_ns_ = now - max_lag_ns_;
    epoch_done_ = done;
    return;
  }
  timespec ts{static_cast<time_t>(due / 1000000000u), static_cast<long>(due % 1000000000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

double Pacer::elapsed() const { return double(mono_ns() - start_ns_) / 1e9; }

}  // namespace securenet::gen
