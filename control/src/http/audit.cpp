#include "http/audit.h"

#include "auth/jwt.h"
#include "securenet/common/json_writer.h"
#include "securenet/common/uuid.h"

namespace securenet::control {

AuditEvent audit_event(const Request& req, std::string_view action, std::string details_json) {
  AuditEvent e;
  e.action = action;
  e.source = req.peer;
  e.details_json = details_json.empty() ? "{}" : std::move(details_json);
  if (!req.claims) return e;
  e.actor_email = req.claims->email;
  if (is_uuid(req.claims->sub)) {
    e.actor_id = req.claims->sub;
  } else if (!req.claims->sub.empty() && e.details_json.size() >= 2 &&
             e.details_json.back() == '}') {
    JsonWriter w;
    w.value(req.claims->sub);
    const bool empty = e.details_json == "{}";
    e.details_json.pop_back();
    e.details_json += std::string(empty ? "" : ",") + "\"sub\":" + w.take() + "}";
  }
  return e;
}

}  // namespace securenet::control
