#include "sources/afxdp/afxdp_source.h"

#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "securenet/common/clock.h"
#include "securenet/common/fd.h"
#include "sources/afxdp/inline_tx.h"
#include "sources/afxdp/promisc.h"
#include "sources/afxdp/xdp_program.h"
#include "sources/afxdp/xsk_forward.h"
#include "sources/afxdp/xsk_queue.h"
#include "sources/offloads.h"

namespace securenet {
namespace {

using afxdp::Side;
using afxdp::XdpProgram;
using afxdp::XskForward;
using afxdp::XskQueue;

constexpr int kIdlePollMs = 10;  // wait this long for packets when the RX ring is empty

// The drop list of an interface (issue 16 item 4b) is its XDP program's LPM trie.
class XdpDropFilter final : public DropFilter {
 public:
  explicit XdpDropFilter(std::shared_ptr<XdpProgram> p) : prog_(std::move(p)) {}
  bool add(uint32_t slot, const shm::IpKey& prefix, uint32_t length) noexcept override {
    return prog_->drop_add(slot, prefix.bytes, length);
  }
  void remove(const shm::IpKey& prefix, uint32_t length) noexcept override {
    prog_->drop_remove(prefix.bytes, length);
  }
  uint64_t drops(uint32_t slot) noexcept override { return prog_->drop_count(slot); }
  void set_active(bool on) noexcept override { prog_->drop_active(on); }

 private:
  std::shared_ptr<XdpProgram> prog_;
};

// The OUT_IF side of --inline through AF_XDP: its XDP program (no drop list: the list
// filters what arrives on the capture interface), promiscuous mode and offloads.
struct PeerSide {
  std::shared_ptr<XdpProgram> prog;
  std::shared_ptr<PromiscHold> promisc;
  std::shared_ptr<OffloadGuard> offloads;
};

// Views point into UMEM frames; the frames go back to the fill ring at the next rx_burst
// (--inline: onto the other interface's TX ring, or through the AF_PACKET fallback first).
class AfXdpSource final : public PacketSource {
 public:
  AfXdpSource(std::shared_ptr<XdpProgram> prog, std::shared_ptr<PromiscHold> promisc,
              std::shared_ptr<OffloadGuard> offloads, XskQueue xsk, uint32_t queue,
              std::shared_ptr<DropFilter> filter, std::unique_ptr<afxdp::InlineTx> tx,
              std::shared_ptr<PeerSide> peer)
      : prog_(std::move(prog)),
        filter_(std::move(filter)),
        tx_(std::move(tx)),
        peer_(std::move(peer)),
        promisc_(std::move(promisc)),
        offloads_(std::move(offloads)),
        xsk_(std::move(xsk)),
        queue_(queue),
        percpu_(XdpProgram::possible_cpus()) {
    if (xsk_.has_peer()) fwd_.init(xsk_);
  }

  uint32_t rx_burst(PacketView* out, uint32_t max) noexcept override {
    if (max > kMaxSourceBurst) max = kMaxSourceBurst;
    if (xsk_.has_peer()) {  // --inline through the shared UMEM: the last burst, counted, goes on
      if (held_) {
        fwd_.forward(xsk_, Side::kCapture, held_addr_, held_len_, held_cap_);
        fwd_.forward(xsk_, Side::kPeer, held_addr_ + held_cap_, held_len_ + held_cap_,
                     held_ - held_cap_);
        held_ = 0;
      }
      fwd_.service(xsk_);
    } else {
      if (held_ && tx_) forward();        // --inline through AF_PACKET (the fallback)
      if (held_ && !recycle()) return 0;  // cannot happen: the fill ring holds every frame
    }
    // The capture interface first; the peer gets at most half a burst when both are busy.
    held_cap_ = take(xsk_.rx(), out, 0, xsk_.has_peer() ? max - max / 2 : max);
    if (xsk_.has_peer()) take(xsk_.peer_rx(), out, held_cap_, max - held_cap_);
    if (held_ == 0) idle();
    return held_;
  }

