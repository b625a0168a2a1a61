#include "netns.h"

#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "child_process.h"
#include "securenet/common/fd.h"

namespace securenet::test {

std::string netns_skip_reason() {
  if (geteuid() != 0) return "needs root (creates network namespaces and veth pairs)";
  if (sh("ip netns list") != 0) return "the `ip` tool cannot manage network namespaces here";
  return "";
}

VethNetns::VethNetns(const std::string& tag, unsigned queues) {
  const std::string id = std::to_string(getpid());
  ns_ = "sn" + tag + id;
  capture_ = "snc" + tag + id;
  gen_ = "sng" + tag + id;
  if (capture_.size() > 15) {
    error_ = "interface name too long";
    return;
  }
  const std::string n = std::to_string(queues);
  const std::string q = " numtxqueues " + n + " numrxqueues " + n;
  const std::string steps[] = {
      "ip netns add " + ns_,
      "ip link add " + capture_ + q + " type veth peer name " + gen_ + q + " netns " + ns_,
      "sysctl -qw net.ipv6.conf." + capture_ + ".disable_ipv6=1",
      exec_prefix() + "sysctl -qw net.ipv6.conf." + gen_ + ".disable_ipv6=1",
      "ip link set dev " + capture_ + " up",
      "ip -n " + ns_ + " link set dev " + gen_ + " up",
  };
  for (const std::string& s : steps) {
    if (sh(s) != 0) {
      error_ = "`" + s + "` failed";
      return;
    }
  }
}

VethNetns::~VethNetns() {
  sh("ip link del " + capture_);  // removes both ends
  sh("ip netns del " + ns_);
}

size_t VethNetns::send_raw(const std::vector<std::span<const uint8_t>>& frames) const {
  size_t sent = 0;
  std::thread t([&] {
    const Fd nsfd(open(("/var/run/netns/" + ns_).c_str(), O_RDONLY | O_CLOEXEC));
    if (!nsfd || setns(nsfd.get(), CLONE_NEWNET) != 0) return;
    const Fd fd(socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0));
    if (!fd) return;
    sockaddr_ll sll{};
    sll.sll_family = AF_PACKET;
    sll.sll_ifindex = static_cast<int>(if_nametoindex(gen_.c_str()));
    sll.sll_halen = ETH_ALEN;
    for (const auto& f : frames) {
      if (sendto(fd.get(), f.data(), f.size(), 0, reinterpret_cast<sockaddr*>(&sll), sizeof sll) ==
          static_cast<ssize_t>(f.size()))
        ++sent;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  t.join();
  return sent;
}

}  // namespace securenet::test
