// securenet-bench-segment: creates a dataplane segment holding N hosts (the core's Segment
// and HostTable, as the dataplane writes them) and keeps it alive, bumping every host's
// counters once per second (a tenth of them every 100 ms) with a fresh heartbeat, so
// securenet-control can be measured against a large live table.
//   securenet-bench-segment --instance NAME --hosts 1000000
#include <signal.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/host_table.h"
#include "segment/writer.h"

namespace {
volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }
uint64_t mono_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
  std::string instance = "bench";
  uint64_t hosts = 1000000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--instance"))
      instance = argv[i + 1];
    else if (!std::strcmp(argv[i], "--hosts"))
      hosts = std::strtoull(argv[i + 1], nullptr, 10);
  }
  securenet::SegmentOptions o;
  o.instance = instance;
  o.host_capacity = hosts * 2;
  o.source_kind = securenet::shm::SourceKind::kPcap;
  o.source_name = "bench";
  auto seg = securenet::Segment::create(o);
  if (!seg) {
    std::fprintf(stderr, "securenet-bench-segment: %s\n", seg.error().message.c_str());
    return 1;
  }
  auto& c = seg->counters(0);
  securenet::HostTable table(seg->hosts(0), seg->host_capacity(0), &c);
  std::vector<securenet::shm::HostEntry*> entries;
  entries.reserve(hosts);
  for (uint64_t i = 0; i < hosts; ++i) {
    securenet::shm::IpKey k{};
    k.bytes[10] = k.bytes[11] = 0xff;
    uint32_t a = 0x0A000000u + static_cast<uint32_t>(i) + 1;  // 10.0.0.1 ...
    k.bytes[12] = uint8_t(a >> 24);
    k.bytes[13] = uint8_t(a >> 16);
    k.bytes[14] = uint8_t(a >> 8);
    k.bytes[15] = uint8_t(a);
    if (auto* e = table.find_or_insert(k)) entries.push_back(e);
  }
  securenet::shm::bump(c.hosts_in_table, entries.size());
  std::fprintf(stderr, "securenet-bench-segment: %s with %zu hosts\n", seg->name().c_str(),
               entries.size());
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  for (uint64_t round = 0; !g_stop; ++round) {
    uint64_t packets = 0;
    for (size_t i = round % 10; i < entries.size(); i += 10) {
      uint64_t n = 1 + (i % 7);
      securenet::shm::bump(entries[i]->packets_sent, n);
      securenet::shm::bump(entries[i]->bytes_sent, n * 200);
      securenet::shm::bump(entries[i]->proto_class_packets[0], n);
      packets += n;
    }
    securenet::shm::bump(c.packets, packets);
    securenet::shm::bump(c.bytes, packets * 200);
    c.heartbeat_ns.store(mono_ns(), std::memory_order_relaxed);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}
