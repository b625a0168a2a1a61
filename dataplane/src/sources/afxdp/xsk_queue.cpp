#include "sources/afxdp/xsk_queue.h"

#include <bpf/bpf.h>
#include <linux/if_xdp.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace securenet::afxdp {
namespace {

uint32_t pow2_at_least(uint32_t v) {
  uint32_t p = 64;
  while (p < v && p < (1u << 21)) p <<= 1;
  return p;
}

// SO_PREFER_BUSY_POLL (5.11+) lets the worker's own polls run the driver's NAPI instead of
// interrupts when the driver defers them (napi_defer_hard_irqs, gro_flush_timeout); the
// budget is how many packets one busy poll may take.
std::string enable_busy_poll(int fd, uint32_t us) {
#ifdef SO_PREFER_BUSY_POLL
  const int one = 1, usec = static_cast<int>(us), budget = 256;
  if (setsockopt(fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof one) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &usec, sizeof usec) != 0 ||
      setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof budget) != 0)
    return std::string("busy polling not enabled: ") + std::strerror(errno);
  return "";
#else
  (void)fd;
  (void)us;
  return "busy polling not enabled: built without SO_PREFER_BUSY_POLL";
#endif
}

std::string sock_error(const XskConfig& cfg, int err) {
  std::string where = "'" + cfg.ifname + "' queue " + std::to_string(cfg.queue);
  if (err == EPERM || err == EACCES)
    return "afxdp: no permission to open an AF_XDP socket on " + where +
           " (run as root or grant CAP_NET_RAW and CAP_BPF)";
  if (err == EINVAL)
    return "afxdp: cannot bind an AF_XDP socket to " + where +
           " (does the interface have that many RX queues? see ethtool -l " + cfg.ifname + ")";
  if (err == EOPNOTSUPP)
    return "afxdp: " + where + " does not support this AF_XDP bind mode (try xdp bind copy)";
  return "afxdp: AF_XDP socket on " + where + ": " + std::strerror(err);
}

}  // namespace

uint32_t rx_ring_entries(uint32_t ring_size) { return pow2_at_least(ring_size); }

