#include "http/routes.h"

namespace securenet::control {

void register_config_routes(Router& r, App& app) {
  using boost::beast::http::verb;
  r.add(verb::get, "/api/config", Access::kViewer, [&app](const Request&) { return json_response(config_to_json(app.config())); });
  r.add(verb::post, "/api/config", Access::kAdmin, [&app](const Request& req) {
    auto res = app.apply_config(req.body, req.user_id());
    if (!res.ok) {
      if (res.error.field.empty()) return json_error(400, "invalid_json", res.error.detail);
      return json_error(400, "invalid_config", res.error.detail, res.error.field);
    }
    return json_response(config_to_json(app.config()));
  });
}

}  // namespace securenet::control
