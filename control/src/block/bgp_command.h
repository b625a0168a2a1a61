// The gobgp command lines of an announcement and its withdrawal (pure, unit-tested), and
// BgpRunner: one worker thread that runs them (posix_spawn, no shell, a deadline, output
// capped) so the control thread never waits on the speaker; results come back as handlers
// posted to the io_context.
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "block/block_config.h"

namespace securenet::control {

// What one block announces. ip is canonical address text (a prefix's network address).
struct BlockRule {
  std::string ip;
  bool v6 = false;
  unsigned prefix_len = 0;  // 0: the host (/32 or /128); else a manual prefix block's length
  BlockMode mode = BlockMode::kBlackhole;
  bool match_source = false;  // FlowSpec: the attacker's traffic (source), else the victim's
  std::string protocol;       // FlowSpec: "", "tcp", "udp" or "icmp"
  int source_port = -1;       // FlowSpec: -1 = any
  double rate_bytes = 0;      // FlowSpec: 0 = discard
};

std::string prefix_text(const BlockRule& r);  // "203.0.113.7/32", "2001:db8::/48"
std::vector<std::string> announce_argv(const BlockConfig& c, const BlockRule& r);
std::vector<std::string> withdraw_argv(const BlockConfig& c, const BlockRule& r);

struct CommandResult {
  int status = -1;     // exit code; -1: could not start or timed out
  std::string output;  // stdout+stderr, at most 4 KiB
  bool ok() const { return status == 0; }
};
// Runs argv[0] (an absolute path) with a minimal environment; kills it after timeout_ms.
CommandResult run_command(const std::vector<std::string>& argv, unsigned timeout_ms);

class BgpRunner {
 public:
  using Done = std::function<void(const CommandResult&)>;
  BgpRunner(boost::asio::io_context& ioc, unsigned timeout_ms);
  ~BgpRunner();  // finishes the queued commands, then joins
  // Runs argv in order with the others; `done` is posted to the io_context.
  void submit(std::vector<std::string> argv, Done done);

 private:
  void loop();
  boost::asio::io_context& ioc_;
  unsigned timeout_ms_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::vector<std::string>, Done>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace securenet::control
