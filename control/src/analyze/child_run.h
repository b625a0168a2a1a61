// Runs a program to completion with a wall-clock deadline and capped output: its stdout and
// stderr are read through pipes (poll), it gets an empty environment and no descriptor of
// ours but the pipes and /dev/null as stdin, and it is killed (SIGKILL) at the deadline or
// when stdout grows past the cap. Blocks the calling thread: call it from a worker thread,
// never from the control thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "securenet/result.h"

namespace securenet::control {

struct ChildLimits {
  std::chrono::milliseconds timeout{60000};
  size_t max_stdout = 16u << 20;
  size_t max_stderr = 64u << 10;              // beyond it stderr is cut, the child goes on
  const std::atomic<bool>* cancel = nullptr;  // when it turns true: killed (shutdown)
};

struct ChildOutput {
  int exit_code = -1;  // when it exited (-1: killed by a signal)
  bool timed_out = false;
  bool stdout_capped = false;  // killed because stdout passed max_stdout
  bool cancelled = false;      // killed because *cancel turned true
  std::string out, err;
  std::chrono::milliseconds elapsed{0};
};

// An Error when the program could not be started.
Result<ChildOutput> run_child(const std::vector<std::string>& argv, const ChildLimits& limits);

}  // namespace securenet::control
