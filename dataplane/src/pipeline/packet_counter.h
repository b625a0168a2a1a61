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

#include "pipeline/control_cache.h"
#include "pipeline/host_table.h"
#include "pipeline/sample_ring.h"
#include "segment/writer.h"
#include "securenet/parser.h"
#include "securenet/source.h"

namespace securenet {

inline constexpr uint32_t kMaxBurst = 64;

// Addresses are valid unless the IP header itself was unusable.
inline bool has_addresses(const ParsedPacket& p) noexcept {
  if (p.l3 != L3::kIpv4 && p.l3 != L3::kIpv6) return false;
  switch (p.error) {
    case shm::ParseError::kTruncatedIpv4:
    case shm::ParseError::kBadIpv4Version:
    case shm::ParseError::kBadIpv4Ihl:
    case shm::ParseError::kTruncatedIpv6:
    case shm::ParseError::kBadIpv6Version:
      return false;
    default:
      return true;
  }
}


class PacketCounter {
 public:
  // Counts into worker `w` of `seg`; reads seg's control block.
  PacketCounter(const Segment& seg, unsigned w) noexcept;

  // Re-reads the control block if it changed. Once per burst.
  void poll_control() noexcept;
  // Parses and counts `n` packets (any n; processed in chunks of kMaxBurst).
  void process(const PacketView* pkts, uint32_t n) noexcept;

  shm::WorkerCounters& counters() noexcept { return *counters_; }
  HostTable& table() noexcept { return table_; }
  const ControlCache& control() const noexcept { return cache_; }

 private:
  void process_chunk(const PacketView* pkts, uint32_t n) noexcept;
  void count(const ParsedPacket& p, uint64_t ts, uint64_t src_slot, uint64_t dst_slot) noexcept;

  shm::WorkerCounters* counters_;
  const shm::ControlBlock* control_;
  HostTable table_;
  SampleWriter sampler_;
  ControlCache cache_;
  uint64_t sample_countdown_ = 0;  // 0 = sampling off
  ParsedPacket parsed_[kMaxBurst];
  uint64_t src_slot_[kMaxBurst] = {};
  uint64_t dst_slot_[kMaxBurst] = {};
};

}  // namespace securenet
