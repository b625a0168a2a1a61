// The config file: <state-dir>/config.json by default (with a database, also stored in
// network_configs), written atomically (temp file + rename), read at start.
#pragma once

#include <string>
#include <string_view>

#include "config/security_config.h"
#include "securenet/result.h"

namespace securenet::control {

// A missing file yields the defaults; a file that does not validate is an error.
Result<SecurityConfig> load_config_file(const std::string& path);
// Writes config_to_json text (atomically: a temporary file, fsync, rename).
Status save_config_file(const std::string& path, std::string_view config_json);

}  // namespace securenet::control
