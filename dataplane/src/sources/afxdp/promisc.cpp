#include "sources/afxdp/promisc.h"

#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace securenet {

Result<PromiscHold> PromiscHold::take(const std::string& ifname) {
  const unsigned ifindex = if_nametoindex(ifname.c_str());
  if (ifindex == 0) return make_error("no such interface '" + ifname + "'", errno);
  Fd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
  if (!fd && (errno == EPERM || errno == EACCES))
    return make_error("no permission to put '" + ifname +
                          "' in promiscuous mode (run as root or "
                          "grant CAP_NET_RAW)",
                      errno);
  if (!fd)
    return make_error("promiscuous mode on '" + ifname + "': " + std::strerror(errno), errno);
  packet_mreq mr{};
  mr.mr_ifindex = static_cast<int>(ifindex);
  mr.mr_type = PACKET_MR_PROMISC;
  if (::setsockopt(fd.get(), SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof mr) != 0)
    return make_error("promiscuous mode on '" + ifname + "': " + std::strerror(errno), errno);
  return PromiscHold(std::move(fd));
}

}  // namespace securenet
