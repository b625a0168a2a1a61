// RAII owner of the capture XDP program attached to one interface. Loading replaces a
// stale program of ours (same name) left by a crashed dataplane; the destructor detaches.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "securenet_xdp.h"

struct xsk_capture;  // the bpftool skeleton

namespace securenet::afxdp {

enum class XdpMode { kNative, kGeneric };

class XdpProgram {
 public:
  // mode "auto" tries native first, then generic.
  static Result<XdpProgram> attach(const std::string& ifname, const std::string& mode);
  XdpProgram(XdpProgram&& o) noexcept;
  XdpProgram& operator=(XdpProgram&& o) noexcept;
  XdpProgram(const XdpProgram&) = delete;
  XdpProgram& operator=(const XdpProgram&) = delete;
  ~XdpProgram();

  int xsks_map_fd() const;
  unsigned ifindex() const { return ifindex_; }
  XdpMode mode() const { return mode_; }
  // Counters of one RX queue summed over CPUs (a map lookup: not for the packet path).
  // `scratch` holds one entry per possible CPU (see possible_cpus()); each caller (worker)
  // passes its own, so workers can read their queues concurrently.
  sn_xdp_counters counters(uint32_t queue, std::vector<sn_xdp_counters>& scratch) const;
  static size_t possible_cpus();

  // Inline drop list (issue 16 item 4b): `addr` (16 bytes, IPv4 mapped) / prefixlen (1..128)
  // is dropped and counted in `slot` (its count zeroed first). Map calls: not for the packet path.
  bool drop_add(uint32_t slot, const uint8_t* addr, uint32_t prefixlen) const;
  void drop_remove(const uint8_t* addr, uint32_t prefixlen) const;
  uint64_t drop_count(uint32_t slot) const;
  void drop_active(bool on) const;

 private:
  XdpProgram() = default;
  void reset() noexcept;
  xsk_capture* skel_ = nullptr;
  unsigned ifindex_ = 0;
  XdpMode mode_ = XdpMode::kNative;
  uint32_t prog_id_ = 0;
};

}  // namespace securenet::afxdp
