// --inline OUT_IF (issue 16 item 4b), the fallback when no AF_XDP socket with a shared UMEM
// can be opened on OUT_IF (xsk_forward.h is the normal path): the frames an AF_XDP worker
// received (and counted) are sent on OUT_IF through an AF_PACKET socket of the worker's own
// (one sendmmsg per burst, PACKET_QDISC_BYPASS: straight to the driver). A copy per frame
// into the kernel's skb. Only frames from the capture interface to OUT_IF: one direction
// (README "Responding to attacks").
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <atomic>
#include <cstdint>
#include <string>

#include "securenet/common/fd.h"
#include "securenet/result.h"
#include "securenet/source.h"

namespace securenet::afxdp {

class InlineTx {
 public:
  static Result<InlineTx> open(const std::string& ifname);
  InlineTx(InlineTx&& o) noexcept : fd_(std::move(o.fd_)) {}
  InlineTx& operator=(InlineTx&&) = delete;

  // Sends frames[i] (lens[i] bytes), i < n <= kMaxSourceBurst; counts what went and what not.
  void send(uint8_t* const* frames, const uint32_t* lens, uint32_t n) noexcept;
  InlineStats stats() const noexcept {
    return {forwarded_.load(std::memory_order_relaxed), errors_.load(std::memory_order_relaxed)};
  }

 private:
  explicit InlineTx(Fd fd) : fd_(std::move(fd)) {}
  Fd fd_;
  std::atomic<uint64_t> forwarded_{0}, errors_{0};  // one writer: the worker
  iovec iov_[kMaxSourceBurst];
  mmsghdr msgs_[kMaxSourceBurst];
};

}  // namespace securenet::afxdp
