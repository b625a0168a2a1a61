// JSON and text renderings of the control plane's state for the API (API.md shapes).
#pragma once

#include <string>

#include "app/app.h"
#include "securenet/common/json_writer.h"

namespace securenet::control {

void write_host_json(JsonWriter& w, const HostView& h, const SecurityConfig& cfg);
std::string status_json(const App& app);
std::string prometheus_text(const App& app);
std::string history_json(const App& app, int64_t seconds);

}  // namespace securenet::control
