// RAII owner of one AF_XDP socket bound to one RX queue, with its own UMEM and rings; with
// --inline also of a second socket (the peer) on the same queue of OUT_IF that shares the
// UMEM (XDP_SHARED_UMEM, a fill/completion ring pair of its own): a frame received on one
// socket is sent on the other by its UMEM address, without a copy.
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
  bool inline_pair = false;   // a TX ring too, and a second pool of frames for a peer socket
};

// The UMEM frame size (the smallest chunk AF_XDP allows; fits a 1500-byte MTU frame).
inline constexpr uint32_t kFrameSize = 2048;
// RX ring entries (a power of two, 64..2^20) and UMEM frames for a requested ring size: the
// UMEM holds a full RX ring plus the two bursts the worker may hold, so the fill ring always
// has a frame for every free RX slot while the worker is off the CPU.
uint32_t rx_ring_entries(uint32_t ring_size);
inline uint32_t umem_frames(uint32_t rx_entries) { return rx_entries + 128; }
// TX ring entries of each socket of an inline pair; each pool holds that many frames more
// (frames on their way out are not in the fill ring).
inline constexpr uint32_t kTxEntries = 2048;

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
  xsk_ring_prod& tx() { return rings_->tx; }
  xsk_ring_cons& comp() { return rings_->comp; }

  // --inline: the peer socket on `queue` of `ifname`, inserted in that interface's XSKMAP;
  // its fill ring gets the UMEM's second pool. Needs inline_pair. On failure there is no peer
  // (the second pool stays unused).
  Status attach_peer(const std::string& ifname, uint32_t queue, int xsks_map_fd);
  void drop_peer() noexcept;
  bool has_peer() const { return peer_ != nullptr; }
  int peer_fd() const { return xsk_socket__fd(peer_); }
  xsk_ring_cons& peer_rx() { return rings_->peer_rx; }
  xsk_ring_prod& peer_tx() { return rings_->peer_tx; }
  xsk_ring_prod& peer_fill() { return rings_->peer_fill; }
  xsk_ring_cons& peer_comp() { return rings_->peer_comp; }

 private:
  XskQueue() = default;
  void reset() noexcept;
  Status fill_pool(xsk_ring_prod& fill, uint32_t first);
  uint8_t* area_ = nullptr;
  size_t area_size_ = 0;
  uint32_t frames_ = 0;
  uint32_t pool_frames_ = 0;  // frames given to each socket's fill ring (the UMEM has 1 or 2)
  uint32_t rx_entries_ = 0;
  std::string busy_poll_note_;
  xsk_umem* umem_ = nullptr;
  xsk_socket* xsk_ = nullptr;
  xsk_socket* peer_ = nullptr;
  // libxdp keeps pointers to the ring structs until the socket is deleted: they must not move.
  struct Rings {
    xsk_ring_prod fill{};
    xsk_ring_cons comp{};
    xsk_ring_cons rx{};
    xsk_ring_prod tx{};
    xsk_ring_cons peer_rx{};
    xsk_ring_prod peer_tx{};
    xsk_ring_prod peer_fill{};
    xsk_ring_cons peer_comp{};
  };
  std::unique_ptr<Rings> rings_ = std::make_unique<Rings>();
  bool zerocopy_ = false;
};

}  // namespace securenet::afxdp
