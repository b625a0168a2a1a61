// Duplicate suppression (--dedupe-us N) for mirror ports that copy a frame twice (ingress
// and egress of a SPAN session, two taps of one link): a frame identical to one this worker
// counted at most N microseconds earlier is dropped before it is parsed and counted in the
// worker counter `duplicates` instead of `packets`.
//
// Identity: a 64-bit hash of the frame's captured bytes, seeded with its captured and wire
// lengths, with the first IP header's TTL and header checksum (IPv4) or hop limit (IPv6)
// read as zero: the copy a router forwarded one hop later is the same frame. The IP header
// is found after Ethernet and up to 4 VLAN tags (802.1Q, 802.1ad, 0x9100), or at the start
// of a raw-IP capture; frames of other link types are hashed whole.
//
// Collisions: two different frames are confused only if their 64-bit hashes are equal and
// they fall within one window in the same set: about 2^-63 per frame, i.e. one false drop
// in tens of thousands of years at 15 Mpps. A frame whose first copy has been pushed out of
// the table (more than `capacity()` frames arrived in between) is counted, not dropped.
//
// The window starts at the copy that was counted: copies within N µs of it are dropped (the
// kept copy's time is not refreshed by a drop), the first copy after that is counted and
// starts a new window. Times are the frames' timestamps (file or capture clock); a frame
// earlier than the kept copy (reordered) counts with the absolute distance.
//
// The table: 2-way set associative, (hash, time) entries, sized once for the window at
// 10 GbE line rate (15 frames per µs per worker), 4096..262144 entries (64 KiB..4 MiB).
// O(1) per frame, no allocation after construction, one predictable branch when off.
#pragma once

#include <cstdint>
#include <memory>

#include "securenet/source.h"

namespace securenet {

class Dedupe {
 public:
  static constexpr uint64_t kMaxWindowUs = 1'000'000;  // 1 s
  static constexpr uint64_t kFramesPerUs = 15;         // 64-byte frames at 10 GbE
  static constexpr uint64_t kMinEntries = 4096;
  static constexpr uint64_t kMaxEntries = 262144;

  // window_us 0 = off (no table); otherwise 1..kMaxWindowUs (clamped).
  explicit Dedupe(uint64_t window_us);

  bool enabled() const noexcept { return window_ns_ != 0; }
  uint64_t capacity() const noexcept { return enabled() ? (mask_ + 1) * 2 : 0; }

  // True when `v` is a duplicate (drop it); otherwise remembers it and returns false.
  bool duplicate(const PacketView& v) noexcept;
  // Drops the duplicates of views[0, n) in place (order kept); returns how many remain.
  uint32_t filter(PacketView* views, uint32_t n) noexcept;

  // The identity of a frame (never 0), exposed for tests.
  static uint64_t frame_hash(const PacketView& v) noexcept;

 private:
  struct Entry {
    uint64_t hash;   // 0 = empty
    uint64_t ts_ns;  // time of the copy that was counted
  };
  uint64_t window_ns_ = 0;
  uint64_t mask_ = 0;               // sets - 1
  std::unique_ptr<Entry[]> table_;  // set s: entries 2s and 2s+1
};

}  // namespace securenet
