#include "app/cli.h"

#include <getopt.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace securenet {
namespace {

constexpr uint64_t kDefaultHostIdleS = 300;
constexpr uint64_t kMinHostIdleS = 120;     // > 2 x the control plane's longest --tick-ms (60 s)
constexpr uint64_t kMaxHostIdleS = 604800;  // a week

enum Opt {
  kSource = 256,
  kTarget,
  kWorkers,
  kInstance,
  kHostCap,
  kRingCap,
  kLoops,
  kPreload,
  kRate,
  kCpus,
  kXdpMode,
  kXdpBind,
  kEal,
  kKeepShm,
  kStats,
  kStatsJson,
  kTop,
  kBurst,
  kShmMode,
  kRingSize,
  kDecap,
  kVxlanPorts,
  kHelp,
  kDedupeUs,
  kTiming,
  kSpeed,
  kHostIdle,
  kIpv6Prefix,
  kBufferMs,
  kExpectedPps,
  kBusyPollUs,
  kSchedFifo,
  kInline
};

const option kLong[] = {{"source", required_argument, nullptr, kSource},
                        {"target", required_argument, nullptr, kTarget},
                        {"workers", required_argument, nullptr, kWorkers},
                        {"instance", required_argument, nullptr, kInstance},
                        {"host-capacity", required_argument, nullptr, kHostCap},
                        {"ring-capacity", required_argument, nullptr, kRingCap},
                        {"loops", required_argument, nullptr, kLoops},
                        {"preload", no_argument, nullptr, kPreload},
                        {"rate", required_argument, nullptr, kRate},
                        {"cpus", required_argument, nullptr, kCpus},
                        {"xdp-mode", required_argument, nullptr, kXdpMode},
                        {"xdp-bind", required_argument, nullptr, kXdpBind},
                        {"eal", required_argument, nullptr, kEal},
                        {"keep-shm", no_argument, nullptr, kKeepShm},
                        {"stats", no_argument, nullptr, kStats},
                        {"stats-json", required_argument, nullptr, kStatsJson},
                        {"top", required_argument, nullptr, kTop},
                        {"burst", required_argument, nullptr, kBurst},
                        {"shm-mode", required_argument, nullptr, kShmMode},
                        {"ring-size", required_argument, nullptr, kRingSize},
                        {"decap", required_argument, nullptr, kDecap},
                        {"vxlan-ports", required_argument, nullptr, kVxlanPorts},
                        {"help", no_argument, nullptr, kHelp},
                        {"dedupe-us", required_argument, nullptr, kDedupeUs},
                        {"timing", required_argument, nullptr, kTiming},
                        {"speed", required_argument, nullptr, kSpeed},
                        {"host-idle-s", required_argument, nullptr, kHostIdle},
                        {"ipv6-prefix", required_argument, nullptr, kIpv6Prefix},
                        {"buffer-ms", required_argument, nullptr, kBufferMs},
                        {"expected-pps", required_argument, nullptr, kExpectedPps},
                        {"busy-poll-us", required_argument, nullptr, kBusyPollUs},
                        {"inline", required_argument, nullptr, kInline},
                        {"sched-fifo", required_argument, nullptr, kSchedFifo},
                        {nullptr, 0, nullptr, 0}};

Result<uint64_t> number(const char* opt, const char* text, uint64_t lo, uint64_t hi,
                        int base = 10) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, base);
  if (errno || !*text || *end || text[0] == '-' || v < lo || v > hi) {
    return make_error(std::string("--") + opt + " wants a number in " + std::to_string(lo) + ".." +
                      std::to_string(hi) + ", got '" + text + "'");
  }
  return static_cast<uint64_t>(v);
}

Result<shm::SourceKind> source_kind(const std::string& s) {
  if (const auto k = shm::source_kind_of(s); k != shm::SourceKind::kNone) return k;
  return make_error("--source must be pcap, afpacket, afxdp or dpdk, got '" + s + "'");
}

