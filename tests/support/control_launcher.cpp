#include "control_launcher.h"

#include <fstream>

namespace securenet::test {

std::vector<std::string> control_argv(const ControlOptions& o) {
  const std::string dir = o.state_dir.string();
  std::vector<std::string> a{o.binary,
                             "--instance",
                             o.instance,
                             "--listen",
                             "127.0.0.1:0",
                             "--port-file",
                             (o.state_dir / "port").string(),
                             "--state-dir",
                             dir,
                             "--jwt-secret-file",
                             (o.state_dir / "jwt-secret").string(),
                             "--web-root",
                             dir,
                             "--tick-ms",
                             std::to_string(o.tick_ms)};
  if (o.metrics_every > 0) a.insert(a.end(), {"--metrics-every", std::to_string(o.metrics_every)});
  if (!o.db.empty()) a.insert(a.end(), {"--db", o.db});
  if (!o.owner_email.empty()) a.insert(a.end(), {"--owner-email", o.owner_email});
  a.insert(a.end(), o.extra.begin(), o.extra.end());
  return a;
}

namespace {
std::filesystem::path removed(const std::filesystem::path& p) {
  std::error_code ec;
  std::filesystem::remove(p, ec);
  return p;
}
}  // namespace

ControlProcess::ControlProcess(const ControlOptions& o, const std::string& log)
    : port_file_(removed(o.state_dir / "port")), child_(control_argv(o), log) {}

uint16_t ControlProcess::wait_port(std::chrono::milliseconds timeout) {
  child_.wait_for(
      [&] {
        std::ifstream in(port_file_);
        return static_cast<bool>(in >> port_) && port_ != 0;
      },
      timeout);
  return port_;
}

}  // namespace securenet::test
