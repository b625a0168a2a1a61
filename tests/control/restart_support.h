// The real securenet-control (and securenet-dataplane) as child processes that keep one
// state dir across restarts: the fault tests restart, kill -9 and corrupt them.
#pragma once

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "http_fixture.h"

namespace sn_test {

namespace fs = std::filesystem;

inline std::string json_str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

// GET that answers status 0 instead of throwing while nothing listens (a restart window).
inline HttpResult try_get(uint16_t port, const std::string& target, const std::string& token = "") {
  try {
    return get(port, target, token);
  } catch (const std::exception&) {
    return HttpResult{};
  }
}

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// One sensor's state dir (removed by the destructor) and instance name.
struct SensorDir {
  explicit SensorDir(const std::string& name)
      : instance(name + "-" + std::to_string(::getpid())),
        dir(fs::temp_directory_path() / instance) {
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir / "jwt-secret") << kSecret << "\n";
  }
  ~SensorDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string token() const {
    securenet::auth::MintOptions m;
    m.sub = kUser;
    m.app_role = "admin";  // these tests change the config
    return securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)));
  }
  std::string instance;
  fs::path dir;
};

// securenet-control over a SensorDir; `run` numbers the log files so every start's log stays.
class ControlProc {
 public:
  ControlProc(const SensorDir& s, const std::string& db_url, int run,
              std::vector<std::string> extra = {})
      : dir_(s.dir) {
    fs::remove(dir_ / "port");
    log_ = dir_ / ("control-" + std::to_string(run) + ".log");
    std::vector<std::string> args{CONTROL_BIN,
                                  "--instance",
                                  s.instance,
                                  "--listen",
                                  "127.0.0.1:0",
                                  "--port-file",
                                  (dir_ / "port").string(),
                                  "--state-dir",
                                  dir_.string(),
                                  "--jwt-secret-file",
                                  (dir_ / "jwt-secret").string(),
                                  "--web-root",
                                  dir_.string(),
                                  "--tick-ms",
                                  "200",
                                  "--metrics-every",
                                  "1"};
    if (!db_url.empty()) args.insert(args.end(), {"--db", db_url});
    args.insert(args.end(), extra.begin(), extra.end());
    child_.emplace(std::move(args), log_.string());
  }
  // Waits for the port file (generous: a loaded machine starts slowly); 0 if it exited.
  uint16_t wait_port(int timeout_ms = 60000) {
    eventually(
        [&] {
          std::ifstream in(dir_ / "port");
          return (in >> port_ && port_ != 0) || !child_->running();
        },
        timeout_ms);
    return port_;
  }
  uint16_t port() const { return port_; }
  int stop() { return child_->stop(); }
  int wait() { return child_->wait(); }
  bool running() { return child_->running(); }
  std::string log() const { return read_text(log_); }

 private:
  fs::path dir_, log_;
  uint16_t port_ = 0;
  std::optional<Child> child_;
};

}  // namespace sn_test
