// RAII owner of one AF_XDP socket bound to one RX queue, with its own UMEM and rings.
#pragma once

#include <xdp/xsk.h>

#include <cstdint>
#include <memory>
#include <string>

#include "securenet/result.h"

namespace securenet::afxdp {

struct XskConfig {
  std::string ifname;
  uint32_t queue = 0;
  uint32_t ring_size = 4096;  // RX ring; the UMEM holds that many frames plus two bursts
  std::string bind = "auto";  // auto (zero-copy, else copy) | zerocopy | copy
  int xsks_map_fd = -1;       // our XSKMAP: the socket is inserted at key `queue`
  uint32_t busy_poll_us = 0;  // > 0: SO_PREFER_BUSY_POLL + SO_BUSY_POLL (+ budget)
};

// The UMEM frame size (the smallest chunk AF_XDP allows; fits a 1500-byte MTU frame).
inline constexpr uint32_t kFrameSize = 2048;
// RX ring entries (a power of two, 64..2^20) and UMEM frames for a requested ring size: the
// UMEM holds a full RX ring plus the two bursts the worker may hold, so the fill ring always
// has a frame for every free RX slot while the worker is off the CPU.
uint32_t rx_ring_entries(uint32_t ring_size);
inline uint32_t umem_frames(uint32_t rx_entries) { return rx_entries + 128; }

class XskQueue {
 public:
  static Result<XskQueue> open(const XskConfig& cfg);
  XskQueue(XskQueue&& o) noexcept;
  XskQueue& operator=(XskQueue&& o) noexcept;
  XskQueue(const XskQueue&) = delete;
  XskQueue& operator=(const XskQueue&) = delete;
  ~XskQueue();

  int fd() const { return xsk_socket__fd(xsk_); }
  bool zerocopy() const { return zerocopy_; }
  uint32_t rx_entries() const { return rx_entries_; }
  size_t umem_bytes() const { return area_size_; }
  // Empty when busy polling is off or took effect, else why not (a one-line warning).
  const std::string& busy_poll_note() const { return busy_poll_note_; }
  uint8_t* umem_area() const { return area_; }
  xsk_ring_cons& rx() { return rings_->rx; }
  xsk_ring_prod& fill() { return rings_->fill; }

 private:
  XskQueue() = default;
  void reset() noexcept;
  Status fill_all();
  uint8_t* area_ = nullptr;
  size_t area_size_ = 0;
  uint32_t frames_ = 0;
  uint32_t rx_entries_ = 0;
  std::string busy_poll_note_;
  xsk_umem* umem_ = nullptr;
  xsk_socket* xsk_ = nullptr;
  // libxdp keeps pointers to the ring structs until the socket is deleted: they must not move.
  struct Rings {
    xsk_ring_prod fill{};
    xsk_ring_cons comp{};
    xsk_ring_cons rx{};
  };
  std::unique_ptr<Rings> rings_ = std::make_unique<Rings>();
  bool zerocopy_ = false;
};

}  // namespace securenet::afxdp
