// A network namespace holding one veth pair, created by the test and removed with it; and
// an AF_PACKET sender that transmits frames from inside that namespace.
#pragma once

#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tools/packet_builder.h"

namespace securenet::test {

inline bool sh(const std::string& cmd) {
  return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0;
}

class VethNetns {
 public:
  // Names carry the pid so parallel tests never collide.
  explicit VethNetns(const std::string& tag)
      : ns_("snet-dpdk-" + tag), a_("sda" + tag), b_("sdb" + tag) {
    const std::string in = "ip netns exec " + ns_ + " ";
    ok_ = sh("ip netns add " + ns_) &&
          // no IPv6 autoconfiguration, router solicitations or MLD: only our frames flow
          sh(in + "sysctl -qw net.ipv6.conf.all.disable_ipv6=1") &&
          sh(in + "sysctl -qw net.ipv6.conf.default.disable_ipv6=1") &&
          sh("ip -n " + ns_ + " link add " + a_ + " type veth peer name " + b_) &&
          sh("ip -n " + ns_ + " link set " + a_ + " up") &&
          sh("ip -n " + ns_ + " link set " + b_ + " up");
  }
  ~VethNetns() { sh("ip netns del " + ns_); }
  VethNetns(const VethNetns&) = delete;
  VethNetns& operator=(const VethNetns&) = delete;

  bool ok() const { return ok_; }
  const std::string& ns() const { return ns_; }
  const std::string& capture_if() const { return a_; }  // the sensor listens here
  const std::string& send_if() const { return b_; }     // the test sends from here

  // Sends every frame out of send_if(); returns how many were sent (from a thread that has
  // joined the namespace, so the test process itself stays where it is).
  size_t send(const std::vector<pkt::Frame>& frames) const {
    size_t sent = 0;
    std::thread t([&] {
      const int nsfd = open(("/var/run/netns/" + ns_).c_str(), O_RDONLY | O_CLOEXEC);
      if (nsfd < 0 || setns(nsfd, CLONE_NEWNET) != 0) return;
      close(nsfd);
      const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
      if (fd < 0) return;
      sockaddr_ll sll{};
      sll.sll_family = AF_PACKET;
      sll.sll_ifindex = static_cast<int>(if_nametoindex(b_.c_str()));
      sll.sll_halen = ETH_ALEN;
      for (const auto& f : frames) {
        if (sendto(fd, f.data.data(), f.data.size(), 0, reinterpret_cast<sockaddr*>(&sll),
                   sizeof sll) == static_cast<ssize_t>(f.data.size()))
          ++sent;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      close(fd);
    });
    t.join();
    return sent;
  }

 private:
  std::string ns_, a_, b_;
  bool ok_ = false;
};

}  // namespace securenet::test
