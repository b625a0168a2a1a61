#include "sources/afpacket/tpacket_ring.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace securenet::afpkt {
namespace {

std::string sys_error(const std::string& what, int err) {
  return "afpacket: " + what + ": " + std::strerror(err);
}

Status check_interface(int fd, const std::string& ifname, unsigned& ifindex) {
  ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0)
    return make_error(
        "afpacket: no such interface '" + ifname + "' (check the name with `ip link`)", errno);
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP))
    return make_error("afpacket: interface '" + ifname +
                      "' is down (bring it up: ip link set dev " + ifname + " up)");
  return Ok{};
}

template <typename T>
Status set_opt(int fd, int level, int name, const T& v, const char* what) {
  if (setsockopt(fd, level, name, &v, sizeof(v)) != 0)
    return make_error(sys_error(what, errno), errno);
  return Ok{};
}

}  // namespace

Result<TpacketRing> TpacketRing::open(const RingConfig& cfg) {
  if (if_nametoindex(cfg.ifname.c_str()) == 0)
    return make_error(
        "afpacket: no such interface '" + cfg.ifname + "' (check the name with `ip link`)", errno);
  TpacketRing r;
  // Protocol 0: the socket sees nothing until it is bound below, after the ring is ready.
  r.fd_ = Fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!r.fd_) {
    int e = errno;
    if (e == EPERM || e == EACCES)
      return make_error(
          "afpacket: no permission to open a packet socket (run as root or "
          "grant CAP_NET_RAW)",
          e);
    return make_error(sys_error("socket(AF_PACKET)", e), e);
  }
  unsigned ifindex = 0;
  if (auto s = check_interface(r.fd_.get(), cfg.ifname, ifindex); !s) return s.error();

  if (auto s = set_opt(r.fd_.get(), SOL_PACKET, PACKET_VERSION, int{TPACKET_V3}, "PACKET_VERSION");
      !s)
    return s.error();
  // Count only what arrives: a SPAN port sensor does not capture its own transmissions.
  if (auto s = set_opt(r.fd_.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, int{1},
                       "PACKET_IGNORE_OUTGOING");
      !s)
    return s.error();

  tpacket_req3 req{};
  req.tp_block_size = cfg.block_size;
  req.tp_block_nr = cfg.block_count;
  req.tp_frame_size = 2048;
  req.tp_frame_nr = cfg.block_size / req.tp_frame_size * cfg.block_count;
  req.tp_retire_blk_tov = cfg.block_timeout_ms;
  if (auto s = set_opt(r.fd_.get(), SOL_PACKET, PACKET_RX_RING, req, "PACKET_RX_RING"); !s)
    return s.error();
  r.block_size_ = cfg.block_size;
  r.block_count_ = cfg.block_count;
  r.map_size_ = size_t(cfg.block_size) * cfg.block_count;
  void* m = mmap(nullptr, r.map_size_, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_LOCKED | MAP_POPULATE, r.fd_.get(), 0);
  if (m == MAP_FAILED)
    m = mmap(nullptr, r.map_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r.fd_.get(),
             0);
  if (m == MAP_FAILED) {
    r.map_size_ = 0;
    return make_error(sys_error("mmap of the packet ring", errno), errno);
  }
  r.map_ = static_cast<uint8_t*>(m);

  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = static_cast<int>(ifindex);
  if (bind(r.fd_.get(), reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0)
    return make_error(sys_error("bind to '" + cfg.ifname + "'", errno), errno);

  packet_mreq mr{};
  mr.mr_ifindex = static_cast<int>(ifindex);
  mr.mr_type = PACKET_MR_PROMISC;
  if (auto s = set_opt(r.fd_.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, mr, "promiscuous mode"); !s)
    return s.error();

  if (cfg.fanout_group >= 0) {
    // Hash fanout keeps a flow on one worker; no DEFRAG flag (fragments are counted as is).
    int arg = (cfg.fanout_group & 0xFFFF) | (PACKET_FANOUT_HASH << 16);
    if (auto s = set_opt(r.fd_.get(), SOL_PACKET, PACKET_FANOUT, arg, "PACKET_FANOUT"); !s)
      return s.error();
  }
  return r;
}

TpacketRing::TpacketRing(TpacketRing&& o) noexcept { *this = std::move(o); }

TpacketRing& TpacketRing::operator=(TpacketRing&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = std::move(o.fd_);
    map_ = std::exchange(o.map_, nullptr);
    map_size_ = std::exchange(o.map_size_, 0);
    block_size_ = o.block_size_;
    block_count_ = o.block_count_;
  }
  return *this;
}

TpacketRing::~TpacketRing() { reset(); }

void TpacketRing::reset() noexcept {
  if (map_) munmap(map_, map_size_);
  fd_.reset();  // also leaves the fanout group and promiscuous mode
  map_ = nullptr;
}

}  // namespace securenet::afpkt
