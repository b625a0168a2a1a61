// The shared-memory layout between securenet-dataplane (writer) and securenet-control
// (reader). ONE header, included by both sides; every struct is checked with static_assert.
//
// Segment (/dev/shm/securenet-<instance>):
//   [Header (4 KiB)] [ControlBlock] [Worker 0 region] [Worker 1 region] ...
//   Worker region: [WorkerCounters] [HostEntry x host_capacity] [SampleRing]
//   then each worker's crossings ring (CrossingRecord), then each worker's capture ring (a
//   byte ring of packed records: CaptureRecordHeader + frame bytes; see kCaptureBlock)
//
// Ownership: every counter in a worker region has exactly one writer, the worker that owns
// it. The ControlBlock is written only by the control plane and read by the dataplane.
// Readers use relaxed atomic loads of aligned 64-bit values: no locks, no torn reads.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string_view>
#include <type_traits>

#include "securenet/shm_fields.h"

namespace securenet::shm {

inline constexpr uint64_t kMagic = 0x314E4553'54454E53ULL;  // "SNETSEN1" little-endian
// 2: the duplicates counter, WorkerRegion::source_name (issue 12); HostEntry's third cache
//    line: sent/received blacklist, scan sketches, reflection (issue 13)
//    HostEntry::state carries a generation (host ageing, issue 12)
// 3: sub-second detection (issue 17): HostEntry::rate_window, ControlBlock::traffic_trigger,
//    Header::crossings (a crossings ring per worker)
// 4: attack capture (issue 16): ControlBlock::capture, Header::capture_*, CaptureRecord rings
//    also (no new version: a reserved word taken, the sum bits unmoved): ControlBlock::
//    syn_trigger and the SYN flag of rate_window, whose epoch field is one bit narrower
// 5: victims (issue 13 item 2): HostEntry's fourth cache line: syn_recv, synack_sent, fan-in;
//    inline XDP drop list (issue 16 item 4b): ControlBlock::drop_list (control -> dataplane),
//    Header::drop_* and inline_out_if (dataplane -> control), appended at the ends
// 6: attack capture records packed back to back in a byte ring of 64 KiB blocks
//    (CaptureRecordHeader + caplen bytes, 16-byte aligned) instead of fixed 2 KiB records;
//    Header::capture_bytes and sizeof_capture_header replace capture_capacity and
//    sizeof_capture_record; CaptureRingHeader::reserve and records
// 7: HostEntry reordered so that every packet touches two cache lines per host (issue 13's
//    time budget): rate_window and one-word scan sketches (64 bits) in the second line;
//    first_seen, syn_sent, the blacklist counters, reflection and scan_window in the third
inline constexpr uint32_t kLayoutVersion = 7;
inline constexpr uint32_t kMaxWorkers = 64;
inline constexpr size_t kCacheLine = 64;

using Counter = std::atomic<uint64_t>;
static_assert(Counter::is_always_lock_free);

// Increment by the single owner: no lock prefix, no atomic RMW. On x86-64 one `add` to
// memory (its aligned 8-byte store is one write, as a relaxed store: readers never see a
// torn value); the compiler emits a relaxed load + add + store for the atomic (3
// instructions). Elsewhere the relaxed load + store.
inline void bump(Counter& c, uint64_t by = 1) noexcept {
#if defined(__x86_64__) && defined(__GNUC__)
  static_assert(sizeof(Counter) == sizeof(uint64_t) && alignof(Counter) == alignof(uint64_t));
  asm("addq %1, %0" : "+m"(*reinterpret_cast<uint64_t*>(&c)) : "er"(by));
#else
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
#endif
}
// Sets `bits` of a word by its single owner (a sketch): one `or` to memory on x86-64.
inline void set_bits(Counter& c, uint64_t bits) noexcept {
#if defined(__x86_64__) && defined(__GNUC__)
  asm("orq %1, %0" : "+m"(*reinterpret_cast<uint64_t*>(&c)) : "er"(bits));
#else
  c.store(c.load(std::memory_order_relaxed) | bits, std::memory_order_relaxed);
#endif
}
inline uint64_t read(const Counter& c) noexcept { return c.load(std::memory_order_relaxed); }

// The enumerations and their names come from the tables of shm_fields.h.
#define SECURENET_ENUMERATOR(e, name) e,
#define SECURENET_NAME(e, name) name,

enum class ProtoClass : uint8_t { SECURENET_PROTO_CLASSES(SECURENET_ENUMERATOR) kCount };
inline constexpr size_t kProtoClassCount = static_cast<size_t>(ProtoClass::kCount);
inline constexpr const char* kProtoClassNames[] = {SECURENET_PROTO_CLASSES(SECURENET_NAME)};

// One enum of parse-error reasons, one counter each (always compiled in).
enum class ParseError : uint8_t { SECURENET_PARSE_ERRORS(SECURENET_ENUMERATOR) kCount };
inline constexpr size_t kParseErrorCount = static_cast<size_t>(ParseError::kCount);
inline constexpr const char* kParseErrorNames[] = {SECURENET_PARSE_ERRORS(SECURENET_NAME)};

// Encapsulations the parser looks through; WorkerCounters::encap_packets is indexed by it.
enum class Encap : uint8_t { SECURENET_ENCAPSULATIONS(SECURENET_ENUMERATOR) kCount };
inline constexpr size_t kEncapCount = static_cast<size_t>(Encap::kCount);
inline constexpr const char* kEncapNames[] = {SECURENET_ENCAPSULATIONS(SECURENET_NAME)};

enum class SourceKind : uint32_t { SECURENET_SOURCE_KINDS(SECURENET_ENUMERATOR) };
inline constexpr const char* kSourceKindNames[] = {SECURENET_SOURCE_KINDS(SECURENET_NAME)};

#undef SECURENET_ENUMERATOR
#undef SECURENET_NAME

// The name of an enumerator (stable API text); "unknown" for a value out of range.
template <typename E, size_t N>
constexpr const char* enum_name(const char* const (&names)[N], E e) noexcept {
  const auto i = static_cast<size_t>(e);
  return i < N ? names[i] : "unknown";
}
constexpr const char* proto_class_name(ProtoClass c) noexcept {
  return enum_name(kProtoClassNames, c);
}
constexpr const char* parse_error_name(ParseError e) noexcept {
  return enum_name(kParseErrorNames, e);
}
constexpr const char* encap_name(Encap e) noexcept { return enum_name(kEncapNames, e); }
constexpr const char* source_kind_name(SourceKind k) noexcept {
  return enum_name(kSourceKindNames, k);
}
// The source kind named `name` ("pcap", "afpacket", ...), or kNone.
constexpr SourceKind source_kind_of(std::string_view name) noexcept {
  for (size_t i = 1; i < std::size(kSourceKindNames); ++i) {
    if (name == kSourceKindNames[i]) return static_cast<SourceKind>(i);
  }
  return SourceKind::kNone;
}

// Protocol class of an IP protocol number (ICMP and ICMPv6 share a class).
constexpr ProtoClass proto_class_of(unsigned ip_proto) noexcept {
  switch (ip_proto) {
    case 6:
      return ProtoClass::kTcp;
    case 17:
      return ProtoClass::kUdp;
    case 1:
    case 58:
      return ProtoClass::kIcmp;
    case 2:
      return ProtoClass::kIgmp;
    default:
      return ProtoClass::kOther;
  }
}

// A 16-byte address: IPv6 as is, IPv4 as ::ffff:a.b.c.d (RFC 4291 mapped).
struct alignas(8) IpKey {
  uint8_t bytes[16];
};
static_assert(sizeof(IpKey) == 16);

// A multicast or broadcast address (IPv4 224.0.0.0/4 and 240/4 with 255.255.255.255,
// IPv6 ff00::/8): a group, never one host (issue 13).
inline bool is_group_address(const IpKey& k) noexcept {
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (k.bytes[0] == 0xff) return true;
  if (k.bytes[12] < 224) return false;  // not 224/3 if IPv4 (most addresses): no prefix compare
  // One 12-byte compare (two loads) for the v4-mapped prefix, not twelve byte compares.
  uint64_t a, ma;
  uint32_t b, mb;
  std::memcpy(&a, k.bytes, 8);
  std::memcpy(&b, k.bytes + 8, 4);
  std::memcpy(&ma, kMapped, 8);
  std::memcpy(&mb, kMapped + 8, 4);
  return ((a ^ ma) | (b ^ mb)) == 0 && k.bytes[12] >= 224;
}

// Scan sketches (HostEntry::scan_*): per source, the hashed destination ports and hosts of
// its probes in windows of packet time; scan_window is the window number + 1 (0 = none).
// One word each (layout 7; 128 bits before): they share the sender's second cache line with
// rate_window, whose epoch tells the worker when a window begins (packet_counter.cpp).
inline constexpr uint64_t kScanWindowNs = 15'000'000'000ULL;
inline constexpr unsigned kScanSketchBits = 64;  // one word per sketch

// Fan-in sketch (HostEntry::fanin_*, issue 13 item 2): per destination, the sources whose
// hash (MurmurHash3's fmix64 of the source's home slot in the host table) has its top 4
// bits 0 (1 in kFaninSampleOneIn) each set bit fanin_bit(hash) of 256, in the scan windows
// (fanin_window as scan_window). Linear counting of the sketch times kFaninSampleOneIn
// estimates the distinct sources (home slots: sources sharing one count once), up to about
// 16 x 256 ln 256 = 22,700; a source that is not sampled costs the hash and one test. The
// slot's own bits are not random enough (for IPv4 its low bits are the same across a /24),
// nor are the host table's hash bits below the slot (an IPv4 address's last byte reaches
// only the top 8 bits of its multiply-shift hash).
inline constexpr unsigned kFaninSketchBits = 256;  // four words
inline constexpr uint64_t kFaninSampleOneIn = 16;
// Only the top 12 bits are used. For a slot below 2^33 (host tables hold at most 2^24) this
// is fmix64 without its first xor-shift (v >> 33 is 0) and its last one (it changes bits 0-30
// only): the same bits, two multiplies and one xor-shift per packet.
constexpr uint64_t fanin_hash(uint64_t src_slot) noexcept {
  uint64_t v = src_slot * 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  return v * 0xc4ceb9fe1a85ec53ULL;
}
constexpr bool fanin_sampled(uint64_t hash) noexcept { return (hash >> 60) == 0; }
constexpr unsigned fanin_bit(uint64_t hash) noexcept {
  return static_cast<unsigned>((hash >> 52) & (kFaninSketchBits - 1));
}

// The configuration the control plane publishes to the dataplane. Written by the control
// plane only (write_control), read by the workers only (try_read_control), under a
// sequence lock: the writer makes `seq` odd, writes every field, then makes it even again;
// a reader keeps its copy only if it saw the same even `seq` before and after copying, so
// it never applies half of one config and half of the next. A reader that loses the race
// keeps its previous copy and tries again at its next poll: it never waits for the writer.
// Attack capture (issue 16): the host whose packets (both directions) the workers copy whole
// into their capture rings. Written by the control plane only (start_capture/stop_capture):
// `id` 0, then the fields, then `id` = a new, never reused id (release). A worker that sees
// `id` move acquire-loads the fields and keeps them only if `id` is still the same after.
struct alignas(kCacheLine) CaptureControl {
  Counter id;           // the capture in force; 0 = none
  Counter host[2];      // its IpKey, as two words
  Counter max_packets;  // per worker: stop after this many packets of the host
  Counter max_ns;       // per worker: stop this long (packet time) after its first packet
  Counter reserved[3];
};
static_assert(sizeof(CaptureControl) == kCacheLine);

// Inline XDP drop list (issue 16 item 4b): the source prefixes the dataplane's XDP program
// drops before the socket. Written by the control plane only (write_drop_list), under a
// sequence lock of its own (same protocol as the ControlBlock's; not part of ControlConfig).
// Slot i holds one prefix while its `id` (> 0, never reused by one control plane) is set;
// id 0 = a free slot. A prefix keeps its slot while listed, so its drop count stays with it.
inline constexpr size_t kDropListCapacity = 256;

struct DropEntry {
  Counter id;         // 0: free slot
  Counter prefix[2];  // the IpKey, as two words (IPv4 as ::ffff:a.b.c.d)
  Counter length;     // prefix length over the 16 bytes: IPv4 /n is 96 + n; 1..128
};
static_assert(sizeof(DropEntry) == 32);

struct alignas(kCacheLine) DropListControl {
  Counter generation;  // +1 per publish; the dataplane re-syncs its XDP map when it moves
  Counter seq;         // the sequence lock: odd while a write is under way
  Counter count;       // slots in use
  Counter reserved[5];
  DropEntry entries[kDropListCapacity];
};
static_assert(sizeof(DropListControl) % kCacheLine == 0);

// A private copy of the drop list.
struct DropRule {
  uint64_t id = 0;
  IpKey prefix{};
  uint64_t length = 0;
};
struct DropListCopy {
  uint64_t generation = 0;
  uint64_t count = 0;
  DropRule entries[kDropListCapacity];
};

struct alignas(kCacheLine) ControlBlock {
  Counter generation;     // +1 per published config; workers reload when it moves
  Counter sample_one_in;  // sample 1 of N packets into the ring; 0 = off
  Counter seq;            // the sequence lock: odd while a write is under way
  Counter reserved[5];
  Counter proto_blacklist[4];        // bit n = IP protocol number n is blacklisted
  Counter tcp_port_blacklist[1024];  // bit p = TCP port p (either side) is blacklisted
  Counter udp_port_blacklist[1024];  // bit p = UDP port p (either side) is blacklisted
  // Issue 17: packets in a sliding second above which a sender is pushed into its worker's
  // crossings ring (the lowest traffic_sent threshold of the config); 0 = off.
  Counter traffic_trigger;
  // Issue 17: SYNs (lifetime, per worker) above which a sender's SYNs are pushed, once per
  // epoch, as connection-rate crossings (half the lowest connection_rate_per_min); 0 = off.
  Counter syn_trigger;
  Counter reserved_fast[6];
  CaptureControl capture;     // issue 16; not part of ControlConfig (its own protocol)
  DropListControl drop_list;  // issue 16 item 4b; its own sequence lock (write_drop_list)
};
static_assert(sizeof(ControlBlock) % kCacheLine == 0);
static_assert(offsetof(ControlBlock, proto_blacklist) == 64);

// A private copy of the ControlBlock's fields.
struct ControlConfig {
  uint64_t generation = 0;
  uint64_t sample_one_in = 0;
  uint64_t proto_blacklist[4] = {};
  uint64_t tcp_port_blacklist[1024] = {};
  uint64_t udp_port_blacklist[1024] = {};
  uint64_t traffic_trigger = 0;
  uint64_t syn_trigger = 0;
};

namespace detail {
template <typename Fn>  // fn(Counter& in the block, uint64_t& in the copy) for every field
void for_each_control_field(const ControlBlock& cb, const ControlConfig& c, Fn&& fn) {
  auto& b = const_cast<ControlBlock&>(cb);
  auto& v = const_cast<ControlConfig&>(c);
  fn(b.generation, v.generation);
  fn(b.sample_one_in, v.sample_one_in);
  for (size_t i = 0; i < 4; ++i) fn(b.proto_blacklist[i], v.proto_blacklist[i]);
  for (size_t i = 0; i < 1024; ++i) fn(b.tcp_port_blacklist[i], v.tcp_port_blacklist[i]);
  for (size_t i = 0; i < 1024; ++i) fn(b.udp_port_blacklist[i], v.udp_port_blacklist[i]);
  fn(b.traffic_trigger, v.traffic_trigger);
  fn(b.syn_trigger, v.syn_trigger);
}
}  // namespace detail

// The writer's side (one writer: the control plane). Stores every field of `c`.
inline void write_control(ControlBlock& cb, const ControlConfig& c) noexcept {
  const uint64_t s = cb.seq.load(std::memory_order_relaxed);
  cb.seq.store(s | 1, std::memory_order_relaxed);  // odd: a write is under way
  std::atomic_thread_fence(std::memory_order_release);
  detail::for_each_control_field(
      cb, c, [](Counter& f, uint64_t& v) { f.store(v, std::memory_order_relaxed); });
  cb.seq.store((s | 1) + 1, std::memory_order_release);  // even again: the write is whole
}

// The reader's side. True with `out` a whole config; false (out unspecified) when a write
// was under way or happened meanwhile: keep the previous copy and try again later.
inline bool try_read_control(const ControlBlock& cb, ControlConfig& out) noexcept {
  const uint64_t before = cb.seq.load(std::memory_order_acquire);
  if (before & 1) return false;
  detail::for_each_control_field(
      cb, out, [](Counter& f, uint64_t& v) { v = f.load(std::memory_order_relaxed); });
  std::atomic_thread_fence(std::memory_order_acquire);
  return cb.seq.load(std::memory_order_relaxed) == before;
}

// The drop list's writer (the control plane): every slot of `c`, then generation + 1.
inline void write_drop_list(DropListControl& d, const DropListCopy& c) noexcept {
  const uint64_t s = d.seq.load(std::memory_order_relaxed);
  d.seq.store(s | 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  for (size_t i = 0; i < kDropListCapacity; ++i) {
    uint64_t w[2];
    std::memcpy(w, c.entries[i].prefix.bytes, 16);
    d.entries[i].id.store(c.entries[i].id, std::memory_order_relaxed);
    d.entries[i].prefix[0].store(w[0], std::memory_order_relaxed);
    d.entries[i].prefix[1].store(w[1], std::memory_order_relaxed);
    d.entries[i].length.store(c.entries[i].length, std::memory_order_relaxed);
  }
  d.count.store(c.count, std::memory_order_relaxed);
  d.generation.store(d.generation.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  d.seq.store((s | 1) + 1, std::memory_order_release);
}

// The reader's side: true with `out` a whole list, false when a write raced (try later).
inline bool try_read_drop_list(const DropListControl& d, DropListCopy& out) noexcept {
  const uint64_t before = d.seq.load(std::memory_order_acquire);
  if (before & 1) return false;
  for (size_t i = 0; i < kDropListCapacity; ++i) {
    uint64_t w[2] = {d.entries[i].prefix[0].load(std::memory_order_relaxed),
                     d.entries[i].prefix[1].load(std::memory_order_relaxed)};
    out.entries[i].id = d.entries[i].id.load(std::memory_order_relaxed);
    std::memcpy(out.entries[i].prefix.bytes, w, 16);
    out.entries[i].length = d.entries[i].length.load(std::memory_order_relaxed);
  }
  out.count = d.count.load(std::memory_order_relaxed);
  out.generation = d.generation.load(std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_acquire);
  return d.seq.load(std::memory_order_relaxed) == before;
}

#define SECURENET_X(...) +1
inline constexpr size_t kWorkerCounterCount = 0 SECURENET_WORKER_COUNTERS(SECURENET_X);
#undef SECURENET_X
static_assert(kWorkerCounterCount + kEncapCount < 30,
              "SECURENET_WORKER_COUNTERS and encap_packets share 30 slots before the arrays");

struct alignas(kCacheLine) WorkerCounters {
  Counter heartbeat_ns;  // CLOCK_MONOTONIC, refreshed at least every 100 ms
#define SECURENET_X(member, type, api_metrics, api_status, help) Counter member;
  SECURENET_WORKER_COUNTERS(SECURENET_X)  // packets, bytes, ... (shm_fields.h)
#undef SECURENET_X
  Counter control_generation;          // ControlBlock generation this worker has applied
  Counter encap_packets[kEncapCount];  // packets that crossed each kind of encapsulation
  Counter reserved[30 - kWorkerCounterCount - kEncapCount];
  Counter proto_class_packets[kProtoClassCount];
  Counter reserved2[8 - kProtoClassCount];
  Counter parse_errors[kParseErrorCount];
  Counter reserved3[32 - kParseErrorCount];
  Counter ip_proto_packets[256];  // by IP protocol number (after the IPv6 extension walk)
};
static_assert(sizeof(WorkerCounters) % kCacheLine == 0);
static_assert(kParseErrorCount <= 32);
static_assert(offsetof(WorkerCounters, proto_class_packets) == 32 * sizeof(Counter));

// HostEntry::state = generation << 2 | tag. The tag says whether the slot holds a host
// (occupied), held one that aged out (tombstone: probes go on past it) or is empty (probes
// stop). The generation moves on each eviction, so a reader that sees the same state before
// and after copying an entry copied one host (pipeline/host_table.h has the protocol).
inline constexpr uint64_t kHostEmpty = 0;
inline constexpr uint64_t kHostOccupied = 1;  // set last (release) when a host is placed
inline constexpr uint64_t kHostTombstone = 2;
inline constexpr uint64_t kHostTagMask = 3;
constexpr uint64_t host_tag(uint64_t state) noexcept { return state & kHostTagMask; }
constexpr uint64_t host_generation(uint64_t state) noexcept { return state >> 2; }

// Type of a per-host field of width N: one Counter, or an array of N.
template <size_t N>
using HostField = std::conditional_t<N == 1, Counter, std::array<Counter, N>>;

// One host in a worker's open-addressing table (linear probing, tombstones; idle hosts age
// out). The writer fills key, then stores an occupied state with release; readers
// acquire-load state, copy, and re-check state (a changed state means another host).
// The counters follow SECURENET_HOST_FIELDS (shm_fields.h). Four cache lines: the first two
// hold what every packet touches, of both hosts (counters, protocol classes, last_seen, the
// sender's rate_window and scan sketches); the third the fields of rarer packets (a host's
// first, SYNs, blacklisted, reflected; scan_window once per window); the fourth (issue 13
// item 2: syn_recv, synack_sent, fan-in) only SYN, SYN+ACK and fan-in-sampled packets.
// The hash pass prefetches the first two (an adjacent pair for the L2's pair prefetcher).
struct alignas(kCacheLine) HostEntry {
  IpKey key;
  Counter state;
#define SECURENET_X(member, width, kind, api_name) HostField<width> member;
  SECURENET_HOST_FIELDS_LINES_1_2(SECURENET_X)
  Counter rate_window;  // issue 17: the sender's sliding-second packet count (rate_* below)
  SECURENET_HOST_FIELDS_LINE_3(SECURENET_X)
  Counter spare[2];  // zero; for the next per-host counters of rarer packets
  SECURENET_HOST_FIELDS_VICTIM(SECURENET_X)  // issue 13 item 2: the fourth line
#undef SECURENET_X
};
static_assert(sizeof(HostEntry) % kCacheLine == 0);
static_assert(offsetof(HostEntry, packets_sent) == 24 && offsetof(HostEntry, last_seen_ns) == 56,
              "the first line: key, state, the four counters, last_seen");
static_assert(offsetof(HostEntry, rate_window) == 2 * kCacheLine - 8, "ends the second line");
static_assert(offsetof(HostEntry, first_seen_ns) == 2 * kCacheLine, "begins the third line");
static_assert(offsetof(HostEntry, syn_recv) == 3 * kCacheLine &&
                  sizeof(HostEntry) == 4 * kCacheLine,
              "the victim counters fill the fourth line");
static_assert(sizeof(std::array<Counter, kProtoClassCount>) == kProtoClassCount * sizeof(Counter));

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
  uint8_t ip_version;  // 4 or 6
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
  uint64_t host_capacity;  // power of two
  uint64_t ring_offset;    // SampleRingHeader, then SampleRecord x ring_capacity
  uint64_t ring_capacity;  // power of two
  char source_name[16];    // the interface this worker reads (IFNAMSIZ, NUL-terminated);
                           // empty: the Header's source_name
  uint64_t host_idle_ns;   // hosts idle this long (packet time) age out; 0 = never
};
static_assert(sizeof(WorkerRegion) == 64);

// Issue 17: sub-second detection. A sender's packets in a sliding second are counted in
// HostEntry::rate_window, packed in one word over two epochs of kRateEpochNs (packet time):
// bits 0-20 the current epoch's packets, 21-41 their sum with the previous epoch's, 42 and
// 43, 44 "pushed this epoch" (traffic, blacklist, SYN), 45-63 the current epoch's number
// (wraps after 2^19 epochs, 3 days: a host idle that long has aged out). The sum
// counts packets of at most one second before the packet (the previous epoch began less
// than 2 x kRateEpochNs = 1 s ago) and at least of the last half second: a sum above the
// threshold is always a true "more than N packets in one second" (never a false crossing),
// and a sender above N in any half second is found at the packet that takes it over.
inline constexpr uint64_t kRateEpochNs = 500'000'000ULL;
// A scan window is a whole number of rate epochs: a sender's rate_window tells its window.
inline constexpr uint64_t kRateEpochsPerScanWindow = kScanWindowNs / kRateEpochNs;
static_assert(kScanWindowNs % kRateEpochNs == 0);
inline constexpr uint64_t kRateCountMax = (uint64_t{1} << 21) - 1;  // counts saturate here
inline constexpr unsigned kRateSumShift = 21, kRateEpochShift = 45;
inline constexpr uint64_t kRateEpochMask = (uint64_t{1} << 19) - 1;
inline constexpr uint64_t kRateEpochBits = kRateEpochMask << kRateEpochShift;
inline constexpr uint64_t kRateTrafficPushed = uint64_t{1} << 42;
inline constexpr uint64_t kRateBlacklistPushed = uint64_t{1} << 43;
inline constexpr uint64_t kRateSynPushed = uint64_t{1} << 44;
inline constexpr uint64_t kRateOne = 1 | uint64_t{1} << kRateSumShift;  // one more packet
constexpr uint64_t rate_sum(uint64_t w) noexcept { return (w >> kRateSumShift) & kRateCountMax; }
// The epoch field of epoch number `epoch` (what rate_step_at takes; computed once per epoch).
constexpr uint64_t rate_epoch_field(uint64_t epoch) noexcept {
  return (epoch & kRateEpochMask) << kRateEpochShift;
}
// rate_window `w` after one more packet in the epoch of field `ef`: in the same epoch both
// counts go up (saturating); in the next one the current count becomes the previous one;
// later, both restart; a new epoch clears the flags. Branch-free.
constexpr uint64_t rate_step_at(uint64_t w, uint64_t ef) noexcept {
  const uint64_t d = (ef - (w & kRateEpochBits)) >> kRateEpochShift;  // epochs since w's
  const uint64_t same = w + (rate_sum(w) < kRateCountMax ? kRateOne : 0);
  const uint64_t next = (ef | kRateOne) + ((d == 1 ? w & kRateCountMax : 0) << kRateSumShift);
  return d == 0 ? same : next;
}
constexpr uint64_t rate_step(uint64_t w, uint64_t epoch) noexcept {
  return rate_step_at(w, rate_epoch_field(epoch));
}
// True when `w` is over `trigger` and not yet pushed this epoch: one compare. `over` is
// rate_trigger(trigger) (the traffic flag sits right above the sum).
constexpr uint64_t rate_trigger(uint64_t trigger) noexcept {
  return trigger >= kRateCountMax ? ~uint64_t{0} : trigger + (uint64_t{1} << kRateSumShift);
}
constexpr bool rate_crossed(uint64_t w, uint64_t over) noexcept {
  return (((w >> kRateSumShift) & (2 * kRateCountMax + 1)) ^ (kRateCountMax + 1)) > over;
}

// The rule of a crossing.
// kSyn: value = the sender's SYNs (its entry's syn_sent); the control plane counts the
// sliding minute (issue 17).
enum class CrossingRule : uint8_t { kNone = 0, kTraffic = 1, kBlacklist = 2, kSyn = 3 };

// One crossing: a host that went over a rule's limit (at most one per host, rule and
// epoch). Written by the worker at slot (seq % capacity) like a SampleRecord: seq_plus_one
// is zeroed first and stored last (release) as seq+1.
struct alignas(kCacheLine) CrossingRecord {
  Counter seq_plus_one;
  Counter ts_ns;   // packet time of the packet that crossed (UNIX epoch ns)
  IpKey key;       // the host
  uint64_t slot;   // its slot in the worker's host table
  uint64_t value;  // kTraffic: packets in the sliding second; kBlacklist: blacklisted_sent
  CrossingRule rule;
  uint8_t ip_proto;  // of the packet that crossed
  uint8_t reserved[14];
};
static_assert(sizeof(CrossingRecord) == 64);

struct alignas(kCacheLine) CrossingRingHeader {
  Counter head;  // next sequence number to write (monotonic)
  Counter capacity;
  Counter reserved[6];
};
inline constexpr uint64_t kCrossingRingCapacity = 4096;  // records per worker

struct CrossingRegion {
  uint64_t offset;    // CrossingRingHeader, then CrossingRecord x capacity
  uint64_t capacity;  // power of two
};

struct alignas(4096) Header {
  uint64_t magic;
  uint32_t layout_version;
  uint32_t header_size;  // sizeof(Header)
  uint64_t segment_size;
  uint32_t num_workers;
  SourceKind source_kind;
  uint64_t control_offset;
  uint64_t dataplane_pid;
  uint64_t start_time_ns;  // CLOCK_REALTIME at start
  char source_name[64];    // interface, file or device, NUL-terminated
  Counter ready;           // 1 once every region is initialised (release)
  Counter stopped;         // 1 once the dataplane has shut down cleanly
  uint32_t sizeof_worker_counters;
  uint32_t sizeof_host_entry;
  uint32_t sizeof_sample_record;
  uint32_t sizeof_control_block;
  WorkerRegion workers[kMaxWorkers];
  CrossingRegion crossings[kMaxWorkers];  // issue 17: each worker's crossings ring
  // Attack capture rings (issue 16): worker w's CaptureRingHeader at capture_offset +
  // w * capture_stride, then its byte ring of capture_bytes bytes (a power of two).
  uint64_t capture_offset;
  uint64_t capture_stride;
  uint64_t capture_bytes;
  uint32_t sizeof_capture_header;
  uint32_t reserved_capture;
  // Inline drop list (issue 16 item 4b), written by the dataplane only (its drop-list sync,
  // every 50 ms). drop_counts[i] counts the packets dropped for the entry whose id it names
  // (the slot's id in DropListControl): `id` 0, then drops 0, then `id` (release) when a
  // slot gets a new entry; a reader keeps `drops` only if it saw the same id before and after.
  uint32_t drop_filter;  // 1: the source drops listed prefixes (AF_XDP); 0: the list is unused
  uint32_t reserved_drop;
  char inline_out_if[16];        // --inline OUT_IF (NUL-terminated); empty: capture only
  Counter drop_list_generation;  // DropListControl::generation last applied to the XDP map
  Counter drop_list_errors;      // entries the kernel refused (bad length, map full)
  Counter inline_forwarded;      // frames forwarded, both directions (all workers)
  Counter inline_tx_errors;      // frames that could not be sent on OUT_IF
  struct DropCount {
    Counter id;
    Counter drops;
  } drop_counts[kDropListCapacity];
};
static_assert(sizeof(Header) % 4096 == 0);
static_assert(offsetof(Header, magic) == 0);

// ---- Attack capture (issue 16) ----
inline constexpr uint32_t kCaptureSnapLen = 1984;  // bytes of a frame kept; the rest is cut

// Each worker's capture ring is a byte ring of `capacity` bytes (a power of two, a whole
// number of kCaptureBlock blocks) with one writer, the worker. Positions are monotonic byte
// counts; position p lives at offset p % capacity. Records are packed back to back: a
// CaptureRecordHeader, then caplen bytes of the frame, the whole padded to kCaptureAlign
// bytes (a 64-byte frame takes 96 bytes). A record never straddles the end of a block (nor
// so the end of the ring): when the next one does not fit before it, the writer puts a skip
// marker there (kind kCaptureSkip: the rest of the block is empty), or nothing if fewer than
// sizeof(CaptureRecordHeader) bytes are left, and writes the record at the next block's
// start. So every block starts with a record: a reader that fell behind the writer resumes
// at the first block start the writer has not begun to overwrite.
//
// Protocol (a sequence lock over byte ranges): for a record at [p, end) (end includes a
// skip to the next block), the writer stores `reserve` = end (relaxed), a release fence, the
// bytes, then `head` = end (release). A reader acquire-loads `head`, copies a record below
// it, then (acquire fence) loads `reserve`: a record at position q is whole iff q + capacity
// >= reserve (the writer has not begun to overwrite it). Anything else is counted as lost
// (the gap in `seq`), never returned torn. `records` counts the frames written.
inline constexpr uint64_t kCaptureBlock = 64 * 1024;
inline constexpr uint64_t kCaptureAlign = 16;
inline constexpr uint8_t kCaptureFrame = 1;
inline constexpr uint8_t kCaptureSkip = 2;

struct CaptureRecordHeader {
  uint64_t seq;         // frames this worker wrote before this one (kCaptureSkip: the next's)
  uint64_t ts_ns;       // packet time (UNIX epoch ns)
  uint64_t capture_id;  // the capture it belongs to
  uint32_t wire_len;    // length on the wire
  uint16_t caplen;      // bytes of the frame that follow (<= kCaptureSnapLen)
  uint8_t link;         // LinkKind of the frame (securenet/parser.h)
  uint8_t kind;         // kCaptureFrame or kCaptureSkip
};
static_assert(sizeof(CaptureRecordHeader) == 32 && kCaptureSnapLen < 65536);

// Bytes a record of `caplen` bytes takes in the ring.
constexpr uint64_t capture_record_size(uint64_t caplen) noexcept {
  return (sizeof(CaptureRecordHeader) + caplen + kCaptureAlign - 1) & ~(kCaptureAlign - 1);
}
inline constexpr uint64_t kCaptureMaxRecord = capture_record_size(kCaptureSnapLen);  // 2016
static_assert(kCaptureMaxRecord == 2016 && kCaptureBlock >= 2 * kCaptureMaxRecord);

struct alignas(kCacheLine) CaptureRingHeader {
  Counter head;      // position after the last whole record (monotonic)
  Counter capacity;  // bytes of the ring (a power of two)
  Counter done_id;   // the last capture whose window this worker has closed
  Counter reserve;   // end of the bytes the writer may be writing (>= head)
  Counter records;   // frames written (monotonic)
  Counter reserved[3];
};
static_assert(sizeof(CaptureRingHeader) == kCacheLine);

// The control plane's side: starts capture `id` (> every earlier id) of `host`.
inline void start_capture(CaptureControl& c, const IpKey& host, uint64_t id, uint64_t max_packets,
                          uint64_t max_ns) noexcept {
  c.id.store(0, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  uint64_t w[2];
  std::memcpy(w, host.bytes, 16);
  c.host[0].store(w[0], std::memory_order_relaxed);
  c.host[1].store(w[1], std::memory_order_relaxed);
  c.max_packets.store(max_packets, std::memory_order_relaxed);
  c.max_ns.store(max_ns, std::memory_order_relaxed);
  c.id.store(id, std::memory_order_release);
}
inline void stop_capture(CaptureControl& c) noexcept { c.id.store(0, std::memory_order_release); }

}  // namespace securenet::shm
