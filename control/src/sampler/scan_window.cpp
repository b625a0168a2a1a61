#include "sampler/scan_window.h"

#include <cmath>

namespace securenet::control {

double sketch_estimate(const std::array<uint64_t, 2>& bits) {
  constexpr double m = shm::kScanSketchBits;
  const int set = __builtin_popcountll(bits[0]) + __builtin_popcountll(bits[1]);
  const double zeros = m - set;
  if (zeros <= 0) return m * std::log(m);
  return -m * std::log(zeros / m);
}

Fanout update_scan(ScanHistory& h, uint64_t win, const std::array<uint64_t, 2>& ports,
                   const std::array<uint64_t, 2>& hosts, uint64_t now_win) {
  if (win != 0 && win + kScanSlots > now_win) {
    const unsigned s = win % kScanSlots;
    if (h.win[s] != win) {
      h.win[s] = win;
      h.ports[s] = ports;
      h.hosts[s] = hosts;
    } else {  // the same window read again: its bits only grow (OR keeps a restart's too)
      for (unsigned i = 0; i < 2; ++i) {
        h.ports[s][i] |= ports[i];
        h.hosts[s][i] |= hosts[i];
      }
    }
  }
  std::array<uint64_t, 2> p{}, q{};
  for (unsigned s = 0; s < kScanSlots; ++s) {
    if (h.win[s] == 0 || h.win[s] + kScanSlots <= now_win) continue;
    for (unsigned i = 0; i < 2; ++i) {
      p[i] |= h.ports[s][i];
      q[i] |= h.hosts[s][i];
    }
  }
  return {sketch_estimate(p), sketch_estimate(q)};
}

}  // namespace securenet::control
