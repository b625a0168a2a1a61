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
  uint32_t ring_size = 4096;  // RX ring; the fill ring and the UMEM hold twice as many
  std::string bind = "auto";  // auto (zero-copy, else copy) | zerocopy | copy
  int xsks_map_fd = -1;       // our XSKMAP: the socket is inserted at key `queue`
};

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
