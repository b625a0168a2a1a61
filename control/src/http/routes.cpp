#include "http/routes.h"

namespace securenet::control {

void register_all_routes(Router& r, App& app) {
  register_health_routes(r, app);
  register_status_routes(r, app);
  register_metrics_routes(r, app);
  register_config_routes(r, app);
  register_alerts_routes(r, app);
  register_hosts_routes(r, app);
  register_events_routes(r, app);
}

}  // namespace securenet::control