  SourceStats stats() noexcept override {
    xdp_statistics st{};
    socklen_t len = sizeof(st);
    SourceStats s;
    if (getsockopt(xsk_.fd(), SOL_XDP, XDP_STATISTICS, &st, &len) == 0) {
      s.drops = st.rx_dropped + st.rx_ring_full;
      s.errors = st.rx_invalid_descs;
    }
    s.drops += prog_->counters(queue_, percpu_).dropped;
    len = sizeof(st);
    if (xsk_.has_peer() && getsockopt(xsk_.peer_fd(), SOL_XDP, XDP_STATISTICS, &st, &len) == 0) {
      s.drops += st.rx_dropped + st.rx_ring_full;
      s.errors += st.rx_invalid_descs;
    }
    return s;
  }

  std::shared_ptr<DropFilter> drop_filter() const override { return filter_; }
  InlineStats inline_stats() const noexcept override {
    if (xsk_.has_peer()) return fwd_.stats();
    return tx_ ? tx_->stats() : InlineStats{};
  }

 private:
  // Appends up to `n` frames of `rx` to out[at..] and to the held frames.
  uint32_t take(xsk_ring_cons& rx, PacketView* out, uint32_t at, uint32_t n) noexcept {
    uint32_t idx = 0;
    n = xsk_ring_cons__peek(&rx, n, &idx);
    if (n == 0) return 0;
    const uint64_t ts = wall_ns();
    uint8_t* area = xsk_.umem_area();
    for (uint32_t i = 0; i < n; ++i) {
      const xdp_desc* d = xsk_ring_cons__rx_desc(&rx, idx + i);
      out[at + i] = PacketView{area + xsk_umem__add_offset_to_addr(d->addr), d->len, d->len, ts};
      held_addr_[at + i] = d->addr;
      held_len_[at + i] = d->len;
    }
    xsk_ring_cons__release(&rx, n);
    held_ = at + n;
    return n;
  }

