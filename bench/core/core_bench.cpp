// Dataplane core benchmarks (items/s = updates or packets per second).
//
// Every figure comes with a reference measured in the same run, so ratios stay meaningful
// on a busy or different machine:
//   BM_Reference_TouchPackets   reads one byte of each preloaded packet (memory floor)
//   BM_HostTable_Update         one host update (find-or-insert + 3 counter bumps), by
//                               distinct hosts, with and without burst prefetch
//   BM_BurstPath                PacketCounter::process (parse + count + prefetch) over a
//                               preloaded capture: realistic mix, and 64-byte UDP frames;
//                               ageing:1 with the host table's sweep on (--host-idle-s 300)
//   BM_BurstPathDefaults        the same under the default config's control block (ICMP and
//                               IGMP blacklisted, 1 in 1000 sampled)
//   BM_ParseOnly                the parser alone over the same packets
//   BM_BurstPathDedupe          the burst path behind --dedupe-us (off = the reference)
//   BM_BurstPathCapture         the burst path with an attack capture (issue 16) of the
//                               capture's busiest host in force all along (capture:0 of
//                               BM_BurstPath is the reference); share = its packets' fraction
// The captures are written by securenet-pcapgen and loaded with load_pcap (preload).
#include <benchmark/benchmark.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "pipeline/dedupe.h"
#include "pipeline/host_table.h"
#include "pipeline/packet_counter.h"
#include "securenet/parser.h"
#include "segment/writer.h"
#include "sources/pcap/pcap_source.h"

