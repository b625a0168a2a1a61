// Protocol blacklist entries: IP protocol names (ICMP, GRE, ...), IP protocol numbers
// ("47" or 47), and services ("tcp/23", "udp/69", TELNET, TFTP, ...). Each entry is
// compiled to bits of the segment's ControlBlock bitmaps (IP protocol, TCP port, UDP port).
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "securenet/shm_layout.h"

namespace securenet::control {

struct BlacklistEntry {
  std::string label;  // canonical text: "ICMP", "GRE", "47", "tcp/23", "TELNET"
  enum class Kind { kIpProto, kTcpPort, kUdpPort } kind = Kind::kIpProto;
  // kIpProto: up to two protocol numbers (ICMP names ICMP only; ICMPV6 separately).
  // Services may name a TCP and a UDP port (e.g. SNMP is udp/161 + udp/162, DNS-less).
  std::vector<uint16_t> numbers;
  std::vector<uint16_t> tcp_ports;
  std::vector<uint16_t> udp_ports;
  // Which per-host protocol classes this entry's packets are counted under.
  std::bitset<shm::kProtoClassCount> classes;
};

// The canonical name of IP protocol number n ("TCP", "ICMPV6", "GRE"), or nullptr when the
// table of named protocols has none: the one list of protocol names (blacklist parsing,
// stored packet records).
const char* ip_proto_name(unsigned n);

// Parses one entry (case-insensitive); nullopt with *why set when unknown or out of range.
std::optional<BlacklistEntry> parse_blacklist_entry(std::string_view text, std::string* why);

// The protocol class an IP protocol number is counted under: shm::proto_class_of.
using shm::proto_class_of;

struct CompiledBlacklist {
  std::vector<BlacklistEntry> entries;
  std::bitset<256> ip_protos;
  std::bitset<65536> tcp_ports;
  std::bitset<65536> udp_ports;
};
CompiledBlacklist compile_blacklist(const std::vector<BlacklistEntry>& entries);

// Fills the bitmaps of a control-block config (publish_config writes it to the segment).
void write_blacklist(shm::ControlConfig& c, const CompiledBlacklist& bl);

}  // namespace securenet::control