Result<std::vector<int>> cpu_list(const std::string& s) {
  std::vector<int> cpus;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto dash = item.find('-');
    auto lo = number("cpus", item.substr(0, dash).c_str(), 0, 4095);
    auto hi =
        dash == std::string::npos ? lo : number("cpus", item.substr(dash + 1).c_str(), 0, 4095);
    if (!lo || !hi || *hi < *lo)
      return make_error("--cpus wants a list like 2,3 or 2-5, got '" + s + "'");
    for (uint64_t c = *lo; c <= *hi; ++c) cpus.push_back(static_cast<int>(c));
  }
  if (cpus.empty()) return make_error("--cpus wants a list like 2,3 or 2-5");
  return cpus;
}

Status vxlan_ports(const std::string& s, ParseConfig& cfg) {
  std::vector<uint16_t> ports;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto p = number("vxlan-ports", item.c_str(), 1, 65535);
    if (!p) return p.error();
    ports.push_back(static_cast<uint16_t>(*p));
  }
  if (!cfg.set_vxlan_ports(ports.data(), ports.size())) {
    return make_error("--vxlan-ports wants 1.." + std::to_string(kMaxVxlanPorts) +
                      " ports like 4789,8472, got '" + s + "'");
  }
  return Ok{};
}

// --speed: a plain decimal in [0.01, 10000] (no inf, nan, hex or exponent tricks).
Result<double> speed_of(const char* text) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text, &end);
  const bool plain =
      *text && std::string(text).find_first_not_of("0123456789.") == std::string::npos;
  if (errno || !plain || *end || !(v >= 0.01 && v <= 10000)) {
    return make_error(
        std::string("--speed wants a number in 0.01..10000 (1 = recorded speed), got '") + text +
        "'");
  }
  return v;
}

std::vector<std::string> split_spaces(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string w;
  while (ss >> w) out.push_back(w);
  return out;
}

