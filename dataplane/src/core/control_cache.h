// A worker's private copy of the ControlBlock (blacklist bitmaps, sampling rate, reset
// requests). poll() costs two relaxed loads per burst; the block is re-read (acquire) only
// when its generation changed.
#pragma once

#include <cstdint>

#include "securenet/parser.h"
#include "securenet/shm_layout.h"

namespace securenet {

class ControlCache {
 public:
  struct Changes {
    bool reloaded = false;
    bool reset = false;  // reset_request moved: the owner must clear its host table
  };

  // Reads the block at start-up; a reset requested before the worker started is ignored.
  void init(const shm::ControlBlock& cb) noexcept;
  Changes poll(const shm::ControlBlock& cb) noexcept {
    Changes ch;
    if (cb.generation.load(std::memory_order_relaxed) != generation_) {
      reload(cb);
      ch.reloaded = true;
    }
    const uint64_t r = cb.reset_request.load(std::memory_order_relaxed);
    if (r != reset_seen_) {
      reset_seen_ = r;
      ch.reset = true;
    }
    return ch;
  }

  uint64_t generation() const noexcept { return generation_; }
  uint64_t sample_one_in() const noexcept { return sample_one_in_; }
  uint64_t resets_applied() const noexcept { return resets_applied_; }
  void note_reset() noexcept { ++resets_applied_; }

  bool blacklisted(const ParsedPacket& p) const noexcept {
    if ((proto_[p.ip_proto >> 6] >> (p.ip_proto & 63)) & 1) return true;
    if (!any_port_ || !p.l4_parsed) return false;
    const uint64_t* bits = p.ip_proto == 6 ? tcp_ : p.ip_proto == 17 ? udp_ : nullptr;
    if (!bits) return false;
    return (((bits[p.sport >> 6] >> (p.sport & 63)) | (bits[p.dport >> 6] >> (p.dport & 63))) & 1) != 0;
  }

 private:
  void reload(const shm::ControlBlock& cb) noexcept;

  uint64_t generation_ = 0;
  uint64_t reset_seen_ = 0;
  uint64_t resets_applied_ = 0;
  uint64_t sample_one_in_ = 0;
  bool any_port_ = false;
  uint64_t proto_[4] = {};
  uint64_t tcp_[1024] = {};
  uint64_t udp_[1024] = {};
};

}  // namespace securenet
