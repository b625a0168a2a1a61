#include "pipeline/packet_counter.h"

#include <cstring>

namespace securenet {
namespace {

using shm::bump;

constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kTcpAck = 0x10;

inline void touch_seen(shm::HostEntry& e, uint64_t ts) noexcept {
  if (__builtin_expect(shm::read(e.first_seen_ns) == 0, 0)) e.first_seen_ns.store(ts, std::memory_order_relaxed);
  if (ts > shm::read(e.last_seen_ns)) e.last_seen_ns.store(ts, std::memory_order_relaxed);
}

}  // namespace

PacketCounter::PacketCounter(const Segment& seg, unsigned w, const ParseConfig& parse) noexcept
    : parse_(parse),
      counters_(&seg.counters(w)),
      control_(&seg.control()),
      table_(seg.hosts(w), seg.host_capacity(w), &seg.counters(w), seg.host_idle_ns(w)),
      sampler_(&seg.ring(w), seg.ring_records(w)) {
  cache_.init(*control_);
  v6_prefix_.set(parse.ipv6_prefix);
  sample_countdown_ = cache_.sample_one_in();
  counters_->control_generation.store(cache_.generation(), std::memory_order_relaxed);
}

void PacketCounter::poll_control() noexcept {
  if (__builtin_expect(!cache_.poll(*control_), 1)) return;
  sample_countdown_ = cache_.sample_one_in();
  counters_->control_generation.store(cache_.generation(), std::memory_order_release);
}

void PacketCounter::process(const PacketView* pkts, uint32_t n) noexcept {
  while (n > 0) {
    const uint32_t k = n < kMaxBurst ? n : kMaxBurst;
    process_chunk(pkts, k);
    pkts += k;
    n -= k;
  }
}

// Four passes over the burst: prefetch packet headers; parse; hash both addresses and
// prefetch their home slots; count. Issuing the whole burst's prefetches at once measured
// faster here than a rolling prefetch distance of 8 packets (bench/README.md). The hash
// has a pass of its own so that the parser's narrow stores of the keys have left the
// store buffer before the hash's 8-byte loads (no store-forwarding stall).
void PacketCounter::process_chunk(const PacketView* pkts, uint32_t n) noexcept {
  for (uint32_t i = 0; i < n; ++i) __builtin_prefetch(pkts[i].data, 0, 3);
  uint64_t bytes = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const PacketView& v = pkts[i];
    if (__builtin_expect(v.link == LinkKind::kEthernet, 1)) {
      parse_packet(v.data, v.caplen, v.wire_len, parsed_[i], parse_);  // resets every field
    } else {
      parse_link(v.link, v.data, v.caplen, v.wire_len, parsed_[i], parse_);
    }
    bytes += v.wire_len;
  }
  bump(counters_->packets, n);
  bump(counters_->bytes, bytes);
  for (uint32_t i = 0; i < n; ++i) {
    ParsedPacket& p = parsed_[i];
    if (!has_addresses(p)) continue;
    if (__builtin_expect(v6_prefix_.on, 0)) {
      v6_prefix_.apply(p.src);
      v6_prefix_.apply(p.dst);
    }
    src_slot_[i] = table_.slot_of(p.src);
    dst_slot_[i] = table_.slot_of(p.dst);
    table_.prefetch(src_slot_[i]);
    table_.prefetch(dst_slot_[i]);
  }
  for (uint32_t i = 0; i < n; ++i) count(parsed_[i], pkts[i].ts_ns, src_slot_[i], dst_slot_[i]);
  table_.age(pkts[n - 1].ts_ns);  // packet time: idle hosts age out (host_table.h)
}

void PacketCounter::count(const ParsedPacket& p, uint64_t ts, uint64_t src_slot, uint64_t dst_slot) noexcept {
  shm::WorkerCounters& c = *counters_;  // packets and bytes are counted per burst
  if (__builtin_expect(p.error != shm::ParseError::kNone, 0)) bump(c.parse_errors[static_cast<size_t>(p.error)]);
  if (p.vlan_tags) bump(c.vlan_packets);
  if (__builtin_expect(p.encaps != 0, 0)) count_rare(p, ts);
  switch (p.l3) {
    case L3::kIpv4: bump(c.ipv4_packets); break;
    case L3::kIpv6: bump(c.ipv6_packets); break;
    case L3::kArp: bump(c.arp_packets); break;
    case L3::kOther: bump(c.other_l2_packets); break;
    case L3::kNone: break;
  }
  if (!has_addresses(p)) return;

  const size_t cls = static_cast<size_t>(p.proto_class);
  const bool syn = p.l4_parsed && p.ip_proto == 6 && (p.tcp_flags & (kTcpSyn | kTcpAck)) == kTcpSyn;
  const bool black = cache_.blacklisted(p);
  if (p.fragment) bump(c.fragments);
  bump(c.ip_proto_packets[p.ip_proto]);
  bump(c.proto_class_packets[cls]);
  if (syn) bump(c.tcp_syn);
  if (black) bump(c.blacklisted_packets);

  count_hosts(p.src, p.dst, src_slot, dst_slot, p.wire_len, cls, syn, black, ts);

  if (sample_countdown_ != 0 && --sample_countdown_ == 0) {
    sampler_.write(p, ts, black);
    bump(c.sampled_packets);
    sample_countdown_ = cache_.sample_one_in();
  }
}

// Both hosts of one packet. A packet whose source is its destination (a multicast
// smurf from ff02::1 to ff02::1, a LAND attack) is counted once for that host: as sent.
inline void PacketCounter::count_hosts(const shm::IpKey& src, const shm::IpKey& dst, uint64_t src_slot, uint64_t dst_slot,
                                uint32_t wire_len, size_t cls, bool syn, bool black, uint64_t ts) noexcept {
  if (shm::HostEntry* s = table_.find_or_insert(src, src_slot)) {
    bump(s->packets_sent);
    bump(s->bytes_sent, wire_len);
    bump(s->proto_class_packets[cls]);
    if (syn) bump(s->syn_sent);
    if (black) bump(s->blacklisted_packets);
    touch_seen(*s, ts);
  }
  if (__builtin_expect(std::memcmp(src.bytes, dst.bytes, sizeof src.bytes) == 0, 0)) return;
  if (shm::HostEntry* d = table_.find_or_insert(dst, dst_slot)) {
    bump(d->packets_recv);
    bump(d->bytes_recv, wire_len);
    bump(d->proto_class_packets[cls]);
    if (black) bump(d->blacklisted_packets);
    touch_seen(*d, ts);
  }
}

// Packets that crossed an encapsulation: per-kind counters, and with Decap::kBoth the
// outer host pair too (as a packet of the outer protocol; no SYN, no blacklist check).
void PacketCounter::count_rare(const ParsedPacket& p, uint64_t ts) noexcept {
  for (size_t e = 0; e < shm::kEncapCount; ++e) {
    if (p.encaps & (1u << e)) bump(counters_->encap_packets[e]);
  }
  if (parse_.decap != Decap::kBoth || !p.has_outer) return;
  const OuterIp& o = p.outer;
  shm::IpKey src = o.src, dst = o.dst;
  if (v6_prefix_.on) {
    v6_prefix_.apply(src);
    v6_prefix_.apply(dst);
  }
  count_hosts(src, dst, table_.slot_of(src), table_.slot_of(dst), p.wire_len,
              static_cast<size_t>(o.proto_class), false, false, ts);
}

}  // namespace securenet
