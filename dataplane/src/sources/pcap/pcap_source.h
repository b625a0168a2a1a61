// Replays a pcap or pcapng file (sources/pcap/capture_file.h: libpcap for pcap, our own pcapng
// reader; micro- and nanosecond files; every link type of sources/pcap/linktype.h).
//
// Split across workers: with N workers, worker w takes packets w, w+N, w+2N, ... of the
// file (by position), so every packet is counted exactly once per loop and the split is
// deterministic. A host's packets may therefore be counted by several workers; readers
// merge hosts across workers (ShmReader::merge_hosts).
//
// Streaming mode copies each packet into a per-source burst arena (libpcap reuses its
// buffer). Preload mode reads the whole file into memory once (shared by all workers)
// and serves views into it: no copy per packet, for benchmarks.
// Loops: the file is replayed `loops` times (0 = forever); each loop's timestamps are
// shifted by the file's duration (+1 µs) so packet time keeps moving forward.
// Pacing: rate_pps (total) is split evenly across workers; a token bucket refilled per
// burst from CLOCK_MONOTONIC. Or recorded timing (timing_recorded): each packet waits until
// its offset from the file's first packet, divided by `speed`, has passed since the replay
// began (loops continue from the shifted timestamps); a worker sleeps at most 1 ms at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "securenet/source.h"

namespace securenet {

// A whole capture in memory: packets' bytes back to back and views into them.
struct PcapImage {
  std::vector<uint8_t> bytes;
  std::vector<PacketView> packets;  // data points into `bytes`
  uint64_t duration_ns = 0;         // last ts - first ts
};

// Reads a whole pcap/pcapng file (the link types of sources/pcap/linktype.h, per interface).
Result<std::shared_ptr<const PcapImage>> load_pcap(const std::string& path);

// One source per worker over `opts.target` (see the split above).
Result<std::vector<std::unique_ptr<PacketSource>>> make_pcap_sources(const SourceOptions& opts);

}  // namespace securenet
