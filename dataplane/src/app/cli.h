// securenet-dataplane's command line.
#pragma once

#include <string>
#include <vector>

#include "pipeline/dedupe.h"
#include "securenet/parser.h"
#include "securenet/result.h"
#include "securenet/source.h"
#include "segment/writer.h"

namespace securenet {

inline constexpr uint64_t kDefaultBufferMs = 50;
inline constexpr uint64_t kDefaultExpectedPps = 2'000'000;

struct DataplaneOptions {
  SourceOptions source;
  SegmentOptions segment;
  std::vector<int> cpus;   // worker i pinned to cpus[i % size] (empty = unpinned)
  ParseConfig parse;       // --decap, --vxlan-ports
  uint64_t dedupe_us = 0;  // --dedupe-us (0 = off)
  uint32_t burst = 32;     // DPDK's usual burst; measured faster than 64 here (bench/linerate)
  bool stats = false;      // print a summary at the end
  std::string stats_json;  // write the summary as JSON to this file
  unsigned top = 10;       // hosts in the summary
  bool help = false;
  bool speed_given = false;                     // --speed (only with --timing recorded)
  uint64_t buffer_ms = kDefaultBufferMs;        // afxdp ring sizing (--buffer-ms)
  uint64_t expected_pps = kDefaultExpectedPps;  // per queue (--expected-pps)
  int sched_fifo = 0;                           // --sched-fifo PRIO (0 = normal scheduling)
};

// Parses argv. An Error means a usage problem (exit code 2).
Result<DataplaneOptions> parse_cli(int argc, char** argv);
const char* usage_text();

}  // namespace securenet
