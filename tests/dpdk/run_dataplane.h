// Runs the real securenet-dataplane as a child process and reads its segment.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "securenet/shm_reader.h"

extern char** environ;

namespace securenet::test {

// A child process, killed and reaped on destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_path) {
    std::vector<char*> a;
    for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    if (posix_spawnp(&pid_, a[0], &fa, nullptr, a.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool started() const { return pid_ > 0; }
  bool running() {
    if (pid_ <= 0) return false;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      status_ = st;
      return false;
    }
    return true;
  }
  // SIGINT, then waits up to `patience`; returns the exit status (-1 if it had to be killed).
  int stop(std::chrono::milliseconds patience = std::chrono::seconds(10)) {
    if (!running()) return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    kill(pid_, SIGINT);
    const auto end = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < end) {
      if (!running()) return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
};

inline std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Polls `pred` every 20 ms until it is true or `timeout` passes.
inline bool wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

// Opens securenet-<instance> once the dataplane has marked it ready.
inline Result<ShmReader> open_ready_segment(const std::string& instance, Child& child,
                                            std::chrono::milliseconds timeout) {
  Result<ShmReader> r = make_error("segment securenet-" + instance + " never became ready");
  wait_for(
      [&] {
        if (!child.running()) return true;
        auto o = ShmReader::open("securenet-" + instance);
        if (o && shm::read(o->header().ready) == 1) {
          r = std::move(o);
          return true;
        }
        return false;
      },
      timeout);
  return r;
}

// Removes /dev/shm/securenet-<instance> on scope exit (the tests run with --keep-shm).
struct ShmCleanup {
  std::string instance;
  ~ShmCleanup() { shm_unlink(("/securenet-" + instance).c_str()); }
};

}  // namespace securenet::test