// Applies one option; false + error on bad values.
Status apply(DataplaneOptions& o, int c, const char* arg) {
  auto num = [&](const char* name, uint64_t lo, uint64_t hi, uint64_t& dst,
                 int base = 10) -> Status {
    auto v = number(name, arg, lo, hi, base);
    if (!v) return v.error();
    dst = *v;
    return Ok{};
  };
  uint64_t v = 0;
  Status st = Ok{};
  switch (c) {
    case kSource: {
      auto k = source_kind(arg);
      if (!k) return k.error();
      o.source.kind = *k;
      return Ok{};
    }
    case kTarget:
      o.source.target = arg;
      return Ok{};
    case kWorkers:
      st = num("workers", 1, shm::kMaxWorkers, v);
      o.source.workers = o.segment.workers = static_cast<unsigned>(v);
      return st;
    case kInstance:
      o.segment.instance = arg;
      return Ok{};
    case kHostCap:
      st = num("host-capacity", 1, kMaxHostCapacity, o.segment.host_capacity);
      return st;
    case kRingCap:
      return num("ring-capacity", 1, kMaxRingCapacity, o.segment.ring_capacity);
    case kLoops:
      return num("loops", 0, UINT64_MAX, o.source.loops);
    case kPreload:
      o.source.preload = true;
      return Ok{};
    case kRate:
      st = num("rate", 0, 1'000'000'000'000ULL, v);
      o.source.rate_pps = static_cast<double>(v);
      return st;
    case kCpus: {
      auto l = cpu_list(arg);
      if (!l) return l.error();
      o.cpus = *l;
      return Ok{};
    }
    case kXdpMode:
      o.source.xdp_mode = arg;
      return Ok{};
    case kXdpBind:
      o.source.xdp_bind = arg;
      return Ok{};
    case kEal:
      o.source.eal_args = split_spaces(arg);
      return Ok{};
    case kKeepShm:
      o.segment.keep = true;
      return Ok{};
    case kStats:
      o.stats = true;
      return Ok{};
    case kStatsJson:
      o.stats_json = arg;
      return Ok{};
    case kTop:
      st = num("top", 0, 100000, v);
      o.top = static_cast<unsigned>(v);
      return st;
    case kBurst:
      st = num("burst", 1, 64, v);
      o.burst = static_cast<uint32_t>(v);
      return st;
    case kShmMode:
      st = num("shm-mode", 0, 0777, v, 8);
      o.segment.mode = static_cast<unsigned>(v);
      return st;
    case kRingSize:
      st = num("ring-size", 64, 1u << 20, v);
      o.source.ring_size = static_cast<uint32_t>(v);
      return st;
    case kDecap:
      if (!decap_from_name(arg, o.parse.decap)) {
        return make_error(std::string("--decap must be inner, outer or both, got '") + arg + "'");
      }
      return Ok{};
    case kVxlanPorts:
      return vxlan_ports(arg, o.parse);
    case kHelp:
      o.help = true;
      return Ok{};
    case kDedupeUs:
      return num("dedupe-us", 0, Dedupe::kMaxWindowUs, o.dedupe_us);
    case kTiming:
      if (std::string(arg) != "recorded" && std::string(arg) != "rate") {
        return make_error(std::string("--timing must be recorded or rate, got '") + arg + "'");
      }
      o.source.timing_recorded = std::string(arg) == "recorded";
      return Ok{};
    case kSpeed: {
      auto sp = speed_of(arg);
      if (!sp) return sp.error();
      o.source.speed = *sp;
      o.speed_given = true;
      return Ok{};
    }
    case kHostIdle:  // the control plane samples at least every 60 s: age out after 2 ticks at
                     // least
      st = num("host-idle-s", 0, kMaxHostIdleS, o.segment.host_idle_s);
      if (st && o.segment.host_idle_s != 0 && o.segment.host_idle_s < kMinHostIdleS) {
        return make_error("--host-idle-s wants 0 (never) or " + std::to_string(kMinHostIdleS) +
                          ".." + std::to_string(kMaxHostIdleS) +
                          " (longer than two of the control plane's longest ticks), got '" + arg +
                          "'");
      }
      return st;
    case kIpv6Prefix:
      st = num("ipv6-prefix", 32, 128, v);
      o.parse.ipv6_prefix = static_cast<uint8_t>(v);
      return st;
    case kBufferMs:
      return num("buffer-ms", 1, 1000, o.buffer_ms);
    case kExpectedPps:
      return num("expected-pps", 1000, 100'000'000, o.expected_pps);
    case kBusyPollUs:
      st = num("busy-poll-us", 0, 1000, v);
      o.source.busy_poll_us = static_cast<uint32_t>(v);
      return st;
    case kInline:
      if (!*arg || std::strlen(arg) > 15 || std::strchr(arg, ',') || std::strchr(arg, '/'))
        return make_error("--inline: an interface name of 1..15 characters");
      o.source.inline_if = arg;
      return Ok{};
    case kSchedFifo:
      st = num("sched-fifo", 1, 99, v);
      o.sched_fifo = static_cast<int>(v);
      return st;
  }
  return make_error("unknown option (see --help)");
}

}  // namespace

