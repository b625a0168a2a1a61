// Walks every occupied host slot of every worker with its (worker, slot) position, which
// is stable while the segment lives (the tables never delete). The sampler uses the
// position as a hint to find its per-host state without a hash lookup, so a 1M-host tick
// is a sequential scan. Same load discipline as ShmReader::for_each_host (acquire on
// state, relaxed on counters).
#pragma once

#include <cstdint>

#include "securenet/shm_reader.h"

namespace securenet::control {

template <typename Fn>  // fn(unsigned worker, uint64_t slot, const HostCounters&)
void scan_hosts(const ShmReader& r, Fn&& fn) {
  const shm::Header& h = r.header();
  const char* base = reinterpret_cast<const char*>(&h);
  HostCounters c;
  for (unsigned w = 0; w < h.num_workers && w < shm::kMaxWorkers; ++w) {
    const shm::WorkerRegion& reg = h.workers[w];
    const auto* e = reinterpret_cast<const shm::HostEntry*>(base + reg.hosts_offset);
    for (uint64_t i = 0; i < reg.host_capacity; ++i) {
      if (e[i].state.load(std::memory_order_acquire) != shm::kHostOccupied) continue;
      c.key = e[i].key;
      c.packets_sent = shm::read(e[i].packets_sent);
      c.bytes_sent = shm::read(e[i].bytes_sent);
      c.packets_recv = shm::read(e[i].packets_recv);
      c.bytes_recv = shm::read(e[i].bytes_recv);
      c.syn_sent = shm::read(e[i].syn_sent);
      for (size_t k = 0; k < shm::kProtoClassCount; ++k) c.proto_class_packets[k] = shm::read(e[i].proto_class_packets[k]);
      c.blacklisted_packets = shm::read(e[i].blacklisted_packets);
      c.first_seen_ns = shm::read(e[i].first_seen_ns);
      c.last_seen_ns = shm::read(e[i].last_seen_ns);
      fn(w, i, c);
    }
  }
}

}  // namespace securenet::control
