// securenet-analyze's engine: the dataplane's packet path and the control plane's sampler
// and detector in one thread, with the capture's timestamps as the clock.
//
// Packets are counted by the dataplane's PacketCounter into a segment laid out exactly like
// the live one (segment/writer.h; a private instance whose name is unlinked as soon as
// both sides have mapped it), which the
// control plane's ShmReader reads back; the config reaches the counter through the
// segment's control block as in a live run. A tick happens at every whole second of packet
// time after the first packet (t0 + 1 s, t0 + 2 s, ...), before the first packet at or after
// it is counted, so each tick sees exactly the packets of the second before it, as the
// live control plane's one-second tick does during a replay at 1x. A tick at t0 (nothing
// counted yet) gives the sampler its baseline. Idle gaps in the capture are ticked through
// until every open alert has resolved, then skipped.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/security_config.h"
#include "detect/alert.h"
#include "securenet/parser.h"
#include "securenet/result.h"

namespace securenet::analyze {

// What the caller sees of each alert change: "open", "update" or "resolve".
using AlertEvent = std::function<void(const char* event, const control::Alert& a)>;

struct AnalyzeOptions {
  control::SecurityConfig config = control::SecurityConfig::defaults();
  ParseConfig parse{};
  uint64_t host_capacity = 65536;  // hosts in the table (rounded up to a power of two)
  bool every_update = false;       // report every tick's update, not only severity changes
};

struct AnalyzeSummary {
  uint64_t packets = 0, bytes = 0, parse_errors = 0, host_table_full = 0, ticks = 0;
  uint64_t first_ns = 0, last_ns = 0;
  double seconds = 0;                  // wall-clock time the analysis took
  std::vector<control::Alert> alerts;  // every alert, in its final state, in order of opening
};

class Analyzer {
 public:
  static Result<std::unique_ptr<Analyzer>> create(const AnalyzeOptions& opts, AlertEvent on_alert);
  ~Analyzer();
  // Counts every packet of `path` (pcap or pcapng), ticking as its timestamps pass.
  Status feed(const std::string& path);
  // Ticks until every alert has resolved (at most clear_hold_s + a few ticks), then sums up.
  AnalyzeSummary finish();

  struct Impl;

 private:
  explicit Analyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace securenet::analyze
