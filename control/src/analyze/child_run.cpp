#include "analyze/child_run.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "securenet/common/fd.h"

namespace securenet::control {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  Fd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return make_error(std::string("pipe: ") + std::strerror(errno));
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

// Starts argv[0] with stdin /dev/null, stdout/stderr the pipes' write ends, no other
// descriptor of ours (closefrom 3) and an empty environment.
Result<pid_t> spawn(const std::vector<std::string>& argv, int out, int err) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_adddup2(&fa, err, 2);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  char* env[] = {nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, args[0], &fa, nullptr, args.data(), env);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return make_error("cannot start " + argv[0] + ": " + std::strerror(rc), rc);
  return pid;
}

// Appends what is readable; false at end of file (or an error).
bool drain(int fd, std::string& into, size_t cap, bool& capped) {
  char buf[65536];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
  if (n <= 0) return false;
  const size_t room = into.size() < cap ? cap - into.size() : 0;
  into.append(buf, std::min(room, static_cast<size_t>(n)));
  if (static_cast<size_t>(n) > room) capped = true;
  return true;
}

int reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

Result<ChildOutput> run_child(const std::vector<std::string>& argv, const ChildLimits& limits) {
  if (argv.empty()) return make_error("no program to run");
  auto out = make_pipe();
  if (!out) return out.error();
  auto err = make_pipe();
  if (!err) return err.error();
  const auto start = Clock::now();
  auto pid = spawn(argv, out->write.get(), err->write.get());
  if (!pid) return pid.error();
  out->write.reset();
  err->write.reset();
  ChildOutput r;
  bool out_open = true, err_open = true, err_capped = false;
  const auto deadline = start + limits.timeout;
  while ((out_open || err_open) && !r.stdout_capped) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      r.timed_out = true;
      break;
    }
    if (limits.cancel && limits.cancel->load()) {
      r.cancelled = true;
      break;
    }
    pollfd p[2] = {{out_open ? out->read.get() : -1, POLLIN, 0},
                   {err_open ? err->read.get() : -1, POLLIN, 0}};
    const int n = ::poll(p, 2, static_cast<int>(std::min<int64_t>(left.count(), 200)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (p[0].revents) out_open = drain(p[0].fd, r.out, limits.max_stdout, r.stdout_capped);
    if (p[1].revents) err_open = drain(p[1].fd, r.err, limits.max_stderr, err_capped);
  }
  if (r.timed_out || r.stdout_capped || r.cancelled) ::kill(*pid, SIGKILL);
  r.exit_code = reap(*pid);
  r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return r;
}

}  // namespace securenet::control
