#include "pipeline/dedupe.h"

#include <cstring>

namespace securenet {
namespace {

constexpr uint64_t kP0 = 0xa0761d6478bd642fULL;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbULL;
constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ULL;
constexpr uint64_t kP3 = 0x589965cc75374cc3ULL;
constexpr uint32_t kHead = 64;  // bytes copied to mask the IP fields (they end before 42)

inline uint64_t mum(uint64_t a, uint64_t b) noexcept {
  const __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t load64(const uint8_t* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// wyhash-style: one 64x64->128 multiply per 16 bytes, three independent lanes over 48-byte
// blocks (the multiplies overlap), then 16 bytes at a time, chained through h.
uint64_t hash_bytes(const uint8_t* p, uint32_t n, uint64_t h) noexcept {
  if (n >= 48) {
    uint64_t h1 = h ^ kP2, h2 = h ^ kP3;
    for (; n >= 48; p += 48, n -= 48) {
      h = mum(load64(p) ^ kP0, load64(p + 8) ^ h ^ kP1);
      h1 = mum(load64(p + 16) ^ kP2, load64(p + 24) ^ h1 ^ kP1);
      h2 = mum(load64(p + 32) ^ kP3, load64(p + 40) ^ h2 ^ kP1);
    }
    h ^= h1 ^ h2;
  }
  for (; n >= 16; p += 16, n -= 16) h = mum(load64(p) ^ kP0, load64(p + 8) ^ h ^ kP1);
  uint8_t tail[16] = {};
  std::memcpy(tail, p, n);
  return mum(load64(tail) ^ kP2 ^ n, load64(tail + 8) ^ h ^ kP3);
}

inline uint16_t be16(const uint8_t* p) noexcept { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Offset of the first IP header in the head bytes, or -1.
int ip_offset(const uint8_t* d, uint32_t len, LinkKind link) noexcept {
  if (link == LinkKind::kRawIp || link == LinkKind::kIpv4 || link == LinkKind::kIpv6) return 0;
  if (link != LinkKind::kEthernet || len < 14) return -1;
  uint32_t off = 12;
  uint16_t type = be16(d + off);
  for (int tags = 0; tags < 4 && (type == 0x8100 || type == 0x88a8 || type == 0x9100); ++tags) {
    off += 4;
    if (off + 2 > len) return -1;
    type = be16(d + off);
  }
  return type == 0x0800 || type == 0x86DD ? static_cast<int>(off + 2) : -1;
}

// Reads the TTL and header checksum (IPv4) or hop limit (IPv6) as zero.
void mask_ip(uint8_t* d, uint32_t len, int ip) noexcept {
  if (ip < 0 || static_cast<uint32_t>(ip) >= len) return;
  const auto o = static_cast<uint32_t>(ip);
  const unsigned version = d[o] >> 4;
  if (version == 4 && o + 12 <= len) {
    d[o + 8] = 0;
    d[o + 10] = d[o + 11] = 0;
  } else if (version == 6 && o + 8 <= len) {
    d[o + 7] = 0;
  }
}

}  // namespace

Dedupe::Dedupe(uint64_t window_us) {
  if (window_us == 0) return;
  if (window_us > kMaxWindowUs) window_us = kMaxWindowUs;
  window_ns_ = window_us * 1000;
  uint64_t entries = kMinEntries;
  while (entries < window_us * kFramesPerUs && entries < kMaxEntries) entries <<= 1;
  mask_ = entries / 2 - 1;
  table_.reset(new Entry[entries]());
}

uint64_t Dedupe::frame_hash(const PacketView& v) noexcept {
  const uint32_t head = v.caplen < kHead ? v.caplen : kHead;
  uint8_t buf[kHead];
  std::memcpy(buf, v.data, head);
  mask_ip(buf, head, ip_offset(buf, head, v.link));
  uint64_t h =
      hash_bytes(buf, head, mum(v.caplen ^ kP0, (static_cast<uint64_t>(v.wire_len) << 8) ^ kP1));
  if (v.caplen > head) h = hash_bytes(v.data + head, v.caplen - head, h);
  return h ? h : 1;
}

bool Dedupe::duplicate(const PacketView& v) noexcept {
  const uint64_t h = frame_hash(v);
  Entry* set = &table_[(h & mask_) * 2];
  const uint64_t now = v.ts_ns;
  for (int i = 0; i < 2; ++i) {
    if (set[i].hash != h) continue;
    const uint64_t then = set[i].ts_ns;
    if ((now >= then ? now - then : then - now) <= window_ns_) return true;
    set[i].ts_ns = now;  // outside the window: counted, and the new reference
    return false;
  }
  // A miss: replace the empty or the older way.
  Entry& victim = set[0].hash == 0               ? set[0]
                  : set[1].hash == 0             ? set[1]
                  : set[0].ts_ns <= set[1].ts_ns ? set[0]
                                                 : set[1];
  victim = Entry{h, now};
  return false;
}

uint32_t Dedupe::filter(PacketView* views, uint32_t n) noexcept {
  uint32_t kept = 0;
  for (uint32_t i = 0; i < n; ++i) {
    if (duplicate(views[i])) continue;
    if (kept != i) views[kept] = views[i];
    ++kept;
  }
  return kept;
}

}  // namespace securenet
