// The shared-memory layout between securenet-dataplane (writer) and securenet-control
// (reader). ONE header, included by both sides; every struct is checked with static_assert.
//
// Segment (/dev/shm/securenet-<instance>):
//   [Header (4 KiB)] [ControlBlock] [Worker 0 region] [Worker 1 region] ...
//   Worker region: [WorkerCounters] [HostEntry x host_capacity] [SampleRing]
//
// Ownership: every counter in a worker region has exactly one writer, the worker that owns
// it. The ControlBlock is written only by the control plane and read by the dataplane.
// Readers use relaxed atomic loads of aligned 64-bit values: no locks, no torn reads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace securenet::shm {

inline constexpr uint64_t kMagic = 0x314E4553'54454E53ULL;  // "SNETSEN1" little-endian
inline constexpr uint32_t kLayoutVersion = 1;
inline constexpr uint32_t kMaxWorkers = 64;
inline constexpr size_t kCacheLine = 64;

using Counter = std::atomic<uint64_t>;
static_assert(Counter::is_always_lock_free);

// Increment by the single owner: a plain load + store, no lock prefix, no RMW.
inline void bump(Counter& c, uint64_t by = 1) noexcept {
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}
inline uint64_t read(const Counter& c) noexcept { return c.load(std::memory_order_relaxed); }

// Protocol classes counted per host and per worker.
enum class ProtoClass : uint8_t { kTcp = 0, kUdp, kIcmp /* ICMP and ICMPv6 */, kIgmp, kOther, kCount };
inline constexpr size_t kProtoClassCount = static_cast<size_t>(ProtoClass::kCount);

// Protocol class of an IP protocol number (ICMP and ICMPv6 share a class).
constexpr ProtoClass proto_class_of(unsigned ip_proto) noexcept {
  switch (ip_proto) {
    case 6: return ProtoClass::kTcp;
    case 17: return ProtoClass::kUdp;
    case 1:
    case 58: return ProtoClass::kIcmp;
    case 2: return ProtoClass::kIgmp;
    default: return ProtoClass::kOther;
  }
}

// One enum of parse-error reasons, one counter each (always compiled in).
enum class ParseError : uint8_t {
  kNone = 0,
  kTruncatedEthernet,   // shorter than an Ethernet header
  kTruncatedVlan,       // 802.1Q/QinQ tag cut short
  kTooManyVlanTags,     // more than kMaxVlanTags tags
  kTruncatedArp,        // ARP shorter than its fixed part
  kTruncatedIpv4,       // fewer than 20 bytes of IPv4 header
  kBadIpv4Version,      // version field != 4 under ethertype 0x0800
  kBadIpv4Ihl,          // IHL < 5 or header longer than the captured bytes
  kBadIpv4TotalLength,  // total length < IHL*4 or > bytes on the wire
  kTruncatedIpv6,       // fewer than 40 bytes of IPv6 header
  kBadIpv6Version,      // version field != 6 under ethertype 0x86DD
  kBadIpv6PayloadLength,// payload length beyond bytes on the wire
  kTruncatedIpv6ExtHeader,
  kTooManyIpv6ExtHeaders,
  kTruncatedTcp,
  kBadTcpDataOffset,    // data offset < 5 or beyond the packet
  kTruncatedUdp,
  kBadUdpLength,        // UDP length < 8 or beyond the IP payload
  kTruncatedIcmp,
  kTruncatedIcmpv6,
  kTruncatedIgmp,
  // --- added by decapsulation and link types (issue 12); fold into the table at merge ---
  kTruncatedMpls,          // label stack cut short, or no payload after bottom of stack
  kTooManyMplsLabels,      // more than kMaxMplsLabels labels without bottom of stack
  kTruncatedPppoe,         // PPPoE session header + PPP protocol cut short
  kTruncatedGre,           // GRE header (with its optional fields) cut short
  kTruncatedTunnelHeader,  // ERSPAN, VXLAN, GENEVE, GTP-U header cut short or malformed
  kTooDeepEncapsulation,   // more than kMaxEncapDepth encapsulation layers
  kTruncatedLinkHeader,    // Linux SLL/SLL2, BSD null, PPP, Cisco HDLC header cut short
  kBadLinkPayload,         // raw-IP link type whose first nibble is neither 4 nor 6
  kCount
};
inline constexpr size_t kParseErrorCount = static_cast<size_t>(ParseError::kCount);

