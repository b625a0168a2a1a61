// securenet-gen: sends a capture file or a synthetic mix into an interface, paced or as fast
// as possible, and stops at an exact count. See usage() for the command line.
#include <signal.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tools/gen/frames.h"
#include "tools/gen/sender.h"

namespace {

using namespace securenet;

constexpr const char* kUsage =
    "usage: securenet-gen --dev IFNAME (--pcap FILE | --mix mixed|udp) [options]\n"
    "  --dev IFNAME      interface to send on (with --mode live: one end of a veth pair;\n"
    "                    the frames arrive at its peer, which must have an XDP program)\n"
    "  --pcap FILE       send the frames of this capture (Ethernet), in order, cycling\n"
    "  --mix NAME        synthetic frames: 'mixed' (IPv4/IPv6 TCP/UDP/ICMP, VLAN, QinQ,\n"
    "                    fragments, ARP, malformed) or 'udp' (see --hosts, --size)\n"
    "  --hosts N         'udp' mix: distinct source addresses 10.x.y.z (default 1)\n"
    "  --size BYTES      'udp' mix: frame size without FCS, 60..1514 (default 60)\n"
    "  --count N         exact number of frames to send (default: one of each frame)\n"
    "  --pps RATE        total rate in packets/s (default 0 = as fast as possible)\n"
    "  --mode MODE       auto (live, else packet) | live (BPF_PROG_RUN live frames,\n"
    "                    XDP_TX; at most 4096 distinct frames of 14..1536 bytes; several\n"
    "                    Mpps) | packet (AF_PACKET sendmmsg; any interface)  (default auto)\n"
    "  --max-lag-ms MS   when paced and late after a stall, catch up at most MS ms of\n"
    "                    traffic at full speed (default 10)\n"
    "  --batch N         frames per system call / live-frames batch (default 64, live\n"
    "                    at most 256)\n"
    "  --json            print the result as one JSON object\n"
    "Prints: sent=N seconds=S pps=R mode=M, or with --json {\"sent\",\"requested\",\n"
    "\"seconds\",\"pps\",\"mode\",\"distinct_frames\"}. `sent` counts frames handed to the\n"
    "interface (live: XDP_TX verdicts); a full receive queue on the peer still drops. Exit 0 when\n"
    "exactly --count frames were sent, 1 when interrupted (SIGINT/SIGTERM), 2 on error.\n";

struct Args {
  std::string dev, pcap, mix, mode = "auto";
  uint64_t count = 0;
  double pps = 0;
  uint32_t batch = 64, hosts = 1, size = 60;
  double max_lag_ms = 10;
  bool json = false;
};

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--help" || k == "-h") return false;
    if (k == "--json") {
      a.json = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "gen: %s needs a value\n", k.c_str());
      return false;
    }
    const char* v = argv[++i];
    if (k == "--dev")
      a.dev = v;
    else if (k == "--pcap")
      a.pcap = v;
    else if (k == "--mix")
      a.mix = v;
    else if (k == "--mode")
      a.mode = v;
    else if (k == "--count")
      a.count = std::strtoull(v, nullptr, 10);
    else if (k == "--pps")
      a.pps = std::strtod(v, nullptr);
    else if (k == "--max-lag-ms")
      a.max_lag_ms = std::strtod(v, nullptr);
    else if (k == "--batch")
      a.batch = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
    else if (k == "--hosts")
      a.hosts = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
    else if (k == "--size")
      a.size = static_cast<uint32_t>(std::strtoul(v, nullptr, 10));
    else {
      std::fprintf(stderr, "gen: unknown option %s\n", k.c_str());
      return false;
    }
  }
  if (a.dev.empty() || a.pcap.empty() == a.mix.empty()) {
    std::fprintf(stderr, "gen: need --dev and exactly one of --pcap / --mix\n");
    return false;
  }
  if (a.mode != "auto" && a.mode != "live" && a.mode != "packet") {
    std::fprintf(stderr, "gen: --mode must be auto, live or packet\n");
    return false;
  }
  if (a.batch == 0 || a.batch > 4096) a.batch = 64;
  return true;
}

std::atomic<bool> g_stop{false};  // written only by the signal handler
void on_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  auto frames = a.pcap.empty() ? gen::build_mix(a.mix, a.hosts, a.size) : gen::load_pcap(a.pcap);
  if (!frames) {
    std::fprintf(stderr, "%s\n", frames.error().message.c_str());
    return 2;
  }
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  gen::SendPlan plan{a.dev,   &*frames, a.count ? a.count : frames->size(),       a.pps,
                     a.batch, &g_stop,  static_cast<uint64_t>(a.max_lag_ms * 1e6)};
  std::string mode = a.mode == "auto" ? (gen::live_supported() ? "live" : "packet") : a.mode;
  Result<gen::SendResult> r = mode == "live" ? gen::send_live(plan) : gen::send_packet(plan);
  if (!r && a.mode == "auto" && mode == "live") {
    std::fprintf(stderr, "%s; falling back to --mode packet\n", r.error().message.c_str());
    mode = "packet";
    r = gen::send_packet(plan);
  }
  if (!r) {
    std::fprintf(stderr, "%s\n", r.error().message.c_str());
    return 2;
  }
  const double rate = r->seconds > 0 ? double(r->sent) / r->seconds : 0;
  if (a.json)
    std::printf(
        "{\"sent\":%llu,\"requested\":%llu,\"seconds\":%.6f,\"pps\":%.0f,\"mode\":\"%s\","
        "\"distinct_frames\":%zu}\n",
        static_cast<unsigned long long>(r->sent), static_cast<unsigned long long>(plan.count),
        r->seconds, rate, mode.c_str(), frames->size());
  else
    std::printf("sent=%llu seconds=%.6f pps=%.0f mode=%s\n",
                static_cast<unsigned long long>(r->sent), r->seconds, rate, mode.c_str());
  return r->sent == plan.count ? 0 : 1;
}
