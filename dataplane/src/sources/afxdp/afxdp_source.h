// AF_XDP live capture: our XDP program (bpf/xsk_capture.bpf.c) redirects RX queue i to the
// AF_XDP socket of worker i; packets are read in place from the UMEM (no copy).
#pragma once

#include <memory>
#include <vector>

#include "securenet/source.h"

namespace securenet {

// One source per worker (opts.workers), worker i on RX queue i of opts.target.
// opts.xdp_mode: auto (native, else generic) | native | generic.
// opts.xdp_bind: auto (zero-copy, else copy) | zerocopy | copy.
// Fails with one line that says why and what to do.
Result<std::vector<std::unique_ptr<PacketSource>>> make_afxdp_sources(const SourceOptions& opts);

}  // namespace securenet
