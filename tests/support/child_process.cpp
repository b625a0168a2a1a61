#include "child_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

extern char** environ;

namespace securenet::test {
namespace {

// This process's environment with `extra` ("NAME=value") added or replacing.
std::vector<std::string> merged_env(const std::vector<std::string>& extra) {
  std::vector<std::string> out;
  auto name = [](const std::string& kv) { return kv.substr(0, kv.find('=')); };
  for (char** e = environ; *e; ++e) {
    const std::string kv(*e);
    bool replaced = false;
    for (const auto& x : extra) replaced |= name(x) == name(kv);
    if (!replaced) out.push_back(kv);
  }
  out.insert(out.end(), extra.begin(), extra.end());
  return out;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int decode(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st); }

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, std::string log)
    : ChildProcess(SpawnOptions{std::move(argv), std::move(log), {}, {}}) {}

ChildProcess::ChildProcess(SpawnOptions o) : log_(o.log) {
  if (o.argv.empty()) return;
  std::vector<std::string> env = merged_env(o.env);
  auto argv = c_strings(o.argv);
  auto envp = c_strings(env);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  const char* out = log_.empty() ? "/dev/null" : log_.c_str();
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  if (!o.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, o.cwd.c_str());
  started_ = posix_spawnp(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data()) == 0;
  if (!started_) pid_ = -1;
  posix_spawn_file_actions_destroy(&fa);
}

ChildProcess::~ChildProcess() {
  if (running()) stop();
}

bool ChildProcess::running() {
  if (pid_ <= 0) return false;
  int st = 0;
  const pid_t r = waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = decode(st);
    pid_ = -1;
    return false;
  }
  return r == 0;
}

int ChildProcess::wait(std::chrono::milliseconds limit) {
  if (!wait_until([&] { return !running(); }, limit, 10ms)) return -1;
  return status_;
}

int ChildProcess::stop(int sig, std::chrono::milliseconds grace) {
  if (!running()) return status_;
  if (sig != 0) ::kill(pid_, sig);
  if (wait(grace) != -1) return status_;
  ::kill(pid_, SIGKILL);
  int st = 0;
  waitpid(pid_, &st, 0);
  pid_ = -1;
  status_ = decode(st);
  return -1;
}

bool ChildProcess::wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  return wait_until([&] { return pred() || !running(); }, timeout) && pred();
}

std::string ChildProcess::log() const { return read_file(log_); }

std::string read_file(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

int sh(const std::string& cmd) {
  const int r = std::system((cmd + " >/dev/null 2>&1").c_str());
  return r == -1 ? -1 : WEXITSTATUS(r);
}

std::string sh_out(const std::string& cmd, int* status) {
  std::string out;
  int st = -1;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    const int r = pclose(p);
    st = r != -1 && WIFEXITED(r) ? WEXITSTATUS(r) : -1;
  }
  if (status) *status = st;
  return out;
}

}  // namespace securenet::test
