// Helpers of the fault tests, which restart, kill -9 and corrupt the real securenet-control
// (and securenet-dataplane) over one state dir (sensor_dir.h; processes: tests/support).
#pragma once

#include <string>

#include "child_process.h"
#include "control_launcher.h"
#include "http_fixture.h"
#include "sensor_dir.h"

namespace sn_test {

namespace fs = std::filesystem;
using securenet::test::ChildProcess;
using securenet::test::ControlProcess;
using securenet::test::read_file;

inline std::string json_str(simdjson::dom::element e) {
  std::string_view s;
  return e.get_string().get(s) == simdjson::SUCCESS ? std::string(s) : std::string();
}

// GET that answers status 0 instead of throwing while nothing listens (a restart window).
inline HttpResult try_get(uint16_t port, const std::string& target, const std::string& token = "") {
  try {
    return get(port, target, token);
  } catch (const std::exception&) {
    return HttpResult{};
  }
}

// securenet-control over `s` with the fault tests' settings (200 ms ticks, a metrics row
// every tick, `db` if given); `run` numbers the log files so every start's log stays.
inline securenet::test::ControlOptions fault_control(const SensorDir& s, const std::string& db) {
  auto o = s.control();
  o.metrics_every = 1;
  o.db = db;
  return o;
}
inline std::string run_log(const SensorDir& s, int run) {
  return (s.dir / ("control-" + std::to_string(run) + ".log")).string();
}

}  // namespace sn_test
