// Read-only access to the dataplane's segment, for the control plane and tests.
// Maps the segment PROT_READ except the ControlBlock page range (PROT_READ|PROT_WRITE),
// checks magic and version, and sums workers.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "securenet/shm_layout.h"

namespace securenet {

struct HostCounters {
  shm::IpKey key;
  uint64_t packets_sent = 0, bytes_sent = 0, packets_recv = 0, bytes_recv = 0;
  uint64_t syn_sent = 0, blacklisted_packets = 0;
  std::array<uint64_t, shm::kProtoClassCount> proto_class_packets{};
  uint64_t first_seen_ns = 0, last_seen_ns = 0;
};

struct GlobalCounters {  // summed over workers
  uint64_t packets = 0, bytes = 0, ipv4_packets = 0, ipv6_packets = 0, arp_packets = 0;
  uint64_t other_l2_packets = 0, vlan_packets = 0, fragments = 0, tcp_syn = 0;
  uint64_t blacklisted_packets = 0, source_drops = 0, source_errors = 0;
  uint64_t hosts_in_table = 0, host_table_full = 0, sampled_packets = 0;
  std::array<uint64_t, shm::kProtoClassCount> proto_class_packets{};
  std::array<uint64_t, shm::kParseErrorCount> parse_errors{};
  std::array<uint64_t, 256> ip_proto_packets{};
  std::array<uint64_t, shm::kEncapCount> encap_packets{};  // by shm::Encap (issue 12)
  uint64_t oldest_heartbeat_ns = 0;  // min over workers (CLOCK_MONOTONIC)
};

class ShmReader {
 public:
  // Opens /dev/shm/<name> (name without a leading slash, e.g. "securenet-default").
  static Result<ShmReader> open(const std::string& name, bool writable_control = false);
  ShmReader(ShmReader&&) noexcept;
  ShmReader& operator=(ShmReader&&) noexcept;
  ShmReader(const ShmReader&) = delete;
  ShmReader& operator=(const ShmReader&) = delete;
  ~ShmReader();

  const shm::Header& header() const { return *header_; }
  GlobalCounters totals() const;
  // Visits every host of every worker. The same address seen by two workers is visited
  // twice (once per worker); merge_hosts() merges them.
  void for_each_host(const std::function<void(const HostCounters&)>& fn) const;
  std::vector<HostCounters> merge_hosts() const;
  // Copies sample records with sequence >= cursor[w] for each worker; advances cursors.
  // Returns how many records were lost (overwritten before they were read).
  uint64_t read_samples(std::vector<uint64_t>& cursors,
                        std::vector<shm::SampleRecord>& out) const;
  // The control block; null unless opened with writable_control.
  shm::ControlBlock* control() const { return control_; }

 private:
  ShmReader() = default;
  void reset() noexcept;
  void* base_ = nullptr;
  size_t size_ = 0;
  const shm::Header* header_ = nullptr;
  shm::ControlBlock* control_ = nullptr;
};

// Address formatting/parsing shared by both sides ("10.0.0.1", "2001:db8::1").
std::string format_ip(const shm::IpKey& key);
bool parse_ip(const std::string& text, shm::IpKey& out);

}  // namespace securenet
