// A worker's host table in shared memory: open addressing, linear probing, power-of-two
// capacity, bounded probe length, and idle hosts that age out. The worker is the only
// writer; the control plane reads concurrently. A key that finds no slot within kMaxProbe
// steps is counted in host_table_full and dropped (never blocks, never crashes).
//
// Deletion under a concurrent reader (tombstones + generations):
// - HostEntry::state is generation << 2 | tag (shm_layout.h): empty, occupied or tombstone.
// - Ageing: an incremental sweep (age(), once per burst: a slice of kSweepSlots slots per
//   step of packet time that has passed, at most kMaxStepsPerBurst; a whole pass every
//   idle/4 of packet time) turns an occupied entry whose last_seen_ns is idle_ns or more behind the
//   newest packet time into a tombstone with generation + 1, then (after a release fence) zeroes
//   its counters. The clock is packet time, the clock of last_seen_ns: capture time for a
//   pcap replay, arrival time for a live source.
// - Lookups skip tombstones and stop at an empty slot; an insert takes the first tombstone
//   of the probe chain, but only after walking on to an empty slot (or kMaxProbe steps)
//   to be sure the key is not further along.
// - Reclaiming: a tombstone followed by an empty slot becomes empty (no chain can run past
//   an empty slot, so none needed it), and so on backwards over a run of tombstones; the
//   sweep does this as it goes, so probe chains do not fill up with tombstones.
// - Readers (ShmReader::scan_hosts) acquire-load state, copy key and counters, fence, and
//   re-load state: the copy is one host's only if state is the same occupied value. The
//   writer changes state (tombstone) and fences before it writes anything of the next host
//   into the slot, so a copy that mixed two hosts always sees a changed state.
// - No counts are lost: the global totals are worker counters; an evicted host's counters
//   were last changed >= idle_ns ago, and the control plane samples every tick (at most
//   60 s; the dataplane refuses --host-idle-s below 120), so it has read the final values.
//   A pcap replayed faster than real time can age hosts out before a tick has seen them.
#pragma once

#include <cstdint>
#include <cstring>

#include "securenet/shm_layout.h"

namespace securenet {

inline constexpr uint32_t kMaxProbe = 32;
inline constexpr uint32_t kSweepSlots = 64;        // slots visited per sweep step
inline constexpr uint32_t kMaxReclaimRun = 256;    // tombstones reclaimed backwards per step
inline constexpr uint32_t kMaxStepsPerBurst = 16;  // sweep steps one age() call may run

// Multiply-shift over the key's two 64-bit words; the caller keeps the top bits.
inline uint64_t hash_key(const shm::IpKey& k) noexcept {
  uint64_t a, b;
  std::memcpy(&a, k.bytes, 8);
  std::memcpy(&b, k.bytes + 8, 8);
  return (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL);
}

inline bool key_equal(const shm::IpKey& x, const shm::IpKey& y) noexcept {
  uint64_t x0, x1, y0, y1;
  std::memcpy(&x0, x.bytes, 8);
  std::memcpy(&x1, x.bytes + 8, 8);
  std::memcpy(&y0, y.bytes, 8);
  std::memcpy(&y1, y.bytes + 8, 8);
  return ((x0 ^ y0) | (x1 ^ y1)) == 0;
}

// IPv6 aggregation (--ipv6-prefix N): an IPv6 key keeps its first N bits, so a host is a
// /N network; IPv4 keys (::ffff:a.b.c.d) are left alone. Off at N = 128.
struct Ipv6Prefix {
  uint64_t hi = ~0ULL, lo = ~0ULL;  // the mask as two words in key byte order
  bool on = false;

  void set(unsigned bits) noexcept {
    uint8_t m[16] = {};
    for (unsigned i = 0; i < 16; ++i) {
      const unsigned left = bits > i * 8 ? bits - i * 8 : 0;
      m[i] = left >= 8 ? 0xFF : static_cast<uint8_t>(0xFF00 >> left);
    }
    std::memcpy(&hi, m, 8);
    std::memcpy(&lo, m + 8, 8);
    on = bits < 128;
  }
  void apply(shm::IpKey& k) const noexcept {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    if (std::memcmp(k.bytes, kMapped, 12) == 0) return;  // IPv4
    uint64_t a, b;
    std::memcpy(&a, k.bytes, 8);
    std::memcpy(&b, k.bytes + 8, 8);
    a &= hi;
    b &= lo;
    std::memcpy(k.bytes, &a, 8);
    std::memcpy(k.bytes + 8, &b, 8);
  }
};

class HostTable {
 public:
  HostTable() = default;
  // idle_ns: hosts idle this long (packet time) age out; 0 = never.
  HostTable(shm::HostEntry* entries, uint64_t capacity, shm::WorkerCounters* counters,
            uint64_t idle_ns = 0) noexcept
      : entries_(entries), mask_(capacity - 1), shift_(64 - log2(capacity)), counters_(counters) {
    set_idle_ns(idle_ns);
  }

