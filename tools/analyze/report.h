// securenet-analyze's output: one JSON line per alert event, a summary line (--json) or
// a summary table (the default and --summary).
#pragma once

#include <cstdio>
#include <string>

#include "analyzer.h"

namespace securenet::analyze {

// {"event":"open","alert":{...the API's alert object...}}
std::string event_line(const char* event, const control::Alert& a);
// {"event":"summary","packets":...,"alerts":N,...}
std::string summary_line(const AnalyzeSummary& s);
// The table: totals, then one row per alert (kind, severity, host, first/last seen in
// packet time, count, peak, how it ended).
void print_summary(const AnalyzeSummary& s, std::FILE* out);

}  // namespace securenet::analyze
