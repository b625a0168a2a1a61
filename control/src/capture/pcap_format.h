// The classic pcap file format (nanosecond timestamps, magic a1b23c4d) for attack captures
// (issue 16): the file header, one record, the link type of a LinkKind, and a header-only
// frame rebuilt from a sampled packet record (the packets from before the alert).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "securenet/shm_layout.h"

namespace securenet::control {

inline constexpr uint32_t kPcapMagicNs = 0xa1b23c4d;

// LINKTYPE_* of a LinkKind value (parser.h); Ethernet for an unknown value.
uint32_t pcap_linktype(uint8_t link_kind) noexcept;
std::string pcap_file_header(uint32_t linktype, uint32_t snaplen);
void append_pcap_record(std::string& out, uint64_t ts_ns, std::string_view data, uint32_t wire_len);
// A sampled packet's fields (shm::SampleRecord holds atomics: it cannot be copied).
struct SampleFields {
  uint64_t ts_ns = 0;
  shm::IpKey src{}, dst{};
  uint16_t sport = 0, dport = 0;
  uint8_t ip_proto = 0, tcp_flags = 0;
  uint32_t wire_len = 0;
};
SampleFields sample_fields(const shm::SampleRecord& r);
// Ethernet + IPv4/IPv6 + TCP/UDP header (no payload) of a sample; orig_len its wire_len.
std::string frame_of_sample(const SampleFields& s);

// One record of a pcap file read back (for the capture summary).
struct PcapRecord {
  uint64_t ts_ns = 0;
  uint32_t wire_len = 0;
  std::string_view data;
};
// Walks the records of a pcap file image (either timestamp precision, either byte order
// is not needed: only files written here, little-endian). False when malformed.
template <typename Fn>
bool for_each_pcap_record(std::string_view file, uint32_t& linktype, Fn&& fn);

}  // namespace securenet::control

#include "capture/pcap_format_read.h"