  uint64_t capacity() const noexcept { return mask_ + 1; }
  uint64_t idle_ns() const noexcept { return idle_ns_; }
  void set_idle_ns(uint64_t idle_ns) noexcept;

  // Home slot of a key (top bits of the hash).
  uint64_t slot_of(const shm::IpKey& k) const noexcept { return hash_key(k) >> shift_; }
  // The same with shift() held in a register by a caller's loop (whose stores the compiler
  // cannot tell apart from the table's fields).
  uint32_t shift() const noexcept { return shift_; }
  static uint64_t slot_of(const shm::IpKey& k, uint32_t shift) noexcept {
    return hash_key(k) >> shift;
  }

  // Prefetches both cache lines of the home slot for writing.
  void prefetch(uint64_t slot) const noexcept { prefetch(entries_, slot); }
  // The same with the entries held in a register by a caller's loop (as slot_of above).
  static void prefetch(const shm::HostEntry* entries, uint64_t slot) noexcept {
    const char* p = reinterpret_cast<const char*>(&entries[slot]);
    __builtin_prefetch(p, 1, 3);
    __builtin_prefetch(p + shm::kCacheLine, 1, 3);
  }

  // Returns the entry of `k`, inserting it if new; null (and host_table_full bumped) when
  // no slot was found within kMaxProbe steps. `slot` is slot_of(k): below the capacity, so
  // the home slot needs no mask.
  shm::HostEntry* find_or_insert(const shm::IpKey& k, uint64_t slot) noexcept {
    shm::HostEntry& e = entries_[slot];  // the common case: the host at its home slot
    if (__builtin_expect(
            shm::host_tag(e.state.load(std::memory_order_relaxed)) == shm::kHostOccupied, 1) &&
        key_equal(e.key, k)) {
      return &e;
    }
    return find_or_insert_probe(k, slot);
  }
  shm::HostEntry* find_or_insert(const shm::IpKey& k) noexcept {
    return find_or_insert(k, slot_of(k));
  }

  // Advances the packet clock to `ts_ns` (never backwards) and, when a sweep step is due,
  // ages out one slice of the table. Once per burst, after the burst is counted.
  void age(uint64_t ts_ns) noexcept {
    if (ts_ns > now_ns_) now_ns_ = ts_ns;
    if (__builtin_expect(now_ns_ < next_sweep_ns_, 1)) return;
    sweep_due();
  }
  // One sweep step now (tests): evicts idle hosts and reclaims tombstones in kSweepSlots slots.
  void sweep_step() noexcept;

  // Lookup without insertion (tests, tools).
  const shm::HostEntry* find(const shm::IpKey& k) const noexcept;

  // Zeroes every entry (only while no reader maps the table: tests and start-up).
  void clear() noexcept;

 private:
  static uint32_t log2(uint64_t cap) noexcept {
    return static_cast<uint32_t>(__builtin_ctzll(cap));
  }

  shm::HostEntry* insert(shm::HostEntry& e, const shm::IpKey& k) noexcept {
    const uint64_t gen_bits = e.state.load(std::memory_order_relaxed) & ~shm::kHostTagMask;
    std::memcpy(&e.key, &k, sizeof(k));  // counters were zeroed when the last host left
    e.state.store(gen_bits | shm::kHostOccupied, std::memory_order_release);
    shm::bump(counters_->hosts_in_table);
    return &e;
  }
  // The probe walk after the home slot `slot` did not hold `k` (find_or_insert only).
  shm::HostEntry* find_or_insert_probe(const shm::IpKey& k, uint64_t slot) noexcept;
  void sweep_due() noexcept;
  void evict(shm::HostEntry& e, uint64_t state) noexcept;
  void reclaim_back(uint64_t slot) noexcept;

  shm::HostEntry* entries_ = nullptr;
  uint64_t mask_ = 0;
  uint32_t shift_ = 64;
  shm::WorkerCounters* counters_ = nullptr;
  uint64_t idle_ns_ = 0;
  uint64_t now_ns_ = 0;                  // newest packet time seen
  uint64_t next_sweep_ns_ = UINT64_MAX;  // packet time of the next sweep step
  uint64_t step_ns_ = 0;                 // packet time between two steps
  uint64_t pass_ns_ = 0;                 // packet time of one whole pass (idle / 4)
  uint64_t sweep_pos_ = 0;
};

}  // namespace securenet