const char* usage_text() {
  return R"(Usage: securenet-dataplane --source KIND --target WHERE [options] [-- EAL args]

Captures packets, parses them in place and counts per host and per protocol into the
shared-memory segment /dev/shm/securenet-<instance>, which securenet-control reads.

Source:
  --source pcap|afpacket|afxdp|dpdk   packet source (default pcap)
  --target FILE|IFACE|PORT            pcap/pcapng file, interface, or DPDK port/vdev;
                                      afpacket/afxdp/dpdk: a list eth1,eth2 (up to 16)
  --workers N                         worker threads, one source queue each (default 1);
                                      with a list of interfaces, N per interface
  --cpus LIST                         pin workers to CPUs, e.g. 2,3 or 2-5
  --burst N                           packets per burst, 1..64 (default 32)
  --loops N                           pcap: replay the file N times, 0 = forever (default 1)
  --preload                           pcap: read the whole file into memory first
  --rate PPS                          pcap: pace the replay at PPS packets/s in total
  --timing recorded|rate              pcap: recorded = replay at the capture's own timing
                                      (each packet at its offset from the first); rate =
                                      --rate or as fast as possible (default)
  --speed X                           pcap, recorded timing: X times the recorded speed,
                                      0.01..10000 (default 1; 2 = twice as fast)
  --xdp-mode auto|native|generic      afxdp: XDP attach mode (default auto)
  --xdp-bind auto|zerocopy|copy       afxdp: socket bind mode (default auto)
  --ring-size N                       afpacket/afxdp/dpdk ring depth (default 4096;
                                      afxdp: from --buffer-ms and --expected-pps)
  --buffer-ms N                       afxdp: RX ring and UMEM hold N ms of packets at
                                      --expected-pps, 1..1000 (default 50; ring 131072,
                                      UMEM 256 MiB per queue)
  --expected-pps N                    afxdp: packets/s per queue the buffer is sized for
                                      (default 2000000)
  --busy-poll-us N                    afxdp: SO_PREFER_BUSY_POLL with SO_BUSY_POLL N µs,
                                      0..1000 (default 0 = off; needs the driver's
                                      napi_defer_hard_irqs, see the AF_XDP README)
  --inline OUT_IF                     afxdp: inline sensor: every frame received on the
                                      target is sent on OUT_IF after it was counted, and
                                      every frame received on OUT_IF back on the target
                                      (AF_XDP, shared UMEM; falls back to AF_PACKET, target
                                      -> OUT_IF only, and says so); the drop list (control
                                      plane blocks, mode xdp) filters sources arriving on
                                      the target, dropped in XDP before the socket
  --sched-fifo PRIO                   run the workers SCHED_FIFO at PRIO 1..99 (a CPU hog
                                      cannot preempt them; give them cores of their own)
  --eal "ARGS"                        dpdk: EAL arguments (split on spaces); or after --
Parsing:
  --decap inner|outer|both            hosts of tunnelled packets: the innermost IP layer
                                      (default), the outermost, or both
  --vxlan-ports LIST                  UDP ports read as VXLAN (default 4789; up to 8)
  --dedupe-us N                       drop a frame identical (but for TTL/hop limit and
                                      IPv4 checksum) to one seen N µs before on the same
                                      worker, counted as duplicates (0..1000000, default 0 = off)
  --ipv6-prefix N                     count IPv6 hosts per /N network, 32..128 (default 128)
Shared memory:
  --instance NAME                     segment securenet-NAME (default "default")
  --host-capacity N                   hosts per worker, rounded up to a power of two
                                      (default 65536, max 16777216)
  --ring-capacity N                   sampled records per worker (default 4096)
  --host-idle-s N                     hosts idle N s (packet time) leave the host table;
                                      0 = never, else 120..604800 (default 300; pcap: 0)
  --shm-mode OCTAL                    file mode of the segment (default 0660)
  --keep-shm                          leave the segment in /dev/shm on exit
Output:
  --stats                             print a summary when the source ends or on SIGINT
  --stats-json FILE                   write the summary as JSON to FILE
  --top N                             hosts listed in the summary (default 10)
  --help                              this text

With --workers N and a pcap file, worker w counts packets w, w+N, w+2N, ... of the file.
Exit codes: 0 done, 1 runtime error (unreadable file, segment in use), 2 bad usage.
)";
}

