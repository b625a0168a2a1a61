// Walks every occupied host slot of every worker with its (worker, slot) position, which
// is stable while the segment lives (the tables never delete). The sampler uses the
// position as a hint to find its per-host state without a hash lookup, so a 1M-host tick
// is a sequential scan. Same load discipline as ShmReader::for_each_host (acquire on
// state, relaxed on counters).
#pragma once

#include <cstdint>

#include "securenet/shm_reader.h"

namespace securenet::control {

// Scans slots [from, to) of one worker; fn(unsigned worker, uint64_t slot, const HostCounters&).
template <typename Fn>
void scan_hosts_range(const ShmReader& r, unsigned w, uint64_t from, uint64_t to, Fn&& fn) {
  const shm::Header& h = r.header();
  if (w >= h.num_workers || w >= shm::kMaxWorkers) return;
  const char* base = reinterpret_cast<const char*>(&h);
  const shm::WorkerRegion& reg = h.workers[w];
  const auto* e = reinterpret_cast<const shm::HostEntry*>(base + reg.hosts_offset);
  HostCounters c;
  for (uint64_t i = from; i < to && i < reg.host_capacity; ++i) {
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

template <typename Fn>  // every worker, every slot
void scan_hosts(const ShmReader& r, Fn&& fn) {
  for (unsigned w = 0; w < r.header().num_workers && w < shm::kMaxWorkers; ++w) {
    scan_hosts_range(r, w, 0, r.header().workers[w].host_capacity, fn);
  }
}

}  // namespace securenet::control
