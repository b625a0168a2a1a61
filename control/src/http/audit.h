// Audit entries from route handlers (API.md "Audit log"): who (the token's sub and email),
// from where (the socket's peer address), what (action + a JSON object of details).
#pragma once

#include <string>
#include <string_view>

#include "http/request.h"
#include "store_iface.h"

namespace securenet::control {

// actor_id is the token's sub when it is a UUID (the column's type); another sub goes to
// details as "sub".
AuditEvent audit_event(const Request& req, std::string_view action,
                       std::string details_json = "{}");

}  // namespace securenet::control