Result<DataplaneOptions> parse_cli(int argc, char** argv) {
  DataplaneOptions o;
  o.source.kind = shm::SourceKind::kPcap;
  bool ring_size_given = false;
  bool host_idle_given = false;
  opterr = 0;
  optind = 1;
  for (;;) {
    const int c = getopt_long(argc, argv, ":h", kLong, nullptr);
    if (c == -1) break;
    if (c == 'h') {
      o.help = true;
      continue;
    }
    if (c == '?' || c == ':') {
      const std::string bad = optind - 1 < argc ? argv[optind - 1] : "?";
      return make_error(c == ':' ? "option " + bad + " needs a value"
                                 : "unknown option " + bad + " (see --help)");
    }
    if (auto st = apply(o, c, optarg); !st) return st.error();
    ring_size_given |= c == kRingSize;
    host_idle_given |= c == kHostIdle;
  }
  for (int i = optind; i < argc; ++i) o.source.eal_args.push_back(argv[i]);
  if (o.help) return o;
  if (!o.source.eal_args.empty() && o.source.kind != shm::SourceKind::kDpdk) {
    return make_error(
        "extra arguments after the options are EAL arguments, only for --source dpdk");
  }
  if (o.source.target.empty() && o.source.kind != shm::SourceKind::kDpdk) {
    return make_error(std::string("--source ") + shm::source_kind_name(o.source.kind) +
                      " needs --target");
  }
  if (auto n = segment_name(o.segment.instance); !n) return n.error();
  auto targets = target_list(o.source.kind, o.source.target);
  if (!targets) return targets.error();
  if (targets->size() * o.source.workers > shm::kMaxWorkers) {
    return make_error("--workers " + std::to_string(o.source.workers) + " for each of " +
                      std::to_string(targets->size()) + " interfaces is more than " +
                      std::to_string(shm::kMaxWorkers) + " workers");
  }
  if (o.source.timing_recorded && o.source.kind != shm::SourceKind::kPcap) {
    return make_error("--timing recorded is for --source pcap");
  }
  if (o.source.timing_recorded && o.source.rate_pps > 0)
    return make_error("--timing recorded and --rate exclude each other");
  if (o.speed_given && !o.source.timing_recorded)
    return make_error("--speed needs --timing recorded");
  o.segment.source_kind = o.source.kind;
  o.segment.source_name = o.source.target;
  // AF_XDP: the RX ring absorbs what arrives while the worker is off its CPU (preempted by
  // another task for a scheduler slice, ~10-25 ms); sized to hold --buffer-ms at
  // --expected-pps (dataplane/src/sources/afxdp/README.md).
  if (!ring_size_given && o.source.kind == shm::SourceKind::kAfXdp)
    o.source.ring_size = static_cast<uint32_t>(
        std::min<uint64_t>(1u << 20, std::max<uint64_t>(64, o.expected_pps * o.buffer_ms / 1000)));
  if ((o.buffer_ms != kDefaultBufferMs || o.expected_pps != kDefaultExpectedPps) &&
      (ring_size_given || o.source.kind != shm::SourceKind::kAfXdp))
    return make_error("--buffer-ms and --expected-pps size the afxdp rings; not with --ring-size");
  if (o.source.busy_poll_us && o.source.kind != shm::SourceKind::kAfXdp)
    return make_error("--busy-poll-us is for --source afxdp");
  if (!o.source.inline_if.empty() && o.source.kind != shm::SourceKind::kAfXdp)
    return make_error("--inline is for --source afxdp");
  if (!o.source.inline_if.empty() && o.source.target.find(',') != std::string::npos)
    return make_error("--inline takes one capture interface (--target without a list)");
  o.segment.inline_out_if = o.source.inline_if;
  o.segment.drop_filter = o.source.kind == shm::SourceKind::kAfXdp;
  // A replayed capture lists every host of the file unless ageing is asked for.
  if (!host_idle_given)
    o.segment.host_idle_s = o.source.kind == shm::SourceKind::kPcap ? 0 : kDefaultHostIdleS;
  return o;
}

}  // namespace securenet
