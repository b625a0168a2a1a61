// Test environment for live-capture integration tests: a network namespace holding the
// generator end of a veth pair, the capture end in the test's own namespace, and helpers
// to run the real securenet-dataplane and securenet-gen. Every name includes the pid.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace securenet::netns_test {

// Runs a shell command; returns its exit status (-1 if it could not run).
int sh(const std::string& cmd);
// Runs a shell command and returns its standard output.
std::string sh_out(const std::string& cmd);

// A veth pair: `capture` in this namespace, `gen` inside namespace `ns`. Both ends up,
// IPv6 disabled (no DAD, router solicitations or MLD) and no IPv4 address (no ARP), so
// the kernel itself sends nothing on the pair. Removed by the destructor.
class VethPair {
 public:
  explicit VethPair(const std::string& tag, unsigned queues = 1);
  ~VethPair();
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::string ns, capture, gen;

 private:
  std::string error_;
};

// A child process with stdout+stderr captured in a file.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log_path);
  ~Child();  // SIGKILL if still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  bool running();
  // Sends `sig` and waits up to timeout_ms; returns the exit status, or -1 on timeout.
  int stop(int sig, int timeout_ms);
  std::string log() const;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
  std::string log_path_;
};

}  // namespace securenet::netns_test
