// A worker's private copy of the ControlBlock (blacklist bitmaps, sampling rate). poll()
// costs one relaxed load per burst; the block is copied only when its generation moved,
// through the block's sequence lock (shm::try_read_control): a copy that raced with the
// control plane's write is dropped and taken again at the next poll, so a worker neither
// applies a torn config nor waits for the control plane.
#pragma once

#include <cstdint>

#include "securenet/parser.h"
#include "securenet/shm_layout.h"

namespace securenet {

class ControlCache {
 public:
  // Reads the block at start-up (or at the first poll if a write is under way).
  void init(const shm::ControlBlock& cb) noexcept { reload(cb); }
  // True when a new config was applied.
  bool poll(const shm::ControlBlock& cb) noexcept {
    if (__builtin_expect(cb.generation.load(std::memory_order_relaxed) == cfg_.generation, 1))
      return false;
    return reload(cb);
  }

  uint64_t generation() const noexcept { return cfg_.generation; }
  uint64_t sample_one_in() const noexcept { return cfg_.sample_one_in; }
  // Issue 17: packets in a sliding second above which a sender crosses; 0 = off.
  uint64_t traffic_trigger() const noexcept { return cfg_.traffic_trigger; }
  uint64_t syn_trigger() const noexcept { return cfg_.syn_trigger; }

  // Whether any protocol or port is blacklisted (else no packet is).
  bool any_blacklisted() const noexcept { return any_; }
  bool blacklisted(const ParsedPacket& p) const noexcept {
    return any_ && blacklisted_by_config(p);
  }
  // blacklisted() after any_blacklisted() was seen true.
  bool blacklisted_by_config(const ParsedPacket& p) const noexcept {
    if ((cfg_.proto_blacklist[p.ip_proto >> 6] >> (p.ip_proto & 63)) & 1) return true;
    if (!any_port_ || !p.l4_parsed) return false;
    const uint64_t* bits = p.ip_proto == 6    ? cfg_.tcp_port_blacklist
                           : p.ip_proto == 17 ? cfg_.udp_port_blacklist
                                              : nullptr;
    if (!bits) return false;
    return (((bits[p.sport >> 6] >> (p.sport & 63)) | (bits[p.dport >> 6] >> (p.dport & 63))) &
            1) != 0;
  }

 private:
  bool reload(const shm::ControlBlock& cb) noexcept;

  shm::ControlConfig cfg_;  // what the worker applies
  bool any_port_ = false;
  bool any_ = false;            // any_port_, or a protocol blacklisted
  shm::ControlConfig staging_;  // the copy being taken; kept only when whole
};

}  // namespace securenet
