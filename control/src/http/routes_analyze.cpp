#include "http/routes_analyze.h"

#include "http/audit.h"
#include "http/target.h"
#include "securenet/common/json_writer.h"

namespace securenet::control {

namespace {

using verb = boost::beast::http::verb;
using Outcome = AnalysisResult::Outcome;

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kOk:
      return "ok";
    case Outcome::kBadCapture:
      return "not_a_capture";
    case Outcome::kTimeout:
      return "timeout";
    case Outcome::kBusy:
      return "busy";
    case Outcome::kStopped:
      return "stopped";
    case Outcome::kFailed:
      break;
  }
  return "failed";
}

Response answer(const AnalysisResult& res, const CaptureAnalysis& analysis) {
  switch (res.outcome) {
    case Outcome::kOk:
      return json_response(res.body);
    case Outcome::kBadCapture:
      return json_error(400, "not_a_capture", res.body);
    case Outcome::kTimeout:
      return json_error(504, "analysis_timeout", res.body);
    case Outcome::kBusy: {
      auto r = json_error(429, "busy", res.body);
      const auto s = analysis.options().timeout.count() / 1000;
      r.headers.emplace_back("Retry-After", std::to_string(s < 1 ? 1 : (s > 60 ? 60 : s)));
      return r;
    }
    case Outcome::kStopped:
      return json_error(503, "unavailable", res.body);
    case Outcome::kFailed:
      break;
  }
  return json_error(500, "analysis_failed", res.body);
}

}  // namespace

void register_analyze_routes(Router& r, CaptureAnalysis& analysis, const ConfigSnapshot& config,
                             EventSink& audit) {
  r.add(
      verb::post, "/api/analyze", Access::kAdmin,
      [&analysis, &config, &audit](const Request& req) {
        if (req.body.empty())
          return json_error(400, "empty_body", "the body is the capture file (pcap or pcapng)");
        const AnalysisResult res = analysis.run(req.body, config.json());
        if (res.outcome != Outcome::kBusy) {
          JsonWriter d;
          d.begin_object().field("outcome", outcome_name(res.outcome));
          d.field("file_bytes", static_cast<uint64_t>(req.body.size()));
          d.field("packets", res.packets).field("alerts", res.alerts);
          d.field("duration_ms", res.duration_ms).end_object();
          audit.on_audit(audit_event(req, "capture_analysed", d.take()));
        }
        return answer(res, analysis);
      },
      BodyType::kCapture);
}

bool is_analyze_request(const HttpIn& in) {
  if (in.method != verb::post) return false;
  auto n = normalize_target(in.target);  // the same normalization the dispatcher applies
  return n.target && n.target->path == "/api/analyze";
}

}  // namespace securenet::control
