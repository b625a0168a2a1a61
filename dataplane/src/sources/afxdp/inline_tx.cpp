#include "sources/afxdp/inline_tx.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>

namespace securenet::afxdp {

namespace {
constexpr unsigned kBusyRetries = 8;  // a full driver queue: tries of one frame before it is lost
}  // namespace

Result<InlineTx> InlineTx::open(const std::string& ifname) {
  const unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return make_error("afxdp: --inline: no such interface '" + ifname + "'", errno);
  Fd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));  // protocol 0: receives nothing
  if (!fd) return make_error(std::string("afxdp: --inline: ") + std::strerror(errno), errno);
  int one = 1;
  setsockopt(fd.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));  // best effort
  sockaddr_ll ll{};
  ll.sll_family = AF_PACKET;
  ll.sll_ifindex = static_cast<int>(ifindex);
  if (bind(fd.get(), reinterpret_cast<sockaddr*>(&ll), sizeof(ll)) != 0)
    return make_error("afxdp: --inline: cannot bind to '" + ifname + "': " + std::strerror(errno),
                      errno);
  return InlineTx(std::move(fd));
}

void InlineTx::send(uint8_t* const* frames, const uint32_t* lens, uint32_t n) noexcept {
  for (uint32_t i = 0; i < n; ++i) {
    iov_[i] = iovec{frames[i], lens[i]};
    msgs_[i] = mmsghdr{};
    msgs_[i].msg_hdr.msg_iov = &iov_[i];
    msgs_[i].msg_hdr.msg_iovlen = 1;
  }
  uint32_t done = 0, failed = 0, busy = 0;
  while (done + failed < n) {
    const int r = sendmmsg(fd_.get(), msgs_ + done + failed, n - done - failed, 0);
    if (r > 0) {
      done += static_cast<uint32_t>(r);
      busy = 0;
    } else if (r < 0 && errno == EINTR) {
      continue;
    } else if (r < 0 && (errno == ENOBUFS || errno == EAGAIN) && ++busy <= kBusyRetries) {
      continue;  // the driver's queue is full for now: try the same frame again
    } else {
      ++failed;  // this frame cannot go (too long, interface down): skip it, send the rest
      busy = 0;
    }
  }
  forwarded_.store(forwarded_.load(std::memory_order_relaxed) + done, std::memory_order_relaxed);
  if (failed)
    errors_.store(errors_.load(std::memory_order_relaxed) + failed, std::memory_order_relaxed);
}

}  // namespace securenet::afxdp
