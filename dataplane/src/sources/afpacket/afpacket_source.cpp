#include "sources/afpacket/afpacket_source.h"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>

#include "sources/afpacket/tpacket_ring.h"
#include "sources/offloads.h"

namespace securenet {
namespace {

constexpr int kIdlePollMs = 10;  // wait this long for a block when the ring is empty
constexpr uint32_t kBlockSize = 1u << 18;

// Walks the ring's blocks in place. A block is handed back to the kernel at the start of
// the rx_burst after the one that returned its last packet, so views stay valid until then.
class AfPacketSource final : public PacketSource {
 public:
  AfPacketSource(afpkt::TpacketRing ring, std::shared_ptr<OffloadGuard> offloads)
      : ring_(std::move(ring)), offloads_(std::move(offloads)) {}

  uint32_t rx_burst(PacketView* out, uint32_t max) noexcept override {
    if (release_pending_) release_block();
    if (left_ == 0 && !open_block()) return 0;
    uint32_t n = left_ < max ? left_ : max;
    for (uint32_t i = 0; i < n; ++i) {
      auto* h = reinterpret_cast<tpacket3_hdr*>(pkt_);
      out[i] = PacketView{pkt_ + h->tp_mac, h->tp_snaplen, h->tp_len,
                          uint64_t(h->tp_sec) * 1000000000u + h->tp_nsec};
      if (h->tp_status & TP_STATUS_VLAN_VALID) [[unlikely]]
        restore_vlan_tag(*h, out[i]);
      pkt_ += h->tp_next_offset;
    }
    left_ -= n;
    release_pending_ = left_ == 0;
    return n;
  }

  SourceStats stats() noexcept override {
    tpacket_stats_v3 st{};
    socklen_t len = sizeof(st);
    // The kernel resets these counters on every read: accumulate.
    if (getsockopt(ring_.fd(), SOL_PACKET, PACKET_STATISTICS, &st, &len) == 0)
      drops_ += st.tp_drops;
    return SourceStats{drops_, 0};
  }

 private:
  // The kernel strips the outer VLAN tag into tp_vlan_tci; put it back in front of the
  // ethertype, in place: the ring leaves at least 14 spare bytes before tp_mac (the space
  // after the sockaddr_ll), so moving the two MAC addresses 4 bytes down is safe.
  static void restore_vlan_tag(const tpacket3_hdr& h, PacketView& v) noexcept {
    if (h.tp_snaplen < 12 ||
        h.tp_mac < TPACKET_ALIGN(sizeof(tpacket3_hdr)) + sizeof(sockaddr_ll) + 4)
      return;
    uint8_t* mac = const_cast<uint8_t*>(v.data);
    std::memmove(mac - 4, mac, 12);
    const uint16_t tpid = (h.tp_status & TP_STATUS_VLAN_TPID_VALID) && h.hv1.tp_vlan_tpid
                              ? h.hv1.tp_vlan_tpid
                              : uint16_t(ETH_P_8021Q);
    const uint16_t tci = static_cast<uint16_t>(h.hv1.tp_vlan_tci);
    mac[8] = uint8_t(tpid >> 8);
    mac[9] = uint8_t(tpid);
    mac[10] = uint8_t(tci >> 8);
    mac[11] = uint8_t(tci);
    v.data = mac - 4;
    v.caplen += 4;
    v.wire_len += 4;
  }

  tpacket_block_desc* desc(uint32_t i) const {
    return reinterpret_cast<tpacket_block_desc*>(ring_.block(i));
  }
  std::atomic_ref<uint32_t> status(uint32_t i) const {
    return std::atomic_ref<uint32_t>(desc(i)->hdr.bh1.block_status);
  }

  bool open_block() noexcept {
    if (!(status(cur_).load(std::memory_order_acquire) & TP_STATUS_USER)) {
      pollfd p{ring_.fd(), POLLIN | POLLERR, 0};
      poll(&p, 1, kIdlePollMs);
      if (!(status(cur_).load(std::memory_order_acquire) & TP_STATUS_USER)) return false;
    }
    const tpacket_hdr_v1& bh = desc(cur_)->hdr.bh1;
    left_ = bh.num_pkts;
    pkt_ = ring_.block(cur_) + bh.offset_to_first_pkt;
    if (left_ == 0) release_block();  // an empty retired block: hand it straight back
    return left_ != 0;
  }

  void release_block() noexcept {
    status(cur_).store(TP_STATUS_KERNEL, std::memory_order_release);
    cur_ = cur_ + 1 == ring_.block_count() ? 0 : cur_ + 1;
    release_pending_ = false;
  }

  afpkt::TpacketRing ring_;
  std::shared_ptr<OffloadGuard> offloads_;  // restored when the last source goes
  uint8_t* pkt_ = nullptr;
  uint32_t cur_ = 0;
  uint32_t left_ = 0;
  bool release_pending_ = false;
  uint64_t drops_ = 0;
};

}  // namespace

Result<std::vector<std::unique_ptr<PacketSource>>> make_afpacket_sources(
    const SourceOptions& opts) {
  if (opts.target.empty())
    return make_error("afpacket: no interface given (pass the capture interface as the target)");
  afpkt::RingConfig cfg;
  cfg.ifname = opts.target;
  cfg.block_size = kBlockSize;
  uint64_t bytes = uint64_t(opts.ring_size ? opts.ring_size : 4096) * 2048;
  cfg.block_count = static_cast<uint32_t>(bytes / kBlockSize < 4 ? 4 : bytes / kBlockSize);
  // One fanout group per dataplane process and interface (a group cannot span two
  // interfaces: --target eth1,eth2 opens one group each).
  const unsigned ifindex = if_nametoindex(opts.target.c_str());
  cfg.fanout_group =
      static_cast<int>((static_cast<unsigned>(getpid()) ^ 0x5E4Eu ^ (ifindex << 7)) & 0xFFFF);
  unsigned workers = opts.workers ? opts.workers : 1;
  std::vector<afpkt::TpacketRing> rings;
  for (unsigned w = 0; w < workers; ++w) {
    auto ring = afpkt::TpacketRing::open(cfg);
    if (!ring) return ring.error();
    rings.push_back(std::move(*ring));
  }
  // GRO/LRO would hand us merged TCP segments; VLAN tags come back from tp_vlan_tci.
  auto offloads =
      std::make_shared<OffloadGuard>(OffloadGuard::apply("afpacket", opts.target, false));
  std::vector<std::unique_ptr<PacketSource>> out;
  for (auto& r : rings) out.push_back(std::make_unique<AfPacketSource>(std::move(r), offloads));
  return out;
}

}  // namespace securenet
