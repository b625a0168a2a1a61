// Receive offloads that make a capture miscount, turned off for the dataplane's lifetime:
//  - GRO (software) and LRO (NIC) merge TCP segments into one large frame before AF_PACKET
//    (and generic XDP) see them: packets would be undercounted;
//  - rx VLAN stripping (NIC) removes the 802.1Q tag before XDP sees the frame (AF_PACKET
//    gets it back from tp_vlan_tci, AF_XDP cannot).
// OffloadGuard::apply() turns off what is on and can be changed, reports each change in one
// line, and its destructor puts back what it changed (a crash leaves them off: harmless on
// a dedicated capture interface). Uses the ethtool ioctls (ETHTOOL_[GS]GRO, _[GS]FLAGS),
// so no ethtool binary is needed. Header-only: shared by the AF_PACKET and AF_XDP sources.
#pragma once

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "securenet/common/fd.h"
#include "securenet/result.h"

namespace securenet {

struct Offloads {
  bool gro = false, lro = false, rxvlan = false;
};

// One SIOCETHTOOL call with `data` (struct ethtool_value); errno is left as is on failure.
inline bool ethtool_value_call(const std::string& ifname, uint32_t cmd, uint32_t& data) {
  Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  ethtool_value v{cmd, data};
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname.c_str());
  ifr.ifr_data = reinterpret_cast<char*>(&v);
  if (::ioctl(fd.get(), SIOCETHTOOL, &ifr) != 0) return false;
  data = v.data;
  return true;
}

inline Result<Offloads> read_offloads(const std::string& ifname) {
  uint32_t gro = 0, flags = 0;
  if (!ethtool_value_call(ifname, ETHTOOL_GGRO, gro) ||
      !ethtool_value_call(ifname, ETHTOOL_GFLAGS, flags))
    return make_error("cannot read the offloads of '" + ifname + "': " + std::strerror(errno),
                      errno);
  return Offloads{gro != 0, (flags & ETH_FLAG_LRO) != 0, (flags & ETH_FLAG_RXVLAN) != 0};
}

// Sets each of GRO, LRO and rx VLAN stripping as in `want`; true when all took.
inline bool write_offloads(const std::string& ifname, const Offloads& want, const Offloads& now) {
  bool ok = true;
  if (want.gro != now.gro) {
    uint32_t v = want.gro ? 1 : 0;
    ok &= ethtool_value_call(ifname, ETHTOOL_SGRO, v);
  }
  if (want.lro != now.lro || want.rxvlan != now.rxvlan) {
    uint32_t flags = 0;
    if (!ethtool_value_call(ifname, ETHTOOL_GFLAGS, flags)) return false;
    flags = (flags & ~uint32_t(ETH_FLAG_LRO | ETH_FLAG_RXVLAN)) | (want.lro ? ETH_FLAG_LRO : 0) |
            (want.rxvlan ? ETH_FLAG_RXVLAN : 0);
    ok &= ethtool_value_call(ifname, ETHTOOL_SFLAGS, flags);
  }
  return ok;
}

class OffloadGuard {
 public:
  // Turns off GRO and LRO, and rx VLAN stripping when `vlan_too`. Prints one line to stderr
  // per interface when it changed something, or could not (the capture still starts).
  static OffloadGuard apply(const std::string& who, const std::string& ifname, bool vlan_too) {
    OffloadGuard g;
    auto before = read_offloads(ifname);
    if (!before) return g;  // not an ethtool device: nothing to do
    Offloads want{false, false, vlan_too ? false : before->rxvlan};
    if (!before->gro && !before->lro && want.rxvlan == before->rxvlan) return g;
    write_offloads(ifname, want, *before);
    auto after = read_offloads(ifname);
    const Offloads now = after ? *after : *before;
    std::string off, stuck;
    auto note = [&](bool was, bool is, const char* name) {
      if (was && !is) off += std::string(off.empty() ? "" : ", ") + name;
      if (is) stuck += std::string(stuck.empty() ? "" : ", ") + name;
    };
    note(before->gro, now.gro, "gro");
    note(before->lro, now.lro, "lro");
    if (vlan_too) note(before->rxvlan, now.rxvlan, "rxvlan");
    if (!off.empty())
      std::fprintf(stderr,
                   "%s: %s: turned off %s for the capture (merged or tag-stripped frames would be "
                   "miscounted); restored at exit\n",
                   who.c_str(), ifname.c_str(), off.c_str());
    if (!stuck.empty())
      std::fprintf(stderr,
                   "%s: %s: could not turn off %s: packet or VLAN counts may be off (ethtool -K %s "
                   "... off)\n",
                   who.c_str(), ifname.c_str(), stuck.c_str(), ifname.c_str());
    g.ifname_ = ifname;
    g.restore_ = *before;
    g.changed_ = now;
    return g;
  }

  OffloadGuard(OffloadGuard&& o) noexcept
      : ifname_(std::move(o.ifname_)), restore_(o.restore_), changed_(o.changed_) {
    o.ifname_.clear();
  }
  OffloadGuard& operator=(OffloadGuard&&) = delete;
  OffloadGuard(const OffloadGuard&) = delete;
  OffloadGuard& operator=(const OffloadGuard&) = delete;
  ~OffloadGuard() {
    if (!ifname_.empty()) write_offloads(ifname_, restore_, changed_);
  }

 private:
  OffloadGuard() = default;
  std::string ifname_;  // empty: nothing to restore
  Offloads restore_, changed_;
};

}  // namespace securenet
