// POST /api/analyze's runner (issue 13 item 5): an uploaded capture is written to a private
// temporary file in the state dir (mode 0600, a unique name, removed afterwards) with the
// sensor's current config beside it, and the real `securenet-analyze --json --config F FILE`
// runs over it as a child process (child_run.h: a deadline, capped output, an empty
// environment). One analysis at a time: a second one meanwhile is refused (kBusy).
// Thread-safe; run() blocks its caller (the server's worker pool) for up to the timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace securenet::control {

struct AnalysisOptions {
  std::string tool;      // the securenet-analyze binary
  std::string work_dir;  // where the temporary files go (the state dir)
  size_t max_upload = 64u << 20;
  std::chrono::milliseconds timeout{60000};
  size_t max_output = 16u << 20;  // the tool's stdout
};

struct AnalysisResult {
  enum class Outcome { kOk, kBadCapture, kTimeout, kBusy, kFailed, kStopped };
  Outcome outcome = Outcome::kFailed;
  // kOk: {"alerts":[...],"summary":{...},"packets":N,"duration_ms":N,"file_bytes":N};
  // otherwise the reason (kBadCapture: the tool's own message).
  std::string body;
  uint64_t packets = 0, alerts = 0;
  int64_t duration_ms = 0;
};

// The tool's --json output -> the answer's JSON (alerts: each alert's last line, in the order
// they opened); nullopt-like empty string when the output is not what the tool prints.
std::string analysis_json(std::string_view tool_output, int64_t duration_ms, size_t file_bytes,
                          uint64_t& packets, uint64_t& alerts);

class CaptureAnalysis {
 public:
  explicit CaptureAnalysis(AnalysisOptions o) : o_(std::move(o)) {}
  AnalysisResult run(std::string_view capture, const std::string& config_json);
  const AnalysisOptions& options() const { return o_; }
  bool busy() const { return busy_.load(); }
  // Shutdown: a running analysis is killed (kStopped) and none starts any more.
  void stop() { stopping_.store(true); }

 private:
  AnalysisResult run_tool(std::string_view capture, const std::string& config_json);
  AnalysisOptions o_;
  std::atomic<bool> busy_{false};
  std::atomic<bool> stopping_{false};
};

// The securenet-analyze beside this executable (/proc/self/exe), else `fallback` (the build
// tree's, compiled in), else "".
std::string find_analyze_tool(const std::string& fallback);

}  // namespace securenet::control
