// Promiscuous mode for a capture interface, held through an AF_PACKET socket membership
// (PACKET_MR_PROMISC). The kernel counts such holds per interface and drops ours when the
// socket closes, also when the process is killed, so the sensor never leaves an interface
// promiscuous behind it, and it never clears a promiscuity someone else asked for.
// A SPAN port needs it: without it a NIC drops the mirrored unicast frames addressed to
// other machines before XDP or AF_PACKET ever sees them.
#pragma once

#include <string>

#include "securenet/common/fd.h"
#include "securenet/result.h"

namespace securenet {

class PromiscHold {
 public:
  static Result<PromiscHold> take(const std::string& ifname);

 private:
  explicit PromiscHold(Fd fd) : fd_(std::move(fd)) {}
  Fd fd_;  // a protocol-0 packet socket: it is bound to nothing and receives nothing
};

}  // namespace securenet
