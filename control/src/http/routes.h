// Route registration. Each resource group registers its routes from its own file; a new
// group (e.g. routes_auth.cpp for /api/auth/*) adds its function here and one line to
// register_all_routes (routes.cpp) without touching the other groups' files.
#pragma once

#include "app/app.h"
#include "http/router.h"

namespace securenet::control {

void register_health_routes(Router& r, App& app);   // GET /health, GET /metrics
void register_status_routes(Router& r, App& app);   // GET /api/status
void register_metrics_routes(Router& r, App& app);  // /api/metrics, /reset, /history
void register_config_routes(Router& r, App& app);   // GET/POST /api/config
void register_alerts_routes(Router& r, App& app);   // /api/alerts, /{id}, /{id}/resolve
void register_hosts_routes(Router& r, App& app);    // /api/hosts, /api/hosts/{ip}
void register_events_routes(Router& r, App& app);   // GET /api/events (SSE)

void register_all_routes(Router& r, App& app);

}  // namespace securenet::control
