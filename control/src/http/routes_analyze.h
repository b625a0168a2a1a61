// POST /api/analyze (admin; API.md "Offline analysis"): the body is a pcap or pcapng file,
// analysed by the real securenet-analyze with the sensor's current config
// (analyze/capture_analysis.h). It runs on the server's worker pool (is_analyze_request:
// the server offloads it and allows it the upload limit), so the control thread keeps
// serving meanwhile. Each analysis is audited as `capture_analysed`.
#pragma once

#include "analyze/capture_analysis.h"
#include "analyze/config_snapshot.h"
#include "http/dispatch.h"
#include "http/router.h"
#include "persist/event_sink.h"

namespace securenet::control {

void register_analyze_routes(Router& r, CaptureAnalysis& analysis, const ConfigSnapshot& config,
                             EventSink& audit);

// True for POST /api/analyze (after the dispatcher's normalization).
bool is_analyze_request(const HttpIn& in);

}  // namespace securenet::control
