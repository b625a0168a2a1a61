// A child process for the control-plane tests: posix_spawn with stdout+stderr to a log
// file, SIGTERM on stop or destruction, exit status from waitpid.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

extern char** environ;

namespace sn_test {

class Child {
 public:
  Child(std::vector<std::string> args, const std::string& log) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() { stop(); }

  bool running() {
    if (pid_ <= 0) return false;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      status_ = st;
      pid_ = -1;
      return false;
    }
    return true;
  }
  // Waits for the exit; returns the raw waitpid status (0 = exited with 0).
  int wait() {
    if (pid_ > 0) {
      waitpid(pid_, &status_, 0);
      pid_ = -1;
    }
    return status_;
  }
  // SIGKILL (a crash), then wait; returns the status.
  int kill9() {
    if (pid_ > 0) kill(pid_, SIGKILL);
    return wait();
  }
  pid_t pid() const { return pid_; }
  // SIGTERM, then wait; returns the status.
  int stop() {
    if (pid_ > 0) kill(pid_, SIGTERM);
    return wait();
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

}  // namespace sn_test
