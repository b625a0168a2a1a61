#include "sources/afxdp/xsk_forward.h"

#include <linux/if_xdp.h>
#include <sys/socket.h>

#include <cerrno>

namespace securenet::afxdp {
namespace {

constexpr unsigned kFullRetries = 8;  // a full TX ring: kicks before the rest is dropped
constexpr unsigned kCopyBatch = 32;   // frames the kernel sends per kick in copy mode...
constexpr int kMaxTxBudget = 9;       // ...unless raised (XDP_MAX_TX_SKB_BUDGET, Linux 6.17)
constexpr unsigned kTxBudget = 256;
constexpr uint32_t kReapBudget = 512;  // completions taken per ring per call

uint32_t pending(const xsk_ring_prod& tx) {  // frames on the TX ring the kernel has not taken
  return *tx.producer - __atomic_load_n(tx.consumer, __ATOMIC_ACQUIRE);
}

// Completions of `comp` go to `fill`: the frames of the pool that `fill` feeds.
uint32_t move_completions(xsk_ring_cons& comp, xsk_ring_prod& fill, int fill_fd) {
  uint32_t ci = 0, fi = 0;
  const uint32_t n = xsk_ring_cons__peek(&comp, kReapBudget, &ci);
  if (n == 0) return 0;
  // Always room: the fill ring holds every frame of the UMEM.
  if (xsk_ring_prod__reserve(&fill, n, &fi) != n) {
    xsk_ring_cons__cancel(&comp, n);
    return 0;
  }
  for (uint32_t i = 0; i < n; ++i)
    *xsk_ring_prod__fill_addr(&fill, fi + i) = *xsk_ring_cons__comp_addr(&comp, ci + i);
  xsk_ring_prod__submit(&fill, n);
  xsk_ring_cons__release(&comp, n);
  if (xsk_ring_prod__needs_wakeup(&fill))
    recvfrom(fill_fd, nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
  return n;
}

}  // namespace

void XskForward::init(XskQueue& q) noexcept {
  zerocopy_ = q.zerocopy();
  if (zerocopy_) return;
  // One kick sends up to a burst instead of 32 (best effort: older kernels refuse it).
  batch_ = kCopyBatch;
  if (setsockopt(q.fd(), SOL_XDP, kMaxTxBudget, &kTxBudget, sizeof kTxBudget) == 0 &&
      setsockopt(q.peer_fd(), SOL_XDP, kMaxTxBudget, &kTxBudget, sizeof kTxBudget) == 0)
    batch_ = kTxBudget;
}

void XskForward::reap(XskQueue& q) noexcept {
  // The peer sent the capture socket's frames (and the other way round).
  uint32_t n = move_completions(q.peer_comp(), q.fill(), q.fd());
  n += move_completions(q.comp(), q.peer_fill(), q.peer_fd());
  if (n) add(forwarded_, n);
}

void XskForward::kick(XskQueue& q, Side to) noexcept {
  xsk_ring_prod& tx = to == Side::kPeer ? q.peer_tx() : q.tx();
  const int fd = to == Side::kPeer ? q.peer_fd() : q.fd();
  if (zerocopy_) {  // the driver sends from its NAPI; wake it when it asks
    if (xsk_ring_prod__needs_wakeup(&tx)) sendto(fd, nullptr, 0, MSG_DONTWAIT, nullptr, 0);
    return;
  }
  // Copy mode sends in the syscall, batch_ frames at a time (EAGAIN: more to do;
  // EBUSY: the device dropped one; ENOBUFS: no skb for now). Completions are reaped on the
  // way so the completion ring never stops the kernel.
  for (uint32_t tries = pending(tx) / batch_ + 2; tries && pending(tx); --tries) {
    if (sendto(fd, nullptr, 0, MSG_DONTWAIT, nullptr, 0) < 0 && errno != EAGAIN && errno != EBUSY &&
        errno != ENOBUFS && errno != EINTR)
      break;  // the interface is down: the frames wait, new ones find the ring full
    reap(q);
  }
}

void XskForward::forward(XskQueue& q, Side from, const uint64_t* addr, const uint32_t* len,
                         uint32_t n) noexcept {
  if (n == 0) return;
  const Side to = from == Side::kCapture ? Side::kPeer : Side::kCapture;
  xsk_ring_prod& tx = to == Side::kPeer ? q.peer_tx() : q.tx();
  uint32_t placed = 0;
  for (unsigned tries = 0; placed < n && tries < kFullRetries; ++tries) {
    uint32_t k = xsk_prod_nb_free(&tx, n - placed), idx = 0;
    if (k > n - placed) k = n - placed;
    if (k && xsk_ring_prod__reserve(&tx, k, &idx) == k) {
      for (uint32_t i = 0; i < k; ++i) {
        xdp_desc* d = xsk_ring_prod__tx_desc(&tx, idx + i);
        d->addr = addr[placed + i];
        d->len = len[placed + i];
        d->options = 0;
      }
      xsk_ring_prod__submit(&tx, k);
      placed += k;
    }
    kick(q, to);
    reap(q);
  }
  if (placed == n) return;
  // No room on the way out: the rest is lost here and its frames go back to where they came.
  xsk_ring_prod& fill = from == Side::kCapture ? q.fill() : q.peer_fill();
  uint32_t fi = 0;
  if (xsk_ring_prod__reserve(&fill, n - placed, &fi) == n - placed) {
    for (uint32_t i = placed; i < n; ++i)
      *xsk_ring_prod__fill_addr(&fill, fi + i - placed) = addr[i];
    xsk_ring_prod__submit(&fill, n - placed);
  }
  add(errors_, n - placed);
}

void XskForward::service(XskQueue& q) noexcept {
  reap(q);
  if (pending(q.peer_tx())) kick(q, Side::kPeer);
  if (pending(q.tx())) kick(q, Side::kCapture);
}

}  // namespace securenet::afxdp
