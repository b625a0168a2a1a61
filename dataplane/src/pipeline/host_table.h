// A worker's host table in shared memory: open addressing, linear probing, power-of-two
// capacity, no deletion, bounded probe length. The worker is the only writer; readers
// acquire-load `state` and then read the key and counters. A key that finds no slot within
// kMaxProbe steps is counted in host_table_full and dropped (never blocks, never crashes).
#pragma once

#include <cstdint>
#include <cstring>

#include "securenet/shm_layout.h"

namespace securenet {

inline constexpr uint32_t kMaxProbe = 32;

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

class HostTable {
 public:
  HostTable() = default;
  HostTable(shm::HostEntry* entries, uint64_t capacity, shm::WorkerCounters* counters) noexcept
      : entries_(entries), mask_(capacity - 1), shift_(64 - log2(capacity)), counters_(counters) {}

  uint64_t capacity() const noexcept { return mask_ + 1; }

  // Home slot of a key (top bits of the hash).
  uint64_t slot_of(const shm::IpKey& k) const noexcept { return hash_key(k) >> shift_; }

  // Prefetches both cache lines of the home slot for writing.
  void prefetch(uint64_t slot) const noexcept {
    const char* p = reinterpret_cast<const char*>(&entries_[slot]);
    __builtin_prefetch(p, 1, 3);
    __builtin_prefetch(p + 64, 1, 3);
  }

  // Returns the entry of `k`, inserting it if new; null (and host_table_full bumped) when
  // no slot was found within kMaxProbe steps.
  shm::HostEntry* find_or_insert(const shm::IpKey& k, uint64_t slot) noexcept {
    for (uint32_t i = 0; i < kMaxProbe; ++i) {
      shm::HostEntry& e = entries_[(slot + i) & mask_];
      if (e.state.load(std::memory_order_relaxed) == 0) return insert(e, k);
      if (key_equal(e.key, k)) return &e;
    }
    shm::bump(counters_->host_table_full);
    return nullptr;
  }
  shm::HostEntry* find_or_insert(const shm::IpKey& k) noexcept { return find_or_insert(k, slot_of(k)); }

  // Lookup without insertion (tests, tools).
  const shm::HostEntry* find(const shm::IpKey& k) const noexcept;

  // Zeroes every entry (only while no reader maps the table: tests and start-up).
  void clear() noexcept;

 private:
  static uint32_t log2(uint64_t cap) noexcept { return static_cast<uint32_t>(__builtin_ctzll(cap)); }

  shm::HostEntry* insert(shm::HostEntry& e, const shm::IpKey& k) noexcept {
    std::memcpy(&e.key, &k, sizeof(k));
    e.state.store(shm::kHostOccupied, std::memory_order_release);
    shm::bump(counters_->hosts_in_table);
    return &e;
  }

  shm::HostEntry* entries_ = nullptr;
  uint64_t mask_ = 0;
  uint32_t shift_ = 64;
  shm::WorkerCounters* counters_ = nullptr;
};

}  // namespace securenet
