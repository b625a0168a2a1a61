// A real shared-memory segment written the way the dataplane writes it (the core's
// Segment and HostTable), so control-plane tests can set counters tick by tick.
#pragma once

#include <time.h>
#include <unistd.h>

#include <string>

#include "pipeline/host_table.h"
#include "segment/writer.h"
#include "util/cidr.h"

namespace sn_test {

inline uint64_t mono_now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ULL + uint64_t(ts.tv_nsec);
}

class FakeDataplane {
 public:
  explicit FakeDataplane(const std::string& instance, uint64_t host_capacity = 4096) {
    securenet::SegmentOptions o;
    o.instance = instance;
    o.workers = 1;
    o.host_capacity = host_capacity;
    o.source_kind = securenet::shm::SourceKind::kPcap;
    o.source_name = "test.pcap";
    o.populate = false;
    auto s = securenet::Segment::create(o);
    if (!s) throw std::runtime_error(s.error().message);
    seg_.emplace(std::move(s.value()));
    table_ = securenet::HostTable(seg_->hosts(0), seg_->host_capacity(0), &seg_->counters(0));
    heartbeat();
  }
  securenet::shm::WorkerCounters& counters() { return seg_->counters(0); }
  securenet::shm::ControlBlock& control() { return seg_->control(); }
  const std::string& name() const { return seg_->name(); }
  void heartbeat() { counters().heartbeat_ns.store(mono_now_ns()); }
  // Adds packets sent by `ip` (and counts them globally).
  securenet::shm::HostEntry& host(const char* ip) {
    auto k = *securenet::parse_ip_text(ip);
    return *table_.find_or_insert(k);
  }
  void send(const char* ip, uint64_t packets,
            securenet::shm::ProtoClass cls = securenet::shm::ProtoClass::kUdp, uint64_t syn = 0,
            uint64_t blacklisted = 0) {
    auto& h = host(ip);
    securenet::shm::bump(h.packets_sent, packets);
    securenet::shm::bump(h.bytes_sent, packets * 100);
    securenet::shm::bump(h.proto_class_packets[static_cast<size_t>(cls)], packets);
    securenet::shm::bump(h.syn_sent, syn);
    securenet::shm::bump(h.blacklisted_packets, blacklisted);
    securenet::shm::bump(counters().packets, packets);
    securenet::shm::bump(counters().bytes, packets * 100);
    securenet::shm::bump(counters().tcp_syn, syn);
    securenet::shm::bump(counters().blacklisted_packets, blacklisted);
    securenet::shm::bump(counters().proto_class_packets[static_cast<size_t>(cls)], packets);
    heartbeat();
  }

 private:
  std::optional<securenet::Segment> seg_;
  securenet::HostTable table_;
};

}  // namespace sn_test
