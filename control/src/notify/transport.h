// The three ways a notification leaves the sensor, each one attempt with a deadline, run on a
// channel's own delivery thread (never the control thread): an HTTP POST (Beast), a syslog
// line over UDP or TCP (RFC 6587 octet counting; the connection kept between messages) and a
// program run without a shell (killed, with its process group, at the deadline).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "notify/notify_config.h"

namespace securenet::control {

struct Attempt {
  bool ok = false;
  std::string detail;  // "HTTP 204", "connect: Connection refused", "exit 3", ...
};

// `abort` (may be null) ends an attempt under way early (shutdown): checked every 50 ms.
using Abort = const std::atomic<bool>*;

using Headers = std::vector<std::pair<std::string, std::string>>;
// https: verified against the system's CAs, or ca_file when not empty, and the URL's host.
Attempt http_post(const HttpUrl& url, const std::string& body, const Headers& headers,
                  const std::string& ca_file, std::chrono::milliseconds timeout,
                  Abort abort = nullptr);

class SyslogSender {
 public:
  explicit SyslogSender(const ChannelConfig& c);
  ~SyslogSender();
  Attempt send(const std::string& line, std::chrono::milliseconds timeout, Abort abort = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// argv[0] = program; env replaces the environment (the sensor's own, with its secrets, is not
// passed on); stdin_data is written to the program's standard input, then closed.
Attempt run_program(const std::string& program, const std::vector<std::string>& args,
                    const std::vector<std::string>& env, const std::string& stdin_data,
                    std::chrono::milliseconds timeout, Abort abort = nullptr);

}  // namespace securenet::control
