// What a starting sensor reads back from the database (issue 14), as the service role
// (not through row-level security): its own open alerts, to adopt instead of opening new
// rows, and its newest stored config, when config.json is missing or corrupt.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rows.h"
#include "securenet/result.h"
#include "session.h"

namespace securenet::store {

// The open alerts of `sensor_id`, newest first (count, first/last seen as stored).
Result<std::vector<AlertRow>> open_alerts_of_sensor(Session& s, const std::string& sensor_id);

// The `config` object of the sensor's newest network_configs row; nullopt when it has none.
Result<std::optional<std::string>> latest_config_of_sensor(Session& s,
                                                           const std::string& sensor_id);

// The sensor id the connecting role is bound to (migration 0012's securenet.sensor_roles, a
// fleet's per-sensor role); nullopt for an unbound role (the shared securenet_sensor, an
// administrator) or a database without migration 0012.
Result<std::optional<std::string>> bound_sensor_id(Session& s);

}  // namespace securenet::store
