// --inline through AF_XDP (issue 16 item 4b): both directions of a bump in the wire. The
// capture socket and its peer on OUT_IF share one UMEM; a frame received (and counted) on
// one is put on the other's TX ring by its address (no copy of ours; in copy mode the kernel
// still copies it into an skb to send it). A frame sent on OUT_IF
// came from the capture socket's pool, so its completion goes back to the capture socket's
// fill ring, and the other way round: each pool returns to the socket it feeds.
#pragma once

#include <atomic>
#include <cstdint>

#include "securenet/source.h"
#include "sources/afxdp/xsk_queue.h"

namespace securenet::afxdp {

enum class Side { kCapture, kPeer };  // where frames were received

class XskForward {
 public:
  // Puts the n frames received on `from` on the other socket's TX ring and kicks it; frames
  // that find no room after a few kicks go straight back to `from`'s fill ring (tx errors).
  void forward(XskQueue& q, Side from, const uint64_t* addr, const uint32_t* len,
               uint32_t n) noexcept;
  // Returns completed frames to their fill rings and kicks TX rings that still hold frames
  // (copy mode sends at most a few dozen per kick). Cheap when there is nothing to do.
  void service(XskQueue& q) noexcept;
  InlineStats stats() const noexcept {
    return {forwarded_.load(std::memory_order_relaxed), errors_.load(std::memory_order_relaxed)};
  }
  // Once the peer socket exists: the bind mode, and in copy mode a larger TX batch per kick.
  void init(XskQueue& q) noexcept;

 private:
  void reap(XskQueue& q) noexcept;
  void kick(XskQueue& q, Side to) noexcept;
  void add(std::atomic<uint64_t>& c, uint64_t n) noexcept {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  bool zerocopy_ = false;
  uint32_t batch_ = 32;                             // frames sent per kick in copy mode
  std::atomic<uint64_t> forwarded_{0}, errors_{0};  // one writer: the worker
};

}  // namespace securenet::afxdp
