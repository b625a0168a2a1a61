// The packet-source interface every capture path plugs into (pcap file, AF_PACKET,
// AF_XDP, DPDK). One source instance per worker (per RX queue); a worker calls rx_burst in
// a loop. No virtual call per packet: one per burst.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "securenet/parser.h"
#include "securenet/result.h"
#include "securenet/shm_layout.h"

namespace securenet {

// The most frames a live source hands over (and holds) per rx_burst; the worker asks for
// less (the burst counter works in chunks of its own kMaxBurst).
inline constexpr uint32_t kMaxSourceBurst = 256;

struct PacketView {
  const uint8_t* data;
  uint32_t caplen;    // bytes available at data
  uint32_t wire_len;  // length on the wire
  uint64_t ts_ns;     // UNIX epoch ns (from the file, the NIC, or the burst's clock read)
  LinkKind link = LinkKind::kEthernet;  // what the frame starts with (pcap files may differ)
};

struct SourceStats {
  uint64_t drops = 0;   // cumulative packets the source lost
  uint64_t errors = 0;  // cumulative receive errors
};

// Inline drop list (issue 16 item 4b): a filter in front of the source that drops frames
// whose source address falls in a listed prefix (the AF_XDP source's XDP program). Called
// from one thread (the dataplane's drop-list sync), never from the packet path.
class DropFilter {
 public:
  virtual ~DropFilter() = default;
  // Drops `prefix`/`length` (length over the 16-byte key, 1..128), counted in `slot` whose
  // count restarts at 0. False when the kernel refused it.
  virtual bool add(uint32_t slot, const shm::IpKey& prefix, uint32_t length) noexcept = 0;
  virtual void remove(const shm::IpKey& prefix, uint32_t length) noexcept = 0;
  virtual uint64_t drops(uint32_t slot) noexcept = 0;  // since add()
  virtual void set_active(bool on) noexcept = 0;       // off: no lookup per packet
};

struct InlineStats {
  uint64_t forwarded = 0;  // frames forwarded by --inline (both directions)
  uint64_t tx_errors = 0;  // frames that could not be sent
};

class PacketSource {
 public:
  virtual ~PacketSource() = default;
  // Fills up to `max` views; returns how many. 0 means nothing right now (poll again).
  // Views stay valid until the next rx_burst call on this source.
  virtual uint32_t rx_burst(PacketView* out, uint32_t max) noexcept = 0;
  // True once a finite source (a file replayed N times) has nothing more to give.
  virtual bool finished() const noexcept { return false; }
  // Cumulative drop/error counters; cheap enough to call every few milliseconds.
  virtual SourceStats stats() noexcept { return {}; }
  // Issue 16 item 4b: the drop filter in front of this source (shared by the sources of one
  // interface), or null; and what --inline forwarded (readable from any thread).
  virtual std::shared_ptr<DropFilter> drop_filter() const { return nullptr; }
  virtual InlineStats inline_stats() const noexcept { return {}; }
};

struct SourceOptions {
  shm::SourceKind kind = shm::SourceKind::kPcap;
  std::string target;             // pcap: file path; afpacket/afxdp: interface; dpdk: port or vdev
  unsigned workers = 1;           // one source per worker (one RX queue each), per target
  uint64_t loops = 1;             // pcap: replay the file N times (0 = forever)
  bool preload = false;           // pcap: read the whole file into memory first
  double rate_pps = 0;            // pcap: pace replay at this total rate (0 = as fast as possible)
  bool timing_recorded = false;   // pcap: replay at the capture's own timing (--timing recorded)
  double speed = 1.0;             // pcap, recorded timing: 2 = twice as fast, 0.5 = half speed
  std::string xdp_mode = "auto";  // afxdp: auto | native | generic
  std::string xdp_bind = "auto";  // afxdp: auto | zerocopy | copy
  std::vector<std::string> eal_args;  // dpdk: EAL arguments passed through
  uint32_t ring_size = 4096;          // afpacket/afxdp/dpdk ring depth
  uint32_t busy_poll_us = 0;          // afxdp: SO_PREFER_BUSY_POLL with this SO_BUSY_POLL (0 = off)
  std::string inline_if;  // afxdp: --inline OUT_IF, every frame received is sent on it (issue 16)
};

// Several interfaces in one dataplane: a live source's target may be a comma-separated
// list ("eth1,eth2"; DPDK: port ids or names), each with opts.workers workers of its own.
inline constexpr size_t kMaxTargets = 16;
inline constexpr size_t kMaxTargetName = 15;  // IFNAMSIZ - 1
// The targets of opts.target: the file itself for pcap (a file name may hold commas);
// otherwise the list, refused with a one-line error when an item is empty, named twice,
// longer than kMaxTargetName, or when there are more than kMaxTargets of them.
Result<std::vector<std::string>> target_list(shm::SourceKind kind, const std::string& target);

// Creates one source per worker for the chosen kind; a machine that cannot run it gets an
// Error that says why and what to do (no such interface, no permission, not built in...).
// With a list of targets, every interface is checked before any is opened, and the sources
// come interface by interface (opts.workers each); worker_targets, when given, receives the
// target each source reads.
Result<std::vector<std::unique_ptr<PacketSource>>> make_sources(
    const SourceOptions& opts, std::vector<std::string>* worker_targets = nullptr);

}  // namespace securenet