// A 16-byte address: IPv6 as is, IPv4 as ::ffff:a.b.c.d (RFC 4291 mapped).
struct alignas(8) IpKey {
  uint8_t bytes[16];
};
static_assert(sizeof(IpKey) == 16);

// Written by the control plane only; the dataplane only reads it. `generation` is bumped
// (release) after every other field is written; the dataplane reloads when it changes.
struct alignas(kCacheLine) ControlBlock {
  Counter generation;
  Counter sample_one_in;          // sample 1 of N packets into the ring; 0 = off
  Counter reset_request;          // bumped to ask workers to zero their host tables
  Counter reserved[5];
  Counter proto_blacklist[4];     // bit n = IP protocol number n is blacklisted
  Counter tcp_port_blacklist[1024];  // bit p = TCP port p (either side) is blacklisted
  Counter udp_port_blacklist[1024];  // bit p = UDP port p (either side) is blacklisted
};
static_assert(sizeof(ControlBlock) % kCacheLine == 0);
static_assert(offsetof(ControlBlock, proto_blacklist) == 64);

// Encapsulations the parser looks through (issue 12); one packet counter each, bumped once
// per packet that crossed at least one such layer. ERSPAN packets also count as GRE.
// --- added by decapsulation (issue 12); fold into the table at merge ---
enum class Encap : uint8_t { kMpls = 0, kPppoe, kGre, kErspan, kVxlan, kGeneve, kGtpu, kIpip, kTeredo, kCount };
inline constexpr size_t kEncapCount = static_cast<size_t>(Encap::kCount);

constexpr const char* encap_name(Encap e) noexcept {
  constexpr const char* kNames[] = {"mpls", "pppoe", "gre", "erspan", "vxlan", "geneve", "gtpu", "ipip", "teredo"};
  static_assert(sizeof(kNames) / sizeof(kNames[0]) == kEncapCount);
  return static_cast<size_t>(e) < kEncapCount ? kNames[static_cast<size_t>(e)] : "unknown";
}

enum class SourceKind : uint32_t { kNone = 0, kPcap, kAfPacket, kAfXdp, kDpdk };

constexpr const char* source_kind_name(SourceKind k) noexcept {
  switch (k) {
    case SourceKind::kPcap: return "pcap";
    case SourceKind::kAfPacket: return "afpacket";
    case SourceKind::kAfXdp: return "afxdp";
    case SourceKind::kDpdk: return "dpdk";
    default: return "none";
  }
}

struct alignas(kCacheLine) WorkerCounters {
  Counter heartbeat_ns;     // CLOCK_MONOTONIC, refreshed at least every 100 ms
  Counter packets;          // every packet handed to the parser, valid or not
  Counter bytes;            // wire length of those packets
  Counter ipv4_packets;
  Counter ipv6_packets;
  Counter arp_packets;
  Counter other_l2_packets; // non-IP, non-ARP ethertypes
  Counter vlan_packets;     // packets with at least one 802.1Q/802.1ad tag
  Counter fragments;        // IPv4/IPv6 fragments (first and later)
  Counter tcp_syn;          // SYN without ACK
  Counter blacklisted_packets;
  Counter source_drops;     // packets the source lost (ring full, NIC missed, no mbuf)
  Counter source_errors;    // NIC/socket receive errors
  Counter hosts_in_table;   // occupied entries of this worker's table
  Counter host_table_full;  // host updates that found no slot
  Counter sampled_packets;  // records written to the sample ring
  Counter control_generation;  // ControlBlock generation this worker has applied
  // --- added by decapsulation (issue 12), in former reserved space; fold at merge ---
  Counter encap_packets[kEncapCount];  // packets that crossed each kind of encapsulation
  Counter reserved[15 - kEncapCount];
  Counter proto_class_packets[kProtoClassCount];
  Counter reserved2[8 - kProtoClassCount];
  Counter parse_errors[kParseErrorCount];
  Counter reserved3[32 - kParseErrorCount];
  Counter ip_proto_packets[256];  // by IP protocol number (after the IPv6 extension walk)
};
static_assert(sizeof(WorkerCounters) % kCacheLine == 0);
static_assert(kParseErrorCount <= 32);
static_assert(offsetof(WorkerCounters, proto_class_packets) == 32 * sizeof(Counter));  // layout kept

