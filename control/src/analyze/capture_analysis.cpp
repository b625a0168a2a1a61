#include "analyze/capture_analysis.h"

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <unordered_map>
#include <vector>

#include "analyze/child_run.h"
#include "securenet/common/json_writer.h"

namespace securenet::control {

namespace {

namespace fs = std::filesystem;
using Outcome = AnalysisResult::Outcome;

// A private temporary file (mkstemps: 0600, O_EXCL, a unique name), removed when it goes.
class TempFile {
 public:
  TempFile(const std::string& dir, const std::string& suffix) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    std::string tmpl = dir + "/.analyze-XXXXXX" + suffix;
    fd_ = ::mkstemps(tmpl.data(), static_cast<int>(suffix.size()));
    if (fd_ >= 0) path_ = tmpl;
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  bool write_all(std::string_view data) {
    if (fd_ < 0) return false;
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    const bool ok = ::close(fd_) == 0;
    fd_ = -1;
    return ok;
  }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

// The tool's reason, without "securenet-analyze: " and with the temporary path named
// "the upload" (the state dir's path is not the client's business).
std::string tool_reason(std::string err, const std::string& path) {
  while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
  constexpr std::string_view kPrefix = "securenet-analyze: ";
  if (err.rfind(kPrefix, 0) == 0) err.erase(0, kPrefix.size());
  for (size_t at; !path.empty() && (at = err.find(path)) != std::string::npos;)
    err.replace(at, path.size(), "the upload");
  if (auto nl = err.find('\n'); nl != std::string::npos) err.resize(nl);
  return err.empty() ? "not a readable pcap or pcapng file" : err;
}

void write_summary(JsonWriter& w, simdjson::dom::object s) {
  w.begin_object();
  for (auto [k, v] : s) {
    if (k == "event") continue;
    w.key(k).raw(simdjson::minify(v));
  }
  w.end_object();
}

}  // namespace

std::string analysis_json(std::string_view tool_output, int64_t duration_ms, size_t file_bytes,
                          uint64_t& packets, uint64_t& alerts) {
  simdjson::dom::parser parser;
  std::vector<std::string> order;                     // alert ids, as they first appear
  std::unordered_map<std::string, std::string> last;  // id -> its last alert object
  std::string summary;
  packets = alerts = 0;
  while (!tool_output.empty()) {
    const size_t nl = tool_output.find('\n');
    const std::string_view line = tool_output.substr(0, nl);
    tool_output.remove_prefix(nl == std::string_view::npos ? tool_output.size() : nl + 1);
    if (line.empty()) continue;
    simdjson::dom::object o;
    if (parser.parse(line.data(), line.size()).get(o) != simdjson::SUCCESS) return {};
    std::string_view event;
    if (o["event"].get(event) != simdjson::SUCCESS) return {};
    if (event == "summary") {
      JsonWriter w;
      write_summary(w, o);
      summary = w.take();
      if (o["packets"].get(packets) != simdjson::SUCCESS) return {};
      continue;
    }
    simdjson::dom::object a;
    std::string_view id;
    if (o["alert"].get(a) != simdjson::SUCCESS || a["id"].get(id) != simdjson::SUCCESS) return {};
    auto [it, fresh] = last.try_emplace(std::string(id));
    if (fresh) order.push_back(it->first);
    it->second = simdjson::minify(a);
  }
  if (summary.empty()) return {};
  alerts = order.size();
  JsonWriter w;
  w.begin_object().key("alerts").begin_array();
  for (const auto& id : order) w.raw(last[id]);
  w.end_array().key("summary").raw(summary);
  w.field("packets", packets).field("duration_ms", duration_ms);
  w.field("file_bytes", static_cast<uint64_t>(file_bytes)).end_object();
  return w.take();
}

AnalysisResult CaptureAnalysis::run(std::string_view capture, const std::string& config_json) {
  if (busy_.exchange(true)) {
    AnalysisResult r;
    r.outcome = Outcome::kBusy;
    r.body = "another capture is being analysed; try again when it is done";
    return r;
  }
  AnalysisResult r;
  if (stopping_.load()) {
    r.outcome = Outcome::kStopped;
    r.body = "the sensor is shutting down";
  } else {
    r = run_tool(capture, config_json);
  }
  busy_.store(false);
  return r;
}

AnalysisResult CaptureAnalysis::run_tool(std::string_view capture, const std::string& config_json) {
  AnalysisResult r;
  if (o_.tool.empty() || ::access(o_.tool.c_str(), X_OK) != 0) {
    r.body = "securenet-analyze is not installed beside securenet-control (--analyze-bin)";
    return r;
  }
  TempFile file(o_.work_dir, ".pcap"), config(o_.work_dir, ".json");
  if (!file.write_all(capture) || !config.write_all(config_json)) {
    r.body = "cannot write the upload to a temporary file in the state dir";
    return r;
  }
  ChildLimits lim;
  lim.timeout = o_.timeout;
  lim.max_stdout = o_.max_output;
  lim.cancel = &stopping_;
  auto out = run_child({o_.tool, "--json", "--config", config.path(), "--", file.path()}, lim);
  if (!out) {
    r.body = out.error().message;
    return r;
  }
  r.duration_ms = out->elapsed.count();
  if (out->cancelled) {
    r.outcome = Outcome::kStopped;
    r.body = "the sensor is shutting down";
    return r;
  }
  if (out->timed_out) {
    r.outcome = Outcome::kTimeout;
    r.body = "the analysis took longer than " + std::to_string(o_.timeout.count() / 1000) + " s";
    return r;
  }
  if (out->stdout_capped) {
    r.body = "the analysis printed more than " + std::to_string(o_.max_output) + " bytes";
    return r;
  }
  if (out->exit_code == 1) {  // an unreadable file (the config is ours and valid)
    r.outcome = Outcome::kBadCapture;
    r.body = tool_reason(out->err, file.path());
    return r;
  }
  if (out->exit_code != 0) {
    r.body = "securenet-analyze failed (exit " + std::to_string(out->exit_code) +
             "): " + tool_reason(out->err, file.path());
    return r;
  }
  r.body = analysis_json(out->out, r.duration_ms, capture.size(), r.packets, r.alerts);
  if (r.body.empty()) {
    r.body = "securenet-analyze's output was not understood";
    return r;
  }
  r.outcome = Outcome::kOk;
  return r;
}

std::string find_analyze_tool(const std::string& fallback) {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const fs::path beside = self.parent_path() / "securenet-analyze";
    if (::access(beside.c_str(), X_OK) == 0) return beside.string();
  }
  if (!fallback.empty() && ::access(fallback.c_str(), X_OK) == 0) return fallback;
  return {};
}

}  // namespace securenet::control