namespace securenet {
namespace {

std::string instance(const char* what) {
  return std::string("bench-") + what + "-" + std::to_string(getpid());
}

std::unique_ptr<Segment> segment(const char* what, uint64_t hosts, uint64_t idle_s = 0) {
  SegmentOptions o;
  o.instance = instance(what);
  o.host_capacity = hosts;
  o.host_idle_s = idle_s;
  auto s = Segment::create(o);
  if (!s) {
    std::fprintf(stderr, "core_bench: %s\n", s.error().message.c_str());
    return nullptr;
  }
  return std::make_unique<Segment>(std::move(*s));
}

// A capture written by securenet-pcapgen, preloaded; cached across benchmarks.
std::shared_ptr<const PcapImage> capture(const std::string& args) {
  static std::vector<std::pair<std::string, std::shared_ptr<const PcapImage>>> cache;
  for (auto& [a, img] : cache) {
    if (a == args) return img;
  }
  char path[] = "/tmp/securenet-bench-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return nullptr;
  close(fd);
  const std::string cmd = std::string(SECURENET_PCAPGEN_BIN) + " --out " + path + " " + args;
  std::shared_ptr<const PcapImage> img;
  if (std::system(cmd.c_str()) == 0) {
    auto r = load_pcap(path);
    if (r) img = *r;
  }
  unlink(path);
  cache.emplace_back(args, img);
  return img;
}

// The realistic mix averages ~570 bytes a frame: 65536 of them (~37 MB) stand for a NIC's
// receive buffers; the 64-byte sets (16 MB) cycle through 64k distinct sources.
const char* kRealistic = "--packets 65536 --hosts 65536 --seed 9";
const char* kUdp64 = "--packets 262144 --hosts 65536 --mix udp --size 64 --seed 9";
const char* kUdp64Few =
    "--packets 262144 --hosts 16 --mix udp --size 64 --seed 9";  // compute floor

// Arg 0: realistic mix at 64k hosts; 1: 64-byte UDP at 64k hosts; 2: 64-byte UDP, 16 hosts.
const char* captures(int64_t arg) { return arg == 0 ? kRealistic : arg == 1 ? kUdp64 : kUdp64Few; }

std::vector<shm::IpKey> keys(uint64_t n) {
  std::vector<shm::IpKey> k(n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t v = 0x0A000000u + static_cast<uint32_t>(i) + 1;
    k[i] = shm::IpKey{{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, uint8_t(v >> 24), uint8_t(v >> 16),
                       uint8_t(v >> 8), uint8_t(v)}};
  }
  return k;
}

// Random order over the hosts, long enough to defeat the hardware prefetcher.
std::vector<uint32_t> order(uint64_t n) {
  std::vector<uint32_t> o(1u << 20);
  std::mt19937_64 rng(42);
  for (auto& x : o) x = static_cast<uint32_t>(rng() % n);
  return o;
}

// Anonymous memory with transparent huge pages, to show what huge pages would do for the
// host table (tmpfs segments get them only with shmem_enabled=advise on the host).
struct HugeTable {
  explicit HugeTable(uint64_t entries) : size(entries * sizeof(shm::HostEntry)) {
    mem = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) mem = nullptr;
    if (mem) {
      madvise(mem, size, MADV_HUGEPAGE);
      std::memset(mem, 0, size);
    }
  }
  ~HugeTable() {
    if (mem) munmap(mem, size);
  }
  size_t size;
  void* mem = nullptr;
};

// Args: distinct hosts; prefetch across the burst (0/1); table memory: 0 = the shared
// segment, 1 = anonymous memory with transparent huge pages.
void BM_HostTable_Update(benchmark::State& st) {
  const uint64_t hosts = static_cast<uint64_t>(st.range(0));
  const bool prefetch = st.range(1) != 0;
  auto seg = segment("ht", hosts * 2);  // load factor <= 1/2
  if (!seg) return st.SkipWithError("cannot create the segment");
  std::unique_ptr<HugeTable> huge;
  HostTable t(seg->hosts(0), seg->host_capacity(0), &seg->counters(0));
  if (st.range(2)) {
    huge = std::make_unique<HugeTable>(seg->host_capacity(0));
    if (!huge->mem) return st.SkipWithError("mmap failed");
    t = HostTable(static_cast<shm::HostEntry*>(huge->mem), seg->host_capacity(0),
                  &seg->counters(0));
  }
  const auto k = keys(hosts);
  const auto o = order(hosts);
  for (const auto& key : k) t.find_or_insert(key);  // warm: measure updates, not inserts
  size_t pos = 0;
  uint64_t slot[kMaxBurst];
  for (auto _ : st) {
    const uint32_t* idx = &o[pos];
    pos = (pos + kMaxBurst) & (o.size() - 1);
    for (uint32_t i = 0; i < kMaxBurst; ++i) {
      slot[i] = t.slot_of(k[idx[i]]);
      if (prefetch) t.prefetch(slot[i]);
    }
    for (uint32_t i = 0; i < kMaxBurst; ++i) {
      shm::HostEntry* e = t.find_or_insert(k[idx[i]], slot[i]);
      shm::bump(e->packets_sent);
      shm::bump(e->bytes_sent, 64);
      shm::bump(e->proto_class_packets[1]);
      shm::bump(e->last_seen_ns);
    }
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kMaxBurst);
  st.counters["table_full"] = static_cast<double>(shm::read(seg->counters(0).host_table_full));
}
BENCHMARK(BM_HostTable_Update)
    ->ArgNames({"hosts", "prefetch", "thp"})
    ->ArgsProduct({{1 << 10, 1 << 16, 1 << 20}, {0, 1}, {0}})
    ->Args({1 << 16, 1, 1})
    ->Args({1 << 20, 1, 1});

void BM_Reference_TouchPackets(benchmark::State& st) {
  const auto img = capture(captures(st.range(0)));
  if (!img) return st.SkipWithError("securenet-pcapgen failed");
  const auto& pk = img->packets;
  size_t pos = 0;
  uint64_t sum = 0;
  for (auto _ : st) {
    for (uint32_t i = 0; i < kMaxBurst; ++i) sum += pk[pos + i].data[13] + pk[pos + i].wire_len;
    pos = pos + 2 * kMaxBurst <= pk.size() ? pos + kMaxBurst : 0;
    benchmark::DoNotOptimize(sum);
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kMaxBurst);
}
BENCHMARK(BM_Reference_TouchPackets)->ArgName("capture")->DenseRange(0, 2);

void BM_ParseOnly(benchmark::State& st) {
  const auto img = capture(captures(st.range(0)));
  if (!img) return st.SkipWithError("securenet-pcapgen failed");
  const auto& pk = img->packets;
  size_t pos = 0;
  ParsedPacket p[kMaxBurst];
  for (auto _ : st) {
    for (uint32_t i = 0; i < kMaxBurst; ++i) {
      parse_packet(pk[pos + i].data, pk[pos + i].caplen, pk[pos + i].wire_len, p[i]);
    }
    benchmark::DoNotOptimize(p);
    pos = pos + 2 * kMaxBurst <= pk.size() ? pos + kMaxBurst : 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kMaxBurst);
}
BENCHMARK(BM_ParseOnly)->ArgName("capture")->DenseRange(0, 2);

// One worker's PacketCounter over `pk`, a burst of kMaxBurst per iteration, after one warm
// pass that puts every host in the table.
void run_bursts(benchmark::State& st, const Segment& seg, const std::vector<PacketView>& pk) {
  PacketCounter pc(seg, 0);
  pc.process(pk.data(), static_cast<uint32_t>(pk.size()));  // warm: every host present
  size_t pos = 0;
  for (auto _ : st) {
    pc.poll_control();
    pc.process(&pk[pos], kMaxBurst);
    pos = pos + 2 * kMaxBurst <= pk.size() ? pos + kMaxBurst : 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kMaxBurst);
}

void BM_BurstPath(benchmark::State& st) {
  const auto img = capture(captures(st.range(0)));
  if (!img) return st.SkipWithError("securenet-pcapgen failed");
  // 64k sources + servers at load <= 1/2; ageing:1 = --host-idle-s 300 (the live default)
  auto seg = segment("burst", 1 << 17, st.range(1) ? 300 : 0);
  if (!seg) return st.SkipWithError("cannot create the segment");
  run_bursts(st, *seg, img->packets);
  st.counters["hosts"] = static_cast<double>(shm::read(seg->counters(0).hosts_in_table));
  st.counters["table_full"] = static_cast<double>(shm::read(seg->counters(0).host_table_full));
}
BENCHMARK(BM_BurstPath)->ArgNames({"capture", "ageing"})->ArgsProduct({{0, 1, 2}, {0, 1}});

// BM_BurstPath under what the default config publishes (control/API.md): ICMP and IGMP
// blacklisted, 1 packet in 1000 sampled. BM_BurstPath's control block is empty (nothing
// blacklisted, no sampling), which lets a burst take the loop without either test.
void BM_BurstPathDefaults(benchmark::State& st) {
  const auto img = capture(captures(st.range(0)));
  if (!img) return st.SkipWithError("securenet-pcapgen failed");
  auto seg = segment("defaults", 1 << 17);
  if (!seg) return st.SkipWithError("cannot create the segment");
  shm::ControlBlock& cb = seg->control();
  for (unsigned proto : {1u, 2u})  // ICMP, IGMP
    cb.proto_blacklist[proto / 64].store(uint64_t{1} << (proto % 64), std::memory_order_relaxed);
  cb.sample_one_in.store(1000, std::memory_order_relaxed);
  cb.generation.store(shm::read(cb.generation) + 2, std::memory_order_release);
  run_bursts(st, *seg, img->packets);
  st.counters["sampled"] = static_cast<double>(shm::read(seg->counters(0).sampled_packets));
}
BENCHMARK(BM_BurstPathDefaults)->ArgNames({"capture"})->Arg(0)->Arg(1)->Arg(2);

// The address in most packets (as source or destination) of `pk`, and its share.
std::pair<shm::IpKey, double> busiest_host(const std::vector<PacketView>& pk) {
  std::map<std::string, std::pair<shm::IpKey, uint64_t>> n;
  ParsedPacket p;
  for (const auto& v : pk) {
    parse_packet(v.data, v.caplen, v.wire_len, p);
    if (!p.has_addrs) continue;
    for (const auto* k : {&p.src, &p.dst}) {
      auto& e = n[std::string(reinterpret_cast<const char*>(k->bytes), 16)];
      e.first = *k;
      ++e.second;
    }
  }
  std::pair<shm::IpKey, uint64_t> best{};
  for (const auto& [_, e] : n) {
    if (e.second > best.second) best = e;
  }
  return {best.first, pk.empty() ? 0.0 : static_cast<double>(best.second) / pk.size()};
}

void BM_BurstPathCapture(benchmark::State& st) {
  const auto img = capture(captures(st.range(0)));
  if (!img) return st.SkipWithError("securenet-pcapgen failed");
  auto seg = segment("burstcap", 1 << 17);
  if (!seg) return st.SkipWithError("cannot create the segment");
  PacketCounter pc(*seg, 0);
  const auto& pk = img->packets;
  pc.process(pk.data(), static_cast<uint32_t>(pk.size()));
  const auto [host, share] = busiest_host(pk);
  shm::start_capture(seg->control().capture, host, 1, UINT64_MAX, UINT64_MAX);
  size_t pos = 0;
  for (auto _ : st) {
    pc.poll_control();
    pc.process(&pk[pos], kMaxBurst);
    pos = pos + 2 * kMaxBurst <= pk.size() ? pos + kMaxBurst : 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kMaxBurst);
  st.counters["share"] = share;
  st.counters["captured"] = static_cast<double>(shm::read(seg->capture_ring(0).records));
}
BENCHMARK(BM_BurstPathCapture)->ArgName("capture")->DenseRange(0, 2);

// The capture ring's writer alone: ns per frame of st.range(0) bytes copied into a worker's
// 4 MiB ring (which wraps; nothing else runs, so the ring stays in the last-level cache).
void BM_CaptureWrite(benchmark::State& st) {
  auto seg = segment("capwrite", 64);
  if (!seg) return st.SkipWithError("cannot create the segment");
  CaptureWriter w(&seg->capture_ring(0), seg->capture_data(0));
  std::vector<uint8_t> frame(static_cast<size_t>(st.range(0)), 0x5a);
  PacketView v{frame.data(), static_cast<uint32_t>(frame.size()),
               static_cast<uint32_t>(frame.size()), 1, LinkKind::kEthernet};
  for (auto _ : st) {
    w.write(v, 1);
    ++v.ts_ns;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
  st.SetBytesProcessed(static_cast<int64_t>(st.iterations()) * st.range(0));
}
BENCHMARK(BM_CaptureWrite)->ArgName("bytes")->Arg(64)->Arg(512)->Arg(1514);

// The burst path behind the worker's dedupe hook (pipeline/dedupe.h): each burst copied with
// a synthetic 15 Mpps clock, filtered when the window is on, then counted. dedupe_us 0 is
// the reference (the copy and the one branch, no table). Args: capture; window in µs.
void BM_BurstPathDedupe(benchmark::State& st) {
  const auto img = capture(captures(st.range(0)));
  if (!img) return st.SkipWithError("securenet-pcapgen failed");
  auto seg = segment("dedupe", 1 << 17);
  if (!seg) return st.SkipWithError("cannot create the segment");
  PacketCounter pc(*seg, 0);
  Dedupe dd(static_cast<uint64_t>(st.range(1)));
  const auto& pk = img->packets;
  pc.process(pk.data(), static_cast<uint32_t>(pk.size()));
  PacketView burst[kMaxBurst];
  uint64_t clock = 1'700'000'000'000'000'000ULL, dups = 0;
  size_t pos = 0;
  for (auto _ : st) {
    pc.poll_control();
    for (uint32_t i = 0; i < kMaxBurst; ++i) {
      burst[i] = pk[pos + i];
      burst[i].ts_ns = clock += 67;
    }
    uint32_t n = kMaxBurst;
    if (dd.enabled()) {
      n = dd.filter(burst, n);
      dups += kMaxBurst - n;
    }
    pc.process(burst, n);
    pos = pos + 2 * kMaxBurst <= pk.size() ? pos + kMaxBurst : 0;
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * kMaxBurst);
  st.counters["duplicates"] = static_cast<double>(dups);
}
BENCHMARK(BM_BurstPathDedupe)
    ->ArgNames({"capture", "dedupe_us"})
    ->ArgsProduct({{0, 1, 2}, {0, 1000}});

}  // namespace
}  // namespace securenet