  // The fill ring always has room: it holds every UMEM frame, and these were taken out.
  bool recycle() noexcept {
    uint32_t idx = 0;
    if (xsk_ring_prod__reserve(&xsk_.fill(), held_, &idx) != held_) return false;  // retried
    for (uint32_t i = 0; i < held_; ++i)
      *xsk_ring_prod__fill_addr(&xsk_.fill(), idx + i) = held_addr_[i];
    xsk_ring_prod__submit(&xsk_.fill(), held_);
    held_ = 0;
    // Drivers that stopped for want of fill entries wait for a kick (one syscall per burst,
    // only when the kernel asks for it).
    if (xsk_ring_prod__needs_wakeup(&xsk_.fill()))
      recvfrom(xsk_.fd(), nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
    return true;
  }

  void forward() noexcept {
    uint8_t* frames[kMaxSourceBurst];
    uint8_t* area = xsk_.umem_area();
    for (uint32_t i = 0; i < held_; ++i)
      frames[i] = area + xsk_umem__add_offset_to_addr(held_addr_[i]);
    tx_->send(frames, held_len_, held_);
  }

  void idle() noexcept {
    // One poll with a short timeout when idle; it also wakes the kernel for the fill ring.
    pollfd p[2] = {{xsk_.fd(), POLLIN, 0}, {xsk_.has_peer() ? xsk_.peer_fd() : -1, POLLIN, 0}};
    poll(p, 2, kIdlePollMs);
  }

  std::shared_ptr<XdpProgram> prog_;        // detached when the last source of the interface goes
  std::shared_ptr<DropFilter> filter_;      // the interface's drop list (issue 16)
  std::unique_ptr<afxdp::InlineTx> tx_;     // --inline OUT_IF through AF_PACKET (the fallback)
  std::shared_ptr<PeerSide> peer_;          // --inline OUT_IF through AF_XDP; null otherwise
  XskForward fwd_;                          // its rings' protocol
  std::shared_ptr<PromiscHold> promisc_;    // likewise released with the last source
  std::shared_ptr<OffloadGuard> offloads_;  // likewise restored
  XskQueue xsk_;
  uint32_t queue_;
  std::vector<sn_xdp_counters> percpu_;  // this worker's scratch for the per-CPU counters
  uint32_t held_ = 0;                    // frames given out by the last rx_burst...
  uint32_t held_cap_ = 0;  // ...the first held_cap_ of them from the capture interface
  uint64_t held_addr_[kMaxSourceBurst];
  uint32_t held_len_[kMaxSourceBurst];
};

// One line per interface: what the rings hold and what they cost (the UMEM is populated and
// pinned at start), so an operator sizing --buffer-ms sees the memory it takes.
void print_buffering(const std::string& ifname, const std::vector<XskQueue>& xsks) {
  const XskQueue& q = xsks.front();
  std::fprintf(stderr,
               "securenet-dataplane: afxdp %s: %zu queue(s), %s, RX ring %u, UMEM %.0f MiB per "
               "queue (%.0f ms at 1 Mpps, %.0f ms at 2 Mpps per queue)\n",
               ifname.c_str(), xsks.size(), q.zerocopy() ? "zero-copy" : "copy", q.rx_entries(),
               static_cast<double>(q.umem_bytes()) / (1 << 20), q.rx_entries() / 1e3,
               q.rx_entries() / 2e3);
  if (!q.busy_poll_note().empty())
    std::fprintf(stderr, "securenet-dataplane: afxdp %s: %s\n", ifname.c_str(),
                 q.busy_poll_note().c_str());
}

uint32_t rx_queue_count(const std::string& ifname) {
  uint32_t n = 0;
  for (;; ++n) {
    std::string p = "/sys/class/net/" + ifname + "/queues/rx-" + std::to_string(n);
    if (access(p.c_str(), F_OK) != 0) break;
  }
  return n;
}

bool is_loopback(const std::string& ifname) {
  const Fd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  return ioctl(fd.get(), SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_LOOPBACK);
}

// --inline OUT_IF through AF_XDP: OUT_IF's own capture program and, per worker, a socket on
// the same queue of OUT_IF sharing the worker's UMEM. Empty on success, else why not (then
// nothing of it is left and the caller falls back to AF_PACKET).
std::string attach_peers(const SourceOptions& opts, std::vector<XskQueue>& xsks,
                         std::shared_ptr<PeerSide>& side) {
  const uint32_t queues = rx_queue_count(opts.inline_if);
  if (queues != 0 && queues != xsks.size())
    return "'" + opts.inline_if + "' has " + std::to_string(queues) + " RX queue(s), the capture " +
           "interface " + std::to_string(xsks.size());
  auto promisc = PromiscHold::take(opts.inline_if);
  if (!promisc) return promisc.error().message;
  auto prog = XdpProgram::attach(opts.inline_if, opts.xdp_mode);
  if (!prog) return prog.error().message;
  side = std::make_shared<PeerSide>();
  side->promisc = std::make_shared<PromiscHold>(std::move(*promisc));
  side->prog = std::make_shared<XdpProgram>(std::move(*prog));
  for (uint32_t q = 0; q < xsks.size(); ++q) {
    if (auto s = xsks[q].attach_peer(opts.inline_if, q, side->prog->xsks_map_fd()); !s) {
      for (XskQueue& x : xsks) x.drop_peer();
      side.reset();
      return s.error().message;
    }
  }
  // What crosses the sensor must leave as it came: no VLAN stripping, no GRO on OUT_IF either.
  side->offloads =
      std::make_shared<OffloadGuard>(OffloadGuard::apply("afxdp", opts.inline_if, true));
  return "";
}

}  // namespace

Result<std::vector<std::unique_ptr<PacketSource>>> make_afxdp_sources(const SourceOptions& opts) {
  if (opts.target.empty())
    return make_error("afxdp: no interface given (pass the capture interface as the target)");
  if (if_nametoindex(opts.target.c_str()) == 0)
    return make_error("afxdp: no such interface '" + opts.target +
                      "' (check the name with `ip link`)");
  if (opts.xdp_bind != "auto" && opts.xdp_bind != "zerocopy" && opts.xdp_bind != "copy")
    return make_error("afxdp: xdp bind must be auto, zerocopy or copy (got '" + opts.xdp_bind +
                      "')");
  if (!opts.inline_if.empty() &&
      (opts.inline_if == opts.target || if_nametoindex(opts.inline_if.c_str()) == 0))
    return make_error("afxdp: --inline: '" + opts.inline_if +
                      "' must be an existing interface other than the capture interface");
  if (!opts.inline_if.empty() && is_loopback(opts.inline_if))
    return make_error("afxdp: --inline: refusing '" + opts.inline_if +
                      "': forwarding takes every frame it receives away from the kernel, which "
                      "would cut off all local traffic (give the interface toward the protected "
                      "network)");
  if (is_loopback(opts.target))
    return make_error("afxdp: refusing to capture '" + opts.target +
                      "': AF_XDP takes the packets "
                      "away from the kernel, which would cut off all local traffic (use --source "
                      "afpacket for a loopback interface)");
  const unsigned workers = opts.workers ? opts.workers : 1;
  const uint32_t queues = rx_queue_count(opts.target);
  // One worker per RX queue, all queues covered: a queue without a socket would pass its
  // packets to the kernel unseen, and the counters would be silently short.
  if (queues != 0 && workers != queues)
    return make_error(
        "afxdp: '" + opts.target + "' has " + std::to_string(queues) + " RX queue(s) but " +
        std::to_string(workers) +
        " worker(s) were asked for; AF_XDP needs one worker per queue (use --workers " +
        std::to_string(queues) + ", or set the queues with ethtool -L " + opts.target +
        " combined " + std::to_string(workers) + ")");
  if (workers > SN_XDP_MAX_QUEUES) return make_error("afxdp: at most 64 workers (RX queues)");
  auto promisc = PromiscHold::take(opts.target);
  if (!promisc) return make_error("afxdp: " + promisc.error().message, promisc.error().err);
  auto held = std::make_shared<PromiscHold>(std::move(*promisc));
  auto prog = XdpProgram::attach(opts.target, opts.xdp_mode);
  if (!prog) return prog.error();
  auto shared = std::make_shared<XdpProgram>(std::move(*prog));
  auto filter = std::make_shared<XdpDropFilter>(shared);
  std::vector<XskQueue> xsks;
  for (unsigned q = 0; q < workers; ++q) {
    afxdp::XskConfig cfg{opts.target,
                         q,
                         opts.ring_size,
                         opts.xdp_bind,
                         shared->xsks_map_fd(),
                         opts.busy_poll_us,
                         !opts.inline_if.empty()};
    auto xsk = XskQueue::open(cfg);
    if (!xsk) return xsk.error();
    xsks.push_back(std::move(*xsk));
  }
  print_buffering(opts.target, xsks);
  std::shared_ptr<PeerSide> peer;
  if (!opts.inline_if.empty()) {
    if (const std::string why = attach_peers(opts, xsks, peer); why.empty())
      std::fprintf(stderr,
                   "securenet-dataplane: afxdp --inline %s: AF_XDP with a shared UMEM, both "
                   "directions (%s <-> %s)\n",
                   opts.inline_if.c_str(), opts.target.c_str(), opts.inline_if.c_str());
    else
      std::fprintf(stderr,
                   "securenet-dataplane: afxdp --inline %s: no AF_XDP socket with a shared UMEM "
                   "(%s); falling back to AF_PACKET: one direction only (%s -> %s), a copy per "
                   "frame\n",
                   opts.inline_if.c_str(), why.c_str(), opts.target.c_str(),
                   opts.inline_if.c_str());
  }
  // XDP sees frames after the NIC's LRO and VLAN stripping (and generic XDP after GRO).
  auto offloads = std::make_shared<OffloadGuard>(OffloadGuard::apply("afxdp", opts.target, true));
  std::vector<std::unique_ptr<PacketSource>> out;
  for (unsigned q = 0; q < workers; ++q) {
    std::unique_ptr<afxdp::InlineTx> tx;
    if (!opts.inline_if.empty() && !peer) {
      auto t = afxdp::InlineTx::open(opts.inline_if);
      if (!t) return t.error();
      tx = std::make_unique<afxdp::InlineTx>(std::move(*t));
    }
    out.push_back(std::make_unique<AfXdpSource>(shared, held, offloads, std::move(xsks[q]), q,
                                                filter, std::move(tx), peer));
  }
  return out;
}

}  // namespace securenet