Result<XskQueue> XskQueue::open(const XskConfig& cfg) {
  XskQueue q;
  const uint32_t rx_size = rx_ring_entries(cfg.ring_size);
  q.rx_entries_ = rx_size;
  q.pool_frames_ = umem_frames(rx_size) + (cfg.inline_pair ? kTxEntries : 0);
  q.frames_ = q.pool_frames_ * (cfg.inline_pair ? 2 : 1);
  q.area_size_ = size_t(q.frames_) * kFrameSize;
  void* area = mmap(nullptr, q.area_size_, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (area == MAP_FAILED)
    return make_error("afxdp: cannot map the UMEM: " + std::string(std::strerror(errno)), errno);
  q.area_ = static_cast<uint8_t*>(area);

  xsk_umem_config ucfg{};
  ucfg.fill_size = pow2_at_least(q.frames_);  // every frame fits: the ring is kept full
  // Completions are reaped before each TX kick; twice the TX ring never runs full.
  ucfg.comp_size = cfg.inline_pair ? 2 * kTxEntries : 64;
  ucfg.frame_size = kFrameSize;
  ucfg.frame_headroom = 0;
  if (int err = xsk_umem__create(&q.umem_, q.area_, q.area_size_, &q.rings_->fill, &q.rings_->comp,
                                 &ucfg);
      err)
    return make_error(sock_error(cfg, -err), -err);

  xsk_socket_config scfg{};
  scfg.rx_size = rx_size;
  scfg.tx_size = cfg.inline_pair ? kTxEntries : 0;
  scfg.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;  // our own program, attached by us
  int err = -EOPNOTSUPP;
  for (bool zc : {true, false}) {
    if ((zc && cfg.bind == "copy") || (!zc && cfg.bind == "zerocopy")) continue;
    scfg.bind_flags = static_cast<uint16_t>((zc ? XDP_ZEROCOPY : XDP_COPY) | XDP_USE_NEED_WAKEUP);
    err = xsk_socket__create(&q.xsk_, cfg.ifname.c_str(), cfg.queue, q.umem_, &q.rings_->rx,
                             cfg.inline_pair ? &q.rings_->tx : nullptr, &scfg);
    if (err == 0) {
      q.zerocopy_ = zc;
      break;
    }
    q.xsk_ = nullptr;
  }
  if (err) return make_error(sock_error(cfg, -err), -err);
  if (auto s = q.fill_pool(q.rings_->fill, 0); !s) return s.error();
  if (cfg.busy_poll_us) q.busy_poll_note_ = enable_busy_poll(q.fd(), cfg.busy_poll_us);
  // Insert the socket last: from here on the program redirects the queue to it.
  if (int e = xsk_socket__update_xskmap(q.xsk_, cfg.xsks_map_fd); e)
    return make_error(
        "afxdp: cannot insert the socket in the XSKMAP: " + std::string(std::strerror(-e)), -e);
  return q;
}

Status XskQueue::fill_pool(xsk_ring_prod& fill, uint32_t first) {
  uint32_t idx = 0;
  if (xsk_ring_prod__reserve(&fill, pool_frames_, &idx) != pool_frames_)
    return make_error("afxdp: cannot fill the UMEM fill ring");
  for (uint32_t i = 0; i < pool_frames_; ++i)
    *xsk_ring_prod__fill_addr(&fill, idx + i) = uint64_t(first + i) * kFrameSize;
  xsk_ring_prod__submit(&fill, pool_frames_);
  return Ok{};
}

Status XskQueue::attach_peer(const std::string& ifname, uint32_t queue, int xsks_map_fd) {
  if (frames_ != 2 * pool_frames_ || peer_) return make_error("afxdp: no second UMEM pool");
  xsk_socket_config scfg{};
  scfg.rx_size = rx_entries_;
  scfg.tx_size = kTxEntries;
  scfg.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
  // The bind flags (copy or zero-copy, need_wakeup) are the first socket's: the kernel
  // refuses flags on an XDP_SHARED_UMEM bind, and libxdp sets that flag for us.
  const int err =
      xsk_socket__create_shared(&peer_, ifname.c_str(), queue, umem_, &rings_->peer_rx,
                                &rings_->peer_tx, &rings_->peer_fill, &rings_->peer_comp, &scfg);
  if (err) {
    peer_ = nullptr;
    return make_error("shared UMEM socket on '" + ifname + "' queue " + std::to_string(queue) +
                          ": " + std::strerror(-err),
                      -err);
  }
  if (auto s = fill_pool(rings_->peer_fill, pool_frames_); !s) {
    drop_peer();
    return s.error();
  }
  if (int e = xsk_socket__update_xskmap(peer_, xsks_map_fd); e) {
    drop_peer();
    return make_error("cannot insert the shared UMEM socket in the XSKMAP of '" + ifname +
                          "': " + std::strerror(-e),
                      -e);
  }
  return Ok{};
}

void XskQueue::drop_peer() noexcept {
  if (peer_) xsk_socket__delete(peer_);
  peer_ = nullptr;
}

XskQueue::XskQueue(XskQueue&& o) noexcept { *this = std::move(o); }

XskQueue& XskQueue::operator=(XskQueue&& o) noexcept {
  if (this != &o) {
    reset();
    area_ = std::exchange(o.area_, nullptr);
    area_size_ = std::exchange(o.area_size_, 0);
    frames_ = o.frames_;
    pool_frames_ = o.pool_frames_;
    rx_entries_ = o.rx_entries_;
    busy_poll_note_ = std::move(o.busy_poll_note_);
    umem_ = std::exchange(o.umem_, nullptr);
    xsk_ = std::exchange(o.xsk_, nullptr);
    peer_ = std::exchange(o.peer_, nullptr);
    rings_ = std::move(o.rings_);
    zerocopy_ = o.zerocopy_;
  }
  return *this;
}

XskQueue::~XskQueue() { reset(); }

void XskQueue::reset() noexcept {
  drop_peer();  // before the UMEM: libxdp refuses to delete a UMEM still shared
  if (xsk_) xsk_socket__delete(xsk_);  // also leaves the XSKMAP
  if (umem_) xsk_umem__delete(umem_);
  if (area_) munmap(area_, area_size_);
  xsk_ = nullptr;
  umem_ = nullptr;
  area_ = nullptr;
}

}  // namespace securenet::afxdp
