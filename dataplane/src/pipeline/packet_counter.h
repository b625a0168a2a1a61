// The per-burst packet path of one worker: parse every packet of the burst in place,
// hash and prefetch the host-table slots of the whole burst, then count (globals, hosts,
// blacklist, sampling). No allocation, lock, system call or exception per packet.
//
// Counted per packet: packets/bytes, parse errors by reason, L2/L3 kind, VLAN. Packets
// whose IP header gave usable addresses (has_addresses) also count per IP protocol and
// class, SYNs (SYN without ACK), fragments, blacklist hits, and both hosts; sampling
// (1 of sample_one_in) draws from these IP packets only.
#pragma once

#include <cstdint>

#include "pipeline/capture_ring.h"
#include "pipeline/control_cache.h"
#include "pipeline/crossing_ring.h"
#include "pipeline/host_table.h"
#include "pipeline/sample_ring.h"
#include "securenet/parser.h"
#include "securenet/source.h"
#include "segment/writer.h"

namespace securenet {

inline constexpr uint32_t kMaxBurst = 64;

// Addresses are valid unless the IP header itself was unusable (the parser says so).
inline bool has_addresses(const ParsedPacket& p) noexcept { return p.has_addrs; }

class PacketCounter {
 public:
  // Counts into worker `w` of `seg`; reads seg's control block. `parse` picks the layers
  // looked into and which hosts of a tunnelled packet are counted (Decap).
  PacketCounter(const Segment& seg, unsigned w, const ParseConfig& parse = ParseConfig{}) noexcept;

  // Re-reads the control block if it changed. Once per burst.
  void poll_control() noexcept;
  // Parses and counts `n` packets (any n; processed in chunks of kMaxBurst).
  void process(const PacketView* pkts, uint32_t n) noexcept;

  shm::WorkerCounters& counters() noexcept { return *counters_; }
  HostTable& table() noexcept { return table_; }
  const ControlCache& control() const noexcept { return cache_; }
  const CaptureTap& capture() const noexcept { return capture_; }

 private:
  void process_chunk(const PacketView* pkts, uint32_t n) noexcept;
  // kGeneral: a protocol or port is blacklisted (ControlCache::any_blacklisted), or the
  // sampler's countdown may reach 0 in this burst; told once per burst. Otherwise the count
  // loop has no blacklist test and no sampler (the countdown moves once, after the loop).
  template <bool kGeneral>
  [[gnu::always_inline]] inline void count_burst(const PacketView* pkts, uint32_t n) noexcept;
  template <bool kGeneral>
  [[gnu::always_inline]] inline void count(const ParsedPacket& p, uint64_t ts, uint64_t src_slot,
                                           uint64_t dst_slot) noexcept;
  [[gnu::always_inline]] inline shm::HostEntry* count_hosts(
      const shm::IpKey& src, const shm::IpKey& dst, uint64_t src_slot, uint64_t dst_slot,
      uint32_t wire_len, size_t cls, bool black, uint64_t ts, uint8_t ip_proto,
      shm::HostEntry*& d) noexcept;
  // Issue 13 item 2: a fan-in-sampled source into the destination's sketch (out of line).
  void count_fanin(shm::HostEntry& d, uint64_t hash, uint64_t ts) noexcept;
  void count_rare(const ParsedPacket& p, uint64_t ts) noexcept;
  void count_third_line(const ParsedPacket& p, uint64_t ts, shm::HostEntry* s, uint64_t dst_slot,
                        unsigned third) noexcept;
  [[gnu::always_inline]] inline uint64_t scan_window(uint64_t ts) noexcept;
  [[gnu::noinline]] void new_scan_window(shm::HostEntry& s) noexcept;
  // Issue 17: the sliding-second count of a sender (shm::rate_step) and its crossings.
  [[gnu::always_inline]] inline uint64_t rate_epoch(uint64_t ts) noexcept;
  [[gnu::always_inline]] inline void count_rate(shm::HostEntry& s, const shm::IpKey& src,
                                                uint8_t ip_proto, uint64_t ts) noexcept;
  [[gnu::noinline]] void check_syn(shm::HostEntry& s, const shm::IpKey& src, uint64_t ts) noexcept;
  [[gnu::noinline, gnu::cold]] void cross(shm::HostEntry& s, const shm::IpKey& key,
                                          shm::CrossingRule rule, uint64_t value, uint8_t ip_proto,
                                          uint64_t ts) noexcept;
  void set_trigger() noexcept;

  ParseConfig parse_;
  shm::WorkerCounters* counters_;
  const shm::ControlBlock* control_;
  HostTable table_;
  shm::HostEntry* entries_;  // the table's slots, for the hash pass's prefetches
  SampleWriter sampler_;
  ControlCache cache_;
  uint64_t sample_countdown_ = 0;        // 0 = sampling off
  uint32_t no_addresses_ = 0;            // packets of the burst without addresses (count<false>)
  CrossingWriter crossings_;             // issue 17
  uint64_t trigger_ = ~uint64_t{0};      // shm::rate_trigger(traffic_trigger) (off: never crossed)
  uint64_t syn_trigger_ = ~uint64_t{0};  // ControlBlock::syn_trigger (off: never crossed)
  uint64_t rate_start_ = 0;              // the rate epoch of the last packet: its start
  uint64_t rate_epoch_ = 0;              // and its shm::rate_epoch_field
  uint64_t rate_in_window_ = 0;          // its place in its scan window (0 = the first epoch)
  uint64_t rate_scan_win_ = 1;           // and that window's number + 1 (HostEntry::scan_window)
  alignas(64) ParsedPacket parsed_[kMaxBurst];
  uint64_t src_slot_[kMaxBurst] = {};
  uint64_t dst_slot_[kMaxBurst] = {};
  uint64_t win_start_ns_ = 0;  // the fan-in window of the last sample: its start (packet time)
  uint64_t win_ = 1;           // and its number + 1 (HostEntry::fanin_window)
  Ipv6Prefix v6_prefix_;       // --ipv6-prefix (last: the burst arrays keep their alignment)
  CaptureTap capture_;         // attack capture (issue 16)
};

}  // namespace securenet
