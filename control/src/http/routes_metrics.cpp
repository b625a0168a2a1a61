#include "app/views.h"
#include "http/audit.h"
#include "http/routes.h"

namespace securenet::control {

void register_metrics_routes(Router& r, App& app) {
  using boost::beast::http::verb;
  r.add(verb::get, "/api/metrics", [&app](const Request& req) {
    Response err;
    auto top = query_int(req, "top", 10, 0, 100, &err);
    if (!top) return err;
    if (*top == 10) return json_response(app.metrics_json());  // built once per tick
    return json_response(app.build_metrics_json(static_cast<size_t>(*top)));
  });
  r.add(verb::post, "/api/metrics/reset", [&app](const Request& req) {
    app.reset_metrics();
    app.audit(audit_event(req, "metrics_reset"));
    return json_response("{\"status\":\"reset\"}");
  });
  r.add(verb::get, "/api/metrics/history", [&app](const Request& req) {
    Response err;
    auto seconds = query_int(req, "seconds", 300, 1, 3600, &err);
    if (!seconds) return err;
    return json_response(history_json(app, *seconds));
  });
}

}  // namespace securenet::control