inline constexpr uint64_t kHostOccupied = 1;  // HostEntry::state, set last (release)

// One host in a worker's open-addressing table (linear probing, no deletion). The writer
// fills key, then stores state = kHostOccupied with release; readers acquire-load state.
struct alignas(kCacheLine) HostEntry {
  IpKey key;
  Counter state;
  Counter packets_sent;
  Counter bytes_sent;
  Counter packets_recv;
  Counter bytes_recv;
  Counter syn_sent;            // TCP SYN without ACK sent by this host
  Counter proto_class_packets[kProtoClassCount];  // sent + received
  Counter blacklisted_packets; // sent + received packets of blacklisted protocols
  Counter first_seen_ns;       // packet time (UNIX epoch ns)
  Counter last_seen_ns;
};
static_assert(sizeof(HostEntry) == 128);

// One sampled packet. Written by the worker at slot (seq % capacity); the slot's `seq`
// field is stored last (release) as seq+1, so a reader that sees seq+1 before and after
// copying the record knows the copy is whole.
struct alignas(kCacheLine) SampleRecord {
  Counter seq_plus_one;
  Counter ts_ns;
  IpKey src;
  IpKey dst;
  uint16_t sport;
  uint16_t dport;
  uint8_t ip_proto;
  uint8_t ip_version;   // 4 or 6
  uint8_t tcp_flags;
  uint8_t blacklisted;
  uint32_t wire_len;
  uint32_t reserved;
};
static_assert(sizeof(SampleRecord) == 64);

struct alignas(kCacheLine) SampleRingHeader {
  Counter head;  // next sequence number to write (monotonic)
  Counter capacity;
  Counter reserved[6];
};

// Byte offsets and sizes of each worker's region inside the segment.
struct WorkerRegion {
  uint64_t counters_offset;
  uint64_t hosts_offset;
  uint64_t host_capacity;   // power of two
  uint64_t ring_offset;     // SampleRingHeader, then SampleRecord x ring_capacity
  uint64_t ring_capacity;   // power of two
  uint64_t reserved[3];
};

struct alignas(4096) Header {
  uint64_t magic;
  uint32_t layout_version;
  uint32_t header_size;     // sizeof(Header)
  uint64_t segment_size;
  uint32_t num_workers;
  SourceKind source_kind;
  uint64_t control_offset;
  uint64_t dataplane_pid;
  uint64_t start_time_ns;   // CLOCK_REALTIME at start
  char source_name[64];     // interface, file or device, NUL-terminated
  Counter ready;            // 1 once every region is initialised (release)
  Counter stopped;          // 1 once the dataplane has shut down cleanly
  uint32_t sizeof_worker_counters;
  uint32_t sizeof_host_entry;
  uint32_t sizeof_sample_record;
  uint32_t sizeof_control_block;
  WorkerRegion workers[kMaxWorkers];
};
static_assert(sizeof(Header) % 4096 == 0);
static_assert(offsetof(Header, magic) == 0);

}  // namespace securenet::shm
