#include "pipeline/worker.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>

namespace securenet {
namespace {

constexpr uint64_t kHeartbeatNs = 1'000'000;  // 1 ms
constexpr uint64_t kStatsNs = 10'000'000;     // 10 ms
constexpr uint32_t kIdleSpins = 1024;         // empty polls before napping
constexpr long kIdleNapNs = 50'000;           // 50 µs nap when idle

bool pin_to(int cpu) noexcept {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

}  // namespace

Worker::Worker(const Segment& seg, PacketSource& src, const WorkerOptions& opts,
               const std::atomic<bool>& stop)
    : src_(src),
      opts_(opts),
      stop_(stop),
      counter_(seg, opts.index, opts.parse),
      dedupe_(opts.dedupe_us) {
  if (opts_.burst == 0 || opts_.burst > kMaxBurst) opts_.burst = kMaxBurst;
}

void Worker::tick(uint64_t now) noexcept {
  auto& c = counter_.counters();
  if (now >= next_heartbeat_) {
    c.heartbeat_ns.store(now, std::memory_order_relaxed);
    next_heartbeat_ = now + kHeartbeatNs;
  }
  if (now >= next_stats_) {
    const SourceStats s = src_.stats();
    c.source_drops.store(s.drops, std::memory_order_relaxed);
    c.source_errors.store(s.errors, std::memory_order_relaxed);
    next_stats_ = now + kStatsNs;
  }
}

bool Worker::run() noexcept {
  const bool pinned = opts_.cpu < 0 || pin_to(opts_.cpu);
  PacketView views[kMaxBurst];
  uint32_t idle = 0;
  tick(mono_ns());
  while (!stop_.load(std::memory_order_relaxed)) {
    counter_.poll_control();
    const uint32_t n = src_.rx_burst(views, opts_.burst);
    if (n > 0) {
      uint32_t kept = n;
      if (__builtin_expect(dedupe_.enabled(), 0)) {  // pipeline/dedupe.h
        kept = dedupe_.filter(views, n);
        if (kept != n) shm::bump(counter_.counters().duplicates, n - kept);
      }
      counter_.process(views, kept);
      idle = 0;
    } else if (src_.finished()) {
      break;
    } else if (++idle >= kIdleSpins) {
      const timespec nap{0, kIdleNapNs};
      nanosleep(&nap, nullptr);  // idle only: never between packets of a busy source
      idle = 0;
    }
    tick(mono_ns());
  }
  next_heartbeat_ = next_stats_ = 0;
  tick(mono_ns());
  done_.store(true, std::memory_order_release);
  return pinned;
}

}  // namespace securenet
