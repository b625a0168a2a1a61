// A flat open-addressing index from an address key to a dense slot number (uint32), for
// the sampler's per-host state (1M+ hosts: one 4-byte probe array plus a dense vector,
// far fewer cache misses than a node-based map). No deletion; clear() drops everything.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "securenet/shm_layout.h"

namespace securenet::control {

inline uint64_t fmix64(
    uint64_t x) {  // MurmurHash3's finaliser: every input bit reaches every output bit
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// The table uses the low bits, so the hash must mix well (IPv4-mapped keys share 12 bytes).
inline uint64_t hash_ip(const shm::IpKey& k) {
  uint64_t a, b;
  std::memcpy(&a, k.bytes, 8);
  std::memcpy(&b, k.bytes + 8, 8);
  return fmix64(a ^ fmix64(b));
}

inline bool same_ip(const shm::IpKey& x, const shm::IpKey& y) {
  return std::memcmp(x.bytes, y.bytes, 16) == 0;
}

class HostIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // `key_of(i)` returns the key of dense slot i. Returns the slot of `k`, or kNone.
  template <typename KeyOf>
  uint32_t find(const shm::IpKey& k, KeyOf&& key_of) const {
    if (table_.empty()) return kNone;
    for (uint64_t p = hash_ip(k) & mask_;; p = (p + 1) & mask_) {
      uint32_t v = table_[p];
      if (v == 0) return kNone;
      if (same_ip(key_of(v - 1), k)) return v - 1;
    }
  }

  // Records that `k` lives at dense slot `slot` (caller checked it is absent).
  template <typename KeyOf>
  void insert(const shm::IpKey& k, uint32_t slot, KeyOf&& key_of) {
    if ((size_ + 1) * 2 > table_.size()) grow(key_of);
    place(k, slot);
    ++size_;
  }

  void clear() {
    table_.clear();
    size_ = 0;
    mask_ = 0;
  }
  size_t size() const { return size_; }

 private:
  void place(const shm::IpKey& k, uint32_t slot) {
    uint64_t p = hash_ip(k) & mask_;
    while (table_[p] != 0) p = (p + 1) & mask_;
    table_[p] = slot + 1;
  }
  template <typename KeyOf>
  void grow(KeyOf&& key_of) {
    size_t cap = table_.empty() ? 1024 : table_.size() * 2;
    table_.assign(cap, 0);
    mask_ = cap - 1;
    for (uint32_t i = 0; i < size_; ++i) place(key_of(i), i);
  }

  std::vector<uint32_t> table_;  // dense slot + 1; 0 = empty
  uint64_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace securenet::control
