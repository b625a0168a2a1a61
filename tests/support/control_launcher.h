// The one way tests start the real securenet-control: the argument list of a control plane
// over a state dir (jwt-secret and port file in it) and the process that waits for its port.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"

namespace securenet::test {

struct ControlOptions {
  std::string binary;  // the securenet-control to run (the test's CONTROL_BIN)
  std::string instance;
  // --state-dir and --web-root; holds `jwt-secret` (the test writes it) and the port file.
  std::filesystem::path state_dir;
  int tick_ms = 200;
  int metrics_every = 0;    // --metrics-every when > 0
  std::string db;           // --db when not empty
  std::string owner_email;  // --owner-email when not empty
  std::vector<std::string> extra;
};

// The argument list (argv[0] = binary) listening on an ephemeral loopback port written to
// <state_dir>/port.
std::vector<std::string> control_argv(const ControlOptions& o);

class ControlProcess {
 public:
  // Removes a port file left by an earlier run, then starts the control plane.
  ControlProcess(const ControlOptions& o, const std::string& log);
  // Waits for the port file (generous: a loaded machine starts slowly); 0 if the control
  // plane exited first or the deadline passed.
  uint16_t wait_port(std::chrono::milliseconds timeout = 60s);
  uint16_t port() const { return port_; }
  // SIGTERM (it flushes what it has queued), SIGKILL after a minute; the exit status.
  int stop() { return child_.stop(SIGTERM, 60s); }
  int wait() { return child_.wait(); }
  bool running() { return child_.running(); }
  std::string log() const { return child_.log(); }

 private:
  std::filesystem::path port_file_;
  uint16_t port_ = 0;
  ChildProcess child_;
};

}  // namespace securenet::test
