// The DPDK packet source: one source per worker, each owning one RX queue of one ethdev
// port (a PCI NIC or a virtual device such as net_pcap, net_ring, net_af_xdp,
// net_af_packet, net_null). Included by the source factory; includes no DPDK header.
//
// SourceOptions used: target (port id "0" or the device name given with --vdev, e.g.
// "net_pcap0"), workers (RX queues, RSS across them when > 1), ring_size (RX descriptors
// per queue; the mbuf pool holds 2 x ring_size x workers, at least 16k; net_pcap with
// infinite_rx keeps the whole capture in mbufs, so raise ring_size for big captures), eal_args
// (passed to rte_eal_init as they are; see eal.h for the defaults added).
#pragma once

#include <memory>
#include <vector>

#include "securenet/result.h"
#include "securenet/source.h"

namespace securenet {

// Initialises the EAL (once per process), configures and starts the port, and returns one
// source per RX queue. Sources may be moved to worker threads; each registers its thread
// with the EAL on its first rx_burst. The port stops and the EAL is cleaned up when the
// last source is destroyed.
Result<std::vector<std::unique_ptr<PacketSource>>> make_dpdk_sources(const SourceOptions& opts);

}  // namespace securenet
