#include "block/bgp_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>

namespace securenet::control {

std::string prefix_text(const BlockRule& r) {
  return r.ip + "/" + std::to_string(r.prefix_len ? r.prefix_len : r.v6 ? 128 : 32);
}

namespace {

std::vector<std::string> base(const BlockConfig& c) {
  return {c.gobgp, "-u", c.grpc_host, "-p", std::to_string(c.grpc_port), "global", "rib"};
}

std::string prefix(const BlockRule& r) { return prefix_text(r); }

void flowspec_match(std::vector<std::string>& a, const BlockRule& r) {
  a.insert(a.end(), {"match", r.match_source ? "source" : "destination", prefix(r)});
  if (!r.protocol.empty()) a.insert(a.end(), {"protocol", r.protocol});
  if (r.source_port >= 0) a.insert(a.end(), {"source-port", "==" + std::to_string(r.source_port)});
}

std::string rate_text(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", bytes);
  return buf;
}

}  // namespace

std::vector<std::string> announce_argv(const BlockConfig& c, const BlockRule& r) {
  auto a = base(c);
  if (r.mode == BlockMode::kFlowspec) {
    a.insert(a.end(), {"-a", r.v6 ? "ipv6-flowspec" : "ipv4-flowspec", "add"});
    flowspec_match(a, r);
    a.push_back("then");
    if (r.rate_bytes > 0)
      a.insert(a.end(), {"rate-limit", rate_text(r.rate_bytes)});
    else
      a.push_back("discard");
    return a;
  }
  a.insert(a.end(), {"add", "-a", r.v6 ? "ipv6" : "ipv4", prefix(r)});
  const std::string& nh = r.v6 ? c.next_hop_v6 : c.next_hop_v4;
  if (!nh.empty()) a.insert(a.end(), {"nexthop", nh});
  std::string coms = "65535:666";  // BLACKHOLE, RFC 7999
  for (uint32_t x : c.communities)
    if (x != 0xffff029a) coms += "," + community_text(x);
  a.insert(a.end(), {"community", coms});
  return a;
}

std::vector<std::string> withdraw_argv(const BlockConfig& c, const BlockRule& r) {
  auto a = base(c);
  if (r.mode == BlockMode::kFlowspec) {
    a.insert(a.end(), {"-a", r.v6 ? "ipv6-flowspec" : "ipv4-flowspec", "del"});
    flowspec_match(a, r);
    return a;
  }
  a.insert(a.end(), {"del", "-a", r.v6 ? "ipv6" : "ipv4", prefix(r)});
  return a;
}

CommandResult run_command(const std::vector<std::string>& argv, unsigned timeout_ms) {
  CommandResult res;
  if (argv.empty()) return res;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    res.output = "pipe failed";
    return res;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
  posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
  std::vector<char*> args;
  for (const auto& s : argv) args.push_back(const_cast<char*>(s.c_str()));
  args.push_back(nullptr);
  char path_env[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
  char* envp[] = {path_env, nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0].c_str(), &fa, nullptr, args.data(), envp);
  posix_spawn_file_actions_destroy(&fa);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    res.output = "cannot run " + argv[0];
    return res;
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool timed_out = false;
  char buf[1024];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    until - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{fds[0], POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child closed its output (exited)
    if (res.output.size() < 4096)
      res.output.append(buf, std::min<size_t>(n, 4096 - res.output.size()));
  }
  ::close(fds[0]);
  if (timed_out) ::kill(pid, SIGKILL);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    res.output += "\n(timed out after " + std::to_string(timeout_ms) + " ms)";
    return res;
  }
  res.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return res;
}

BgpRunner::BgpRunner(boost::asio::io_context& ioc, unsigned timeout_ms)
    : ioc_(ioc), timeout_ms_(timeout_ms), thread_([this] { loop(); }) {}

BgpRunner::~BgpRunner() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void BgpRunner::submit(std::vector<std::string> argv, Done done) {
  {
    std::lock_guard lk(mu_);
    queue_.emplace_back(std::move(argv), std::move(done));
  }
  cv_.notify_all();
}

void BgpRunner::loop() {
  for (;;) {
    std::pair<std::vector<std::string>, Done> job;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    CommandResult r = run_command(job.first, timeout_ms_);
    if (job.second) boost::asio::post(ioc_, [done = std::move(job.second), r] { done(r); });
  }
}

}  // namespace securenet::control
