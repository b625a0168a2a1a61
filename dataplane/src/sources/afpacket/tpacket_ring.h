// RAII owner of one AF_PACKET socket with a TPACKET_V3 receive ring mapped into memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "securenet/common/fd.h"
#include "securenet/result.h"

namespace securenet::afpkt {

struct RingConfig {
  std::string ifname;
  uint32_t block_size = 1u << 18;  // bytes per block (a power-of-two number of pages)
  uint32_t block_count = 32;
  uint32_t block_timeout_ms = 4;  // a partly filled block is handed over after this
  int fanout_group = -1;          // PACKET_FANOUT group id; -1 = no fanout
};

class TpacketRing {
 public:
  static Result<TpacketRing> open(const RingConfig& cfg);
  TpacketRing(TpacketRing&& o) noexcept;
  TpacketRing& operator=(TpacketRing&& o) noexcept;
  TpacketRing(const TpacketRing&) = delete;
  TpacketRing& operator=(const TpacketRing&) = delete;
  ~TpacketRing();

  int fd() const { return fd_.get(); }
  uint8_t* block(uint32_t i) const { return map_ + size_t(i) * block_size_; }
  uint32_t block_count() const { return block_count_; }

 private:
  TpacketRing() = default;
  void reset() noexcept;
  Fd fd_;
  uint8_t* map_ = nullptr;
  size_t map_size_ = 0;
  uint32_t block_size_ = 0;
  uint32_t block_count_ = 0;
};

}  // namespace securenet::afpkt
