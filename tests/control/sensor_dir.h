// One sensor's state dir for the tests that run the real securenet-control (removed by the
// destructor): its jwt-secret (the fixtures' kSecret), its instance name, and the launcher
// options of a control plane over it.
#pragma once

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

#include "auth/jwt.h"
#include "control_launcher.h"
#include "http_fixture.h"

namespace sn_test {

struct SensorDir {
  explicit SensorDir(const std::string& name)
      : instance(name + "-" + std::to_string(::getpid())),
        dir(std::filesystem::temp_directory_path() / instance) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "jwt-secret") << kSecret << "\n";
  }
  ~SensorDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  SensorDir(const SensorDir&) = delete;
  SensorDir& operator=(const SensorDir&) = delete;

  // securenet-control (CONTROL_BIN) over this dir; the test sets the rest.
  securenet::test::ControlOptions control() const {
    securenet::test::ControlOptions o;
    o.binary = CONTROL_BIN;
    o.instance = instance;
    o.state_dir = dir;
    return o;
  }
  // An admin's token for kUser (these tests change the config).
  std::string token() const {
    securenet::auth::MintOptions m;
    m.sub = kUser;
    m.app_role = "admin";
    return securenet::auth::mint_hs256(kSecret, m, static_cast<int64_t>(std::time(nullptr)));
  }
  std::string instance;
  std::filesystem::path dir;
};

}  // namespace sn_test
