#include "pipeline/packet_counter.h"

#include <array>
#include <cstring>
#include <utility>

namespace securenet {
namespace {

using shm::bump;

constexpr uint8_t kTcpSyn = 0x02;
constexpr uint8_t kTcpAck = 0x10;

// ICMP answers to someone else's packet: errors (unreachable, source quench, redirect,
// time exceeded, parameter problem; ICMPv6 1-4) and echo/timestamp/information/mask
// replies (ICMPv6 echo reply). Not blacklist-counted against their sender (issue 13): a
// ping sweep or a UDP scan is the prober's, not its targets'.
inline bool icmp_error(const ParsedPacket& p) noexcept {
  if (!p.l4_parsed) return false;
  const uint8_t t = p.icmp_type;
  if (p.ip_proto == 1)
    return t == 0 || t == 3 || t == 4 || t == 5 || t == 11 || t == 12 || t == 14 || t == 16 ||
           t == 18;
  return p.ip_proto == 58 && ((t >= 1 && t <= 4) || t == 129);
}

// A probe: a packet that asks a port or host for an answer. TCP without ACK (SYN, FIN,
// NULL, XMAS, RST), a bare ACK or UDP from a higher port than its destination (a scanner's
// ephemeral port; a server's replies come from the lower one), ICMP/ICMPv6 echo request.
// Returns 0 (no), 1 (a host probe: ICMP) or 2 (a host and port probe).
inline unsigned probe_kind(const ParsedPacket& p) noexcept {
  if (!p.l4_parsed) return 0;
  switch (p.ip_proto) {
    case 6:
      return (!(p.tcp_flags & kTcpAck) || (p.tcp_flags == kTcpAck && p.sport > p.dport)) ? 2 : 0;
    case 17:
      return p.sport > p.dport ? 2 : 0;
    case 1:
      return p.icmp_type == 8 ? 1 : 0;
    case 58:
      return p.icmp_type == 128 ? 1 : 0;
    default:
      return 0;
  }
}

// UDP from the source ports of reflection/amplification (DNS, NTP, SNMP, CLDAP, SSDP,
// memcached, chargen, qotd, NetBIOS, WS-Discovery, mDNS).
// A perfect hash: (port * kMul) mod 2^32, top 4 bits, gives each of the 11 ports its own
// slot of 16 (one multiply, one load, one compare instead of a chain of compares).
inline constexpr uint32_t kReflectorMul = 0xc2ce6f45u;
inline constexpr unsigned reflector_slot(uint32_t port) noexcept {
  return (port * kReflectorMul) >> 28;
}
inline constexpr std::array<uint32_t, 16> kReflectorPorts = [] {
  std::array<uint32_t, 16> t{};
  t.fill(~0u);  // no port
  for (uint32_t p : {53u, 123u, 161u, 389u, 1900u, 11211u, 19u, 17u, 137u, 3702u, 5353u}) {
    t[reflector_slot(p)] = p;
  }
  return t;
}();
inline bool reflector_port(uint16_t port) noexcept {
  return kReflectorPorts[reflector_slot(port)] == port;
}

// count_third_line's flags besides the probe kind (bits 0-1).
constexpr unsigned kBlackSent = 4;  // blacklisted, and not an ICMP answer
constexpr unsigned kReflected = 8;  // UDP from a reflector port

// 6 bits of MurmurHash3's fmix64: random-like for consecutive ports, as linear counting
// assumes (a multiplicative hash spreads them evenly and over-counts). For a 16-bit port
// fmix64's first xor-shift is a no-op and its last one does not reach the top 6 bits: both
// are left out (the same bits, as shm::fanin_hash).
constexpr unsigned hash6(uint16_t port) noexcept {
  uint64_t v = port * 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  v *= 0xc4ceb9fe1a85ec53ULL;
  return static_cast<unsigned>(v >> 58);
}
constexpr bool hash6_is_fmix64() {
  for (uint64_t port = 0; port < 65536; ++port) {
    uint64_t v = port ^ (port >> 33);
    v *= 0xff51afd7ed558ccdULL;
    v ^= v >> 33;
    v *= 0xc4ceb9fe1a85ec53ULL;
    v ^= v >> 33;
    if (hash6(static_cast<uint16_t>(port)) != v >> 58) return false;
  }
  return true;
}
static_assert(hash6_is_fmix64(), "the same bits as fmix64 for every port");

// An unconditional store: the sender's second line is written by every packet anyway
// (rate_window), and a test before the store costs as many instructions.
inline void set_bit(shm::Counter& bits, unsigned b) noexcept {
  shm::set_bits(bits, uint64_t{1} << b);
}

// The destination's fan-in sketch (shm_layout.h): a later window clears it first.
inline void count_fanin_bit(shm::HostEntry& d, uint64_t hash, uint64_t win) noexcept {
  if (__builtin_expect(win > shm::read(d.fanin_window), 0)) {
    for (auto& w : d.fanin_bits) w.store(0, std::memory_order_relaxed);
    d.fanin_window.store(win, std::memory_order_relaxed);
  }
  const unsigned b = shm::fanin_bit(hash);
  shm::Counter& w = d.fanin_bits[b >> 6];
  const uint64_t m = uint64_t{1} << (b & 63), v = shm::read(w);
  if (!(v & m)) w.store(v | m, std::memory_order_relaxed);
}

// The source's scan sketches, of the scan window of its rate epoch (count_rate cleared them
// when that moved into a later window). The host sketch takes 6 bits of the destination's
// home slot: bits of the host table's own hash of the address, already computed (a table of
// 64 slots or more gives 64 values).
inline void count_probe(shm::HostEntry& s, const ParsedPacket& p, unsigned kind,
                        uint64_t dst_slot) noexcept {
  if (kind == 2) set_bit(s.scan_port_bits, hash6(p.dport));
  if (!shm::is_group_address(p.dst))
    set_bit(s.scan_host_bits, static_cast<unsigned>((dst_slot * 0x9E3779B97F4A7C15ULL) >> 58));
}

// first_seen_ns is 0 exactly when last_seen_ns is (the first packet of a nonzero time sets
// both, eviction zeroes both): one load tests the first, and last_seen_ns takes the later
// time by a conditional move and an unconditional store (the line is written anyway).
inline void touch_seen(shm::HostEntry& e, uint64_t ts) noexcept {
  const uint64_t last = shm::read(e.last_seen_ns);
  if (__builtin_expect(last == 0, 0)) e.first_seen_ns.store(ts, std::memory_order_relaxed);
  e.last_seen_ns.store(ts > last ? ts : last, std::memory_order_relaxed);
}

}  // namespace

PacketCounter::PacketCounter(const Segment& seg, unsigned w, const ParseConfig& parse) noexcept
    : parse_(parse),
      counters_(&seg.counters(w)),
      control_(&seg.control()),
      table_(seg.hosts(w), seg.host_capacity(w), &seg.counters(w), seg.host_idle_ns(w)),
      entries_(seg.hosts(w)),
      sampler_(&seg.ring(w), seg.ring_records(w)),
      crossings_(&seg.crossing_ring(w), seg.crossing_records(w)),
      capture_(&seg.capture_ring(w), seg.capture_data(w)) {
  cache_.init(*control_);
  set_trigger();
  v6_prefix_.set(parse.ipv6_prefix);
  sample_countdown_ = cache_.sample_one_in();
  counters_->control_generation.store(cache_.generation(), std::memory_order_relaxed);
}

void PacketCounter::poll_control() noexcept {
  if (__builtin_expect(capture_.poll(control_->capture), 0))  // issue 16: one relaxed load
    capture_.set_slot(table_.slot_of(capture_.host()));
  if (__builtin_expect(!cache_.poll(*control_), 1)) return;
  sample_countdown_ = cache_.sample_one_in();
  set_trigger();
  counters_->control_generation.store(cache_.generation(), std::memory_order_release);
}

void PacketCounter::set_trigger() noexcept {
  const uint64_t t = cache_.traffic_trigger();
  trigger_ = t == 0 ? ~uint64_t{0} : shm::rate_trigger(t);
  const uint64_t st = cache_.syn_trigger();
  syn_trigger_ = st == 0 ? ~uint64_t{0} : st;
}

// The rate epoch field (shm::rate_epoch_field) of packet time `ts`, divided once per epoch
// like scan_window; an earlier
// timestamp (a reordered source) counts into the current epoch.
uint64_t PacketCounter::rate_epoch(uint64_t ts) noexcept {
  if (__builtin_expect(ts - rate_start_ >= shm::kRateEpochNs, 0)) {
    if (ts > rate_start_) {
      const uint64_t e = ts / shm::kRateEpochNs;
      rate_start_ = e * shm::kRateEpochNs;
      rate_epoch_ = shm::rate_epoch_field(e);
      rate_in_window_ = e % shm::kRateEpochsPerScanWindow;
      rate_scan_win_ = e / shm::kRateEpochsPerScanWindow + 1;
    }
  }
  return rate_epoch_;
}

// The sender's sliding second (shm_layout.h): one predictable branch, taken once per epoch
// by a sender over the trigger.
void PacketCounter::count_rate(shm::HostEntry& s, const shm::IpKey& src, uint8_t ip_proto,
                               uint64_t ts) noexcept {
  const uint64_t ef = rate_epoch(ts);
  uint64_t w = shm::read(s.rate_window);
  // The same epoch as the sender's last packet (nearly every packet): rate_step_at's "same"
  // case alone; a new epoch takes the branch-free roll.
  if (__builtin_expect((w & shm::kRateEpochBits) == ef, 1)) {
    if (__builtin_expect(shm::rate_sum(w) < shm::kRateCountMax, 1)) w += shm::kRateOne;
  } else {
    // A new epoch for this sender. The last one (d epochs ago, mod 2^19 like the epoch field)
    // in an earlier scan window, or none: its scan sketches restart.
    const uint64_t d = (ef - (w & shm::kRateEpochBits)) >> shm::kRateEpochShift;
    if (w == 0 || d > rate_in_window_) new_scan_window(s);
    w = shm::rate_step_at(w, ef);
  }
  s.rate_window.store(w, std::memory_order_relaxed);
  if (__builtin_expect(shm::rate_crossed(w, trigger_), 0))
    cross(s, src, shm::CrossingRule::kTraffic, shm::rate_sum(w), ip_proto, ts);
}

// A sender's first packet in a later scan window: its sketches restart, and the third line's
// scan_window (written once per window) says which window they hold.
void PacketCounter::new_scan_window(shm::HostEntry& s) noexcept {
  s.scan_port_bits.store(0, std::memory_order_relaxed);
  s.scan_host_bits.store(0, std::memory_order_relaxed);
  s.scan_window.store(rate_scan_win_, std::memory_order_relaxed);
}

// Issue 17: a sender past the SYN trigger is pushed once per epoch (its SYNs so far).
void PacketCounter::check_syn(shm::HostEntry& s, const shm::IpKey& src, uint64_t ts) noexcept {
  const uint64_t n = shm::read(s.syn_sent);
  if (__builtin_expect(n > syn_trigger_, 0) && !(shm::read(s.rate_window) & shm::kRateSynPushed))
    cross(s, src, shm::CrossingRule::kSyn, n, 6, ts);
}

// A crossing: flags the host for this epoch and pushes it to the control plane.
void PacketCounter::cross(shm::HostEntry& s, const shm::IpKey& key, shm::CrossingRule rule,
                          uint64_t value, uint8_t ip_proto, uint64_t ts) noexcept {
  const uint64_t flag = rule == shm::CrossingRule::kTraffic     ? shm::kRateTrafficPushed
                        : rule == shm::CrossingRule::kBlacklist ? shm::kRateBlacklistPushed
                                                                : shm::kRateSynPushed;
  s.rate_window.store(shm::read(s.rate_window) | flag, std::memory_order_relaxed);
  crossings_.push(key, static_cast<uint64_t>(&s - entries_), rule, value, ip_proto, ts);
}

// The fan-in window number + 1 of packet time `ts` (a window of kScanWindowNs); the division
// is made once per window, not per sample: [win_start_ns_, win_start_ns_ + kScanWindowNs)
// is the window of the last sample.
uint64_t PacketCounter::scan_window(uint64_t ts) noexcept {
  if (__builtin_expect(ts - win_start_ns_ >= shm::kScanWindowNs, 0)) {
    win_ = ts / shm::kScanWindowNs + 1;
    win_start_ns_ = (win_ - 1) * shm::kScanWindowNs;
  }
  return win_;
}

template <bool kGeneral>
inline void PacketCounter::count_burst(const PacketView* pkts, uint32_t n) noexcept {
  for (uint32_t i = 0; i < n; ++i)
    count<kGeneral>(parsed_[i], pkts[i].ts_ns, src_slot_[i], dst_slot_[i]);
}

template <bool kGeneral>
inline void PacketCounter::count(const ParsedPacket& p, uint64_t ts, uint64_t src_slot,
                                 uint64_t dst_slot) noexcept {
  shm::WorkerCounters& c = *counters_;  // packets and bytes are counted per burst
  // A plain IP packet (nearly all) skips the five tests below by one compare (plain_ip).
  if (__builtin_expect(!plain_ip(p), 0)) {
    if (__builtin_expect(p.error != shm::ParseError::kNone, 0))
      bump(c.parse_errors[static_cast<size_t>(p.error)]);
    if (p.vlan_tags) bump(c.vlan_packets);
    if (__builtin_expect(p.encaps != 0, 0)) count_rare(p, ts);
    if (!has_addresses(p)) {  // the L3 kinds are counted per burst (process_chunk)
      if constexpr (!kGeneral) ++no_addresses_;
      return;
    }
    if (p.fragment) bump(c.fragments);
  }

  const size_t cls = static_cast<size_t>(p.proto_class);
  const bool black = kGeneral && cache_.blacklisted(p);
  bump(c.ip_proto_packets[p.ip_proto]);
  bump(c.proto_class_packets[cls]);
  if (black) bump(c.blacklisted_packets);

  shm::HostEntry* d;
  shm::HostEntry* s =
      count_hosts(p.src, p.dst, src_slot, dst_slot, p.wire_len, cls, black, ts, p.ip_proto, d);
  // What touches the sketches (bits 0-1: the probe kind; the second line) or the third line
  // (kBlackSent, kReflected). UDP (a reflector's source port, a probe from a higher port) is
  // told first; TCP's SYNs and SYN+ACKs behind one test of the protocol (other packets pay
  // nothing for them).
  unsigned third;
  if (p.ip_proto == 17) {
    third = (p.l4_parsed && p.sport > p.dport ? 2 : 0) | (reflector_port(p.sport) ? kReflected : 0);
  } else {
    third = probe_kind(p);
    // The SYN and ACK bits: SYN alone opens a connection, SYN+ACK answers one (issue 13
    // item 2: syn_recv, synack_sent); one test each for all their counters.
    if (p.ip_proto == 6 && p.l4_parsed) {
      const unsigned sa = p.tcp_flags & (kTcpSyn | kTcpAck);
      if (__builtin_expect(sa == kTcpSyn, 0)) {
        bump(c.tcp_syn);
        if (s) {
          bump(s->syn_sent);
          check_syn(*s, p.src, ts);  // issue 17
        }
        if (d) bump(d->syn_recv);  // issue 13 item 2: the fourth line, SYNs and 1 in 16 sources
      } else if (__builtin_expect(sa == (kTcpSyn | kTcpAck), 0) && s) {
        bump(s->synack_sent);
      }
    }
  }
  if (__builtin_expect(black, 0) && !icmp_error(p)) third |= kBlackSent;
  if (__builtin_expect(third != 0, 0)) {
    if (third > 3) {
      count_third_line(p, ts, s, dst_slot, third);
    } else if (s) {  // a probe only (the common case): its sketches inline
      count_probe(*s, p, third, dst_slot);
    }
  }

  if (kGeneral && sample_countdown_ != 0 && --sample_countdown_ == 0) {
    sampler_.write(p, ts, black);
    bump(c.sampled_packets);
    sample_countdown_ = cache_.sample_one_in();
  }
}

// Both hosts of one packet (their SYN counters: count). A packet whose source is its
// destination (a multicast smurf from ff02::1 to ff02::1, a LAND attack) is counted once for
// that host: as sent (`d` null).
inline shm::HostEntry* PacketCounter::count_hosts(const shm::IpKey& src, const shm::IpKey& dst,
                                                  uint64_t src_slot, uint64_t dst_slot,
                                                  uint32_t wire_len, size_t cls, bool black,
                                                  uint64_t ts, uint8_t ip_proto,
                                                  shm::HostEntry*& d) noexcept {
  shm::HostEntry* s = table_.find_or_insert(src, src_slot);
  if (s) {
    bump(s->packets_sent);
    bump(s->bytes_sent, wire_len);
    bump(s->proto_class_packets[cls]);
    if (black) bump(s->blacklisted_packets);
    touch_seen(*s, ts);
    count_rate(*s, src, ip_proto, ts);
  }
  d = nullptr;
  // Equal keys have equal home slots: the slot compare settles nearly every packet.
  if (__builtin_expect(src_slot == dst_slot, 0) &&
      std::memcmp(src.bytes, dst.bytes, sizeof src.bytes) == 0) {
    return s;
  }
  if ((d = table_.find_or_insert(dst, dst_slot))) {
    bump(d->packets_recv);
    bump(d->bytes_recv, wire_len);
    bump(d->proto_class_packets[cls]);
    if (black) bump(d->blacklisted_packets);
    touch_seen(*d, ts);
    const uint64_t fh = shm::fanin_hash(src_slot);
    if (__builtin_expect(shm::fanin_sampled(fh), 0)) count_fanin(*d, fh, ts);
  }
  return s;
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
  uint32_t l3n[5] = {};  // packets per L3 kind, counted once per burst like packets and bytes
  for (uint32_t i = 0; i < n; ++i) {
    const PacketView& v = pkts[i];
    if (__builtin_expect(v.link == LinkKind::kEthernet, 1)) {
      parse_packet(v.data, v.caplen, v.wire_len, parsed_[i], parse_);  // resets every field
    } else {
      parse_link(v.link, v.data, v.caplen, v.wire_len, parsed_[i], parse_);
    }
    bytes += v.wire_len;
    ++l3n[static_cast<size_t>(parsed_[i].l3)];
  }
  shm::WorkerCounters& c = *counters_;
  bump(c.packets, n);
  bump(c.bytes, bytes);
  const std::pair<L3, shm::Counter*> kinds[] = {{L3::kArp, &c.arp_packets},
                                                {L3::kIpv4, &c.ipv4_packets},
                                                {L3::kIpv6, &c.ipv6_packets},
                                                {L3::kOther, &c.other_l2_packets}};
  for (const auto& [k, counter] : kinds) {
    if (const uint32_t m = l3n[static_cast<size_t>(k)]) bump(*counter, m);
  }
  if (__builtin_expect(v6_prefix_.on, 0)) {  // a pass of its own: its byte stores would make
    for (uint32_t i = 0; i < n; ++i) {       // the hash pass reload the table's fields
      ParsedPacket& p = parsed_[i];
      if (!has_addresses(p)) continue;
      v6_prefix_.apply(p.src);
      v6_prefix_.apply(p.dst);
    }
  }
  // The table's slots and shift in registers: the stores of the slots below would make the
  // compiler reload them for every packet.
  const shm::HostEntry* const entries = entries_;
  const uint32_t shift = table_.shift();
  for (uint32_t i = 0; i < n; ++i) {
    const ParsedPacket& p = parsed_[i];
    if (!has_addresses(p)) continue;
    const uint64_t ss = HostTable::slot_of(p.src, shift), ds = HostTable::slot_of(p.dst, shift);
    src_slot_[i] = ss;
    dst_slot_[i] = ds;
    HostTable::prefetch(entries, ss);
    HostTable::prefetch(entries, ds);
  }
  // The sampler's countdown counts packets with addresses (at most n): above n, no packet of
  // this burst is sampled, and it moves by their number after the loop.
  if (__builtin_expect(
          cache_.any_blacklisted() || (sample_countdown_ != 0 && sample_countdown_ <= n), 0)) {
    count_burst<true>(pkts, n);
  } else {
    no_addresses_ = 0;
    count_burst<false>(pkts, n);
    if (sample_countdown_ != 0) sample_countdown_ -= n - no_addresses_;
  }
  if (__builtin_expect(capture_.active(), 0))  // issue 16
    capture_.burst(pkts, parsed_, src_slot_, dst_slot_, n);
  table_.age(pkts[n - 1].ts_ns);  // packet time: idle hosts age out (host_table.h)
}

// The rarer per-host counters of the entries' third cache line (issue 13): blacklisted
// packets against their sender, reflection-port UDP against its receiver; and a probe of
// the same packet into the sender's scan sketches. src == dst is one host (counted as the
// sender only).
void PacketCounter::count_third_line(const ParsedPacket& p, uint64_t ts, shm::HostEntry* s,
                                     uint64_t dst_slot, unsigned third) noexcept {
  if (s) {
    if (third & kBlackSent) {
      bump(s->blacklisted_sent);  // issue 17: the first of each epoch is a crossing
      if (!(shm::read(s->rate_window) & shm::kRateBlacklistPushed))
        cross(*s, p.src, shm::CrossingRule::kBlacklist, shm::read(s->blacklisted_sent), p.ip_proto,
              ts);
    }
    if (const unsigned probe = third & 3) count_probe(*s, p, probe, dst_slot);
  }
  if (!(third & kReflected)) return;
  if (std::memcmp(p.src.bytes, p.dst.bytes, sizeof p.src.bytes) == 0) return;
  if (shm::HostEntry* d = table_.find_or_insert(p.dst, dst_slot)) bump(d->reflection_recv);
}

// Packets that crossed an encapsulation: per-kind counters, and with Decap::kBoth the
// outer host pair too (as a packet of the outer protocol; no SYN, no blacklist check).
void PacketCounter::count_fanin(shm::HostEntry& d, uint64_t hash, uint64_t ts) noexcept {
  count_fanin_bit(d, hash, scan_window(ts));
}

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
  shm::HostEntry* d;
  count_hosts(src, dst, table_.slot_of(src), table_.slot_of(dst), p.wire_len,
              static_cast<size_t>(o.proto_class), false, ts, 0, d);
}

}  // namespace securenet
