// The frames securenet-gen sends: read from a pcap file or built as a synthetic mix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "tools/packet_builder.h"

namespace securenet::gen {

using FrameList = std::vector<pkt::Bytes>;

// Every frame of a capture file (Ethernet link type), in file order.
Result<FrameList> load_pcap(const std::string& path);

// A synthetic mix by name:
//   "mixed": IPv4/IPv6 TCP/UDP/ICMP, VLAN and QinQ, fragments, ARP, malformed frames
//   "udp":   `size`-byte UDP/IPv4 frames from `hosts` distinct source addresses
Result<FrameList> build_mix(const std::string& name, uint32_t hosts, uint32_t size);

}  // namespace securenet::gen
