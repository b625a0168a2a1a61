// AF_PACKET sender: sendmmsg of `batch` frames at a time, bypassing the qdisc.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "securenet/common/fd.h"
#include "tools/gen/sender.h"

namespace securenet::gen {

Result<SendResult> send_packet(const SendPlan& plan) {
  unsigned ifindex = if_nametoindex(plan.ifname.c_str());
  if (ifindex == 0) return make_error("gen: no such interface '" + plan.ifname + "'", errno);
  const Fd s(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!s)
    return make_error("gen: cannot open a packet socket (run as root or grant CAP_NET_RAW): " +
                          std::string(std::strerror(errno)),
                      errno);
  int one = 1;
  setsockopt(s.get(), SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
  sockaddr_ll sll{};
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = static_cast<int>(ifindex);
  sll.sll_protocol = 0;
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&sll), sizeof(sll)) != 0)
    return make_error("gen: bind to '" + plan.ifname + "': " + std::strerror(errno), errno);

  const FrameList& frames = *plan.frames;
  const uint32_t batch = plan.batch ? plan.batch : 64;
  std::vector<iovec> iov(batch);
  std::vector<mmsghdr> msgs(batch);
  Pacer pacer(plan.pps, plan.max_lag_ns);
  uint64_t sent = 0;
  size_t next = 0;
  while (sent < plan.count && !(plan.stop && plan.stop->load(std::memory_order_relaxed))) {
    const uint32_t n = static_cast<uint32_t>(plan.count - sent < batch ? plan.count - sent : batch);
    for (uint32_t i = 0; i < n; ++i) {
      const pkt::Bytes& f = frames[(next + i) % frames.size()];
      iov[i] = iovec{const_cast<uint8_t*>(f.data()), f.size()};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    pacer.wait(sent);
    int r = sendmmsg(s.get(), msgs.data(), n, 0);
    if (r < 0) {
      if (errno == EINTR || errno == ENOBUFS || errno == EAGAIN) continue;
      return make_error("gen: sendmmsg on '" + plan.ifname + "': " + std::strerror(errno), errno);
    }
    sent += static_cast<uint64_t>(r);
    next = (next + static_cast<size_t>(r)) % frames.size();
  }
  return SendResult{sent, pacer.elapsed()};
}

}  // namespace securenet::gen
