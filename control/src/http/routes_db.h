// The database-backed routes (API.md "Auth", "Stored history", "Sensors" and "Audit log"):
// login/refresh/logout, the history reads (?sensor= one sensor), GET /api/sensors (the
// fleet) and GET /api/audit, which go through PostgreSQL's row-level security with the
// caller's claims.
// Access levels: the history reads and the fleet are viewer; GET /api/audit is admin; auth: see
// routes_auth.h.
// Registered BEFORE register_all_routes (so /api/alerts/history wins over /api/alerts/{id}
// and ?source=db is seen on /api/metrics/history). Without a database every one of them
// answers 503 {"error":"database_disabled"}.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app/app.h"
#include "http/dispatch.h"
#include "http/router.h"

namespace securenet::store {
class Session;
class LoginRateLimiter;
}  // namespace securenet::store

namespace securenet::auth {
class RevocationList;
}

namespace securenet::control {

struct DbRouteDeps {
  store::Session* session = nullptr;  // null: database disabled
  store::LoginRateLimiter* limiter = nullptr;
  std::shared_ptr<auth::RevocationList> revocations;  // logout's access-token revocations
  EventSink* audit = nullptr;                         // login/logout audit entries
  std::string hs256_secret, issuer;
  int64_t access_ttl_s = 900;
  int64_t refresh_ttl_s = 30 * 24 * 3600;
};

void register_db_routes(Router& r, App& app, const DbRouteDeps& deps);

// True for the requests register_db_routes serves (they block on the database, so the
// server runs them on its thread pool; they never touch App).
bool is_db_request(const HttpIn& in);

}  // namespace securenet::control
