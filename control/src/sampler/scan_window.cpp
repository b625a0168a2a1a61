#include "sampler/scan_window.h"

#include <cmath>

namespace securenet::control {

double sketch_estimate(uint64_t bits) {
  static_assert(shm::kScanSketchBits == 64, "one word");
  constexpr double m = shm::kScanSketchBits;
  const int set = __builtin_popcountll(bits);
  const double zeros = m - set;
  if (zeros <= 0) return m * std::log(m);
  return -m * std::log(zeros / m);
}

Fanout update_scan(ScanHistory& h, uint64_t win, uint64_t ports, uint64_t hosts, uint64_t now_win) {
  if (win != 0 && win + kScanSlots > now_win) {
    const unsigned s = win % kScanSlots;
    if (h.win[s] != win) {
      h.win[s] = win;
      h.ports[s] = ports;
      h.hosts[s] = hosts;
    } else {  // the same window read again: its bits only grow (OR keeps a restart's too)
      h.ports[s] |= ports;
      h.hosts[s] |= hosts;
    }
  }
  uint64_t p = 0, q = 0;
  for (unsigned s = 0; s < kScanSlots; ++s) {
    if (h.win[s] == 0 || h.win[s] + kScanSlots <= now_win) continue;
    p |= h.ports[s];
    q |= h.hosts[s];
  }
  return {sketch_estimate(p), sketch_estimate(q)};
}

double fanin_estimate(const FaninBits& bits) {
  constexpr double m = shm::kFaninSketchBits;
  int set = 0;
  for (uint64_t w : bits) set += __builtin_popcountll(w);
  const double zeros = m - set;
  const double sampled = zeros <= 0 ? m * std::log(m) : -m * std::log(zeros / m);
  return sampled * static_cast<double>(shm::kFaninSampleOneIn);
}

double update_fanin(FaninHistory& h, uint64_t win, const FaninBits& bits, uint64_t now_win) {
  if (win != 0 && win + kFaninSlots > now_win) {
    const unsigned s = win % kFaninSlots;
    if (h.win[s] != win) {
      h.win[s] = win;
      h.bits[s] = bits;
    } else {  // the same window read again: its bits only grow
      for (size_t i = 0; i < bits.size(); ++i) h.bits[s][i] |= bits[i];
    }
  }
  FaninBits u{};
  for (unsigned s = 0; s < kFaninSlots; ++s) {
    if (h.win[s] == 0 || h.win[s] + kFaninSlots <= now_win) continue;
    for (size_t i = 0; i < u.size(); ++i) u[i] |= h.bits[s][i];
  }
  return fanin_estimate(u);
}

}  // namespace securenet::control
