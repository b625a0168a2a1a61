#include "http/audit.h"
#include "http/routes.h"

namespace securenet::control {

void register_config_routes(Router& r, App& app) {
  using boost::beast::http::verb;
  r.add(verb::get, "/api/config", Access::kViewer,
        [&app](const Request&) { return json_response(app.config_json()); });
  r.add(verb::post, "/api/config", Access::kAdmin, [&app](const Request& req) {
    std::string before = app.config_json();
    auto res = app.apply_config(req.body, req.user_id());
    if (!res.ok) {
      if (res.error.field.empty()) return json_error(400, "invalid_json", res.error.detail);
      return json_error(400, "invalid_config", res.error.detail, res.error.field);
    }
    const std::string& after = app.config_json();
    app.audit(
        audit_event(req, "config_change", "{\"before\":" + before + ",\"after\":" + after + "}"));
    return json_response(after);
  });
}

}  // namespace securenet::control
