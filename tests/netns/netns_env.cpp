#include "netns_env.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace securenet::netns_test {

int sh(const std::string& cmd) {
  int r = std::system((cmd + " >/dev/null 2>&1").c_str());
  return r == -1 ? -1 : WEXITSTATUS(r);
}

std::string sh_out(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
  }
  return out;
}

VethPair::VethPair(const std::string& tag, unsigned queues) {
  const std::string id = std::to_string(getpid());
  ns = "sn" + tag + id;
  capture = "snc" + tag + id;
  gen = "sng" + tag + id;
  if (capture.size() > 15) {
    error_ = "interface name too long";
    return;
  }
  const std::string n = std::to_string(queues);
  const std::string q = " numtxqueues " + n + " numrxqueues " + n;
  const std::string steps[] = {
      "ip netns add " + ns,
      "ip link add " + capture + q + " type veth peer name " + gen + q + " netns " + ns,
      "sysctl -qw net.ipv6.conf." + capture + ".disable_ipv6=1",
      "ip netns exec " + ns + " sysctl -qw net.ipv6.conf." + gen + ".disable_ipv6=1",
      "ip link set dev " + capture + " up",
      "ip -n " + ns + " link set dev " + gen + " up",
  };
  for (const std::string& s : steps) {
    if (sh(s) != 0) {
      error_ = "`" + s + "` failed";
      return;
    }
  }
}

VethPair::~VethPair() {
  sh("ip link del " + capture);  // removes both ends
  sh("ip netns del " + ns);
}

Child::Child(const std::vector<std::string>& argv, const std::string& log_path)
    : log_path_(log_path) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
}

Child::~Child() {
  if (running()) stop(SIGKILL, 2000);
}

bool Child::running() {
  if (pid_ <= 0) return false;
  int st = 0;
  pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    pid_ = -1;
    return false;
  }
  return r == 0;
}

int Child::stop(int sig, int timeout_ms) {
  if (pid_ > 0) kill(pid_, sig);
  for (int waited = 0; waited <= timeout_ms; waited += 10) {
    if (!running()) return status_;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string Child::log() const {
  std::ifstream f(log_path_);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace securenet::netns_test
