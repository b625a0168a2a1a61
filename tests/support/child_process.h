// The one child-process harness of the tests: spawn a program (argv, extra environment,
// working directory) with stdout+stderr in a log file, wait for a condition or the exit with
// a deadline, stop it with a signal and then SIGKILL. Also the shell helpers (sh, sh_out).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace securenet::test {

using namespace std::chrono_literals;

// Polls `pred` every `poll` until it is true or `timeout` has passed; the last word is a
// final check, so a condition met just at the deadline still counts.
template <class Pred>
bool wait_until(Pred&& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds poll = 20ms) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(poll);
  }
  return pred();
}

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is a path, or a name looked up in PATH
  std::string log;                // stdout and stderr (truncated); empty: /dev/null
  std::vector<std::string> env;   // "NAME=value", added to (or replacing) this process's
  std::string cwd;                // empty: this process's
};

// Exit statuses as a shell reports them: the exit code, or 128 + the signal that ended it;
// -1 for a child that never started, or is still running when a wait's deadline passes.
class ChildProcess {
 public:
  explicit ChildProcess(SpawnOptions opts);
  ChildProcess(std::vector<std::string> argv, std::string log);
  ~ChildProcess();  // stop(): SIGTERM, SIGKILL after 30 s
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return started_; }
  pid_t pid() const { return pid_; }
  bool running();  // reaps the child if it has exited
  // The exit status, waiting up to `limit` (-1 if it still runs then; it is left running).
  int wait(std::chrono::milliseconds limit = 10min);
  // Sends `sig` (0: none, just wait) and waits up to `grace`; a child still running then is
  // killed (SIGKILL), reaped, and -1 returned.
  int stop(int sig = SIGTERM, std::chrono::milliseconds grace = 30s);
  // Polls `pred` until it is true (true), the deadline passes or the child has exited
  // (false, after one last check of `pred`).
  bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout);
  const std::string& log_path() const { return log_; }
  std::string log() const;  // the log file's text so far

 private:
  pid_t pid_ = -1;
  bool started_ = false;
  int status_ = -1;
  std::string log_;
};

// The whole content of a file ("" if it cannot be read).
std::string read_file(const std::string& path);
// Runs a shell command with its output discarded; its exit status (-1 if it could not run).
int sh(const std::string& cmd);
// Runs a shell command and returns its standard output; its exit status in `*status` if
// given (-1 if it could not run or was killed).
std::string sh_out(const std::string& cmd, int* status = nullptr);

}  // namespace securenet::test
