// AF_PACKET live capture: a TPACKET_V3 mmap ring per worker, the workers joined in one
// PACKET_FANOUT group (FANOUT_HASH) on the interface. The fallback where neither DPDK nor
// AF_XDP can run.
#pragma once

#include <memory>
#include <vector>

#include "securenet/source.h"

namespace securenet {

// One source per worker (opts.workers), all on interface opts.target. Fails with one line
// that says why and what to do (no such interface, interface down, no CAP_NET_RAW...).
Result<std::vector<std::unique_ptr<PacketSource>>> make_afpacket_sources(const SourceOptions& opts);

}  // namespace securenet
