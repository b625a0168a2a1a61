#include "http/routes_notify.h"

#include "http/routes.h"
#include "securenet/common/uuid.h"

namespace securenet::control {

void register_notify_routes(Router& r, const DeliveryLog& log) {
  r.add(boost::beast::http::verb::get, "/api/alerts/{id}/actions", Access::kViewer,
        [&log](const Request& req) {
          const std::string& id = req.params[0];
          if (!is_uuid(id)) return json_error(400, "invalid_parameter", "id: not a UUID", "id");
          return json_response(actions_json(id, log.for_alert(id)));
        });
}

}  // namespace securenet::control
