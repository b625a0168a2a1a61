// The end-of-run summary of securenet-dataplane (--stats / --stats-json), read back from
// the segment through ShmReader exactly as the control plane would see it.
#pragma once

#include <cstdio>
#include <string>

#include "securenet/shm_reader.h"

namespace securenet {

struct ReportOptions {
  unsigned top = 10;     // hosts listed, by packets sent + received
  double elapsed_s = 0;  // wall time of the run (for rates; 0 = omit)
};

void print_report(const ShmReader& r, const ReportOptions& o, std::FILE* out);
std::string report_json(const ShmReader& r, const ReportOptions& o);

}  // namespace securenet
