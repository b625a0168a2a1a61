// securenet-rxonly: the DPDK packet source alone (rx_burst + mbuf free, no parsing or
// counting), the same work as dpdk-testpmd --forward-mode=rxonly. The line-rate harness
// runs it next to testpmd and securenet-dataplane to split the dataplane's cost per packet
// into "source" and "parse + count".
//
//   securenet-rxonly --target net_pcap0 --seconds 4 [--burst 32] -- <EAL args>
// Prints one JSON object: packets, seconds, cpu_s, pps, pps_per_cpu.
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "sources/dpdk/dpdk_source.h"

namespace {

double clock_s(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  securenet::SourceOptions o;
  o.kind = securenet::shm::SourceKind::kDpdk;
  double seconds = 4;
  uint32_t burst = 32;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) o.eal_args.emplace_back(argv[i]);
    } else if (a == "--target" && i + 1 < argc) {
      o.target = argv[++i];
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (a == "--burst" && i + 1 < argc) {
      burst = static_cast<uint32_t>(std::atoi(argv[++i]));
    } else if (a == "--ring-size" && i + 1 < argc) {
      o.ring_size = static_cast<uint32_t>(std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr,
                   "usage: securenet-rxonly --target DEV [--seconds S] [--burst N] "
                   "[--ring-size N] -- EAL-ARGS\n");
      return 2;
    }
  }
  if (burst == 0 || burst > 256) burst = 32;
  auto sources = securenet::make_dpdk_sources(o);
  if (!sources) {
    std::fprintf(stderr, "securenet-rxonly: %s\n", sources.error().message.c_str());
    return 1;
  }
  securenet::PacketSource& src = *sources->front();
  securenet::PacketView views[256];
  uint64_t packets = 0;
  const double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
  double now = t0;
  while (now - t0 < seconds) {
    for (int k = 0; k < 1024; ++k) packets += src.rx_burst(views, burst);
    now = clock_s(CLOCK_MONOTONIC);
  }
  const double cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0, wall = now - t0;
  std::printf(
      "{\"packets\": %llu, \"seconds\": %.3f, \"cpu_s\": %.3f, \"pps\": %.1f, "
      "\"pps_per_cpu\": %.1f}\n",
      static_cast<unsigned long long>(packets), wall, cpu, packets / wall,
      cpu > 0 ? packets / cpu : 0.0);
  return 0;
}
