#include "app/views.h"
#include "http/routes.h"

namespace securenet::control {

void register_health_routes(Router& r, App& app) {
  using boost::beast::http::verb;
  r.add(verb::get, "/health", Access::kPublic,
        [](const Request&) { return json_response("{\"status\":\"ok\"}"); });
  r.add(verb::get, "/metrics", Access::kPublic, [&app](const Request&) {
    Response res;
    res.body = prometheus_text(app);
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    return res;
  });
}

void register_status_routes(Router& r, App& app) {
  r.add(boost::beast::http::verb::get, "/api/status", Access::kViewer,
        [&app](const Request&) { return json_response(status_json(app)); });
}

void register_events_routes(Router& r, App&) {
  r.add(boost::beast::http::verb::get, "/api/events", Access::kViewer, [](const Request&) {
    Response res;
    res.event_stream = true;
    return res;
  });
}

}  // namespace securenet::control
