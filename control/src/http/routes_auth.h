// POST /api/auth/login, /api/auth/refresh and /api/auth/logout (API.md "Auth"): email +
// password checked against auth.users through the store (banned, deleted and unconfirmed
// users get the same 401 as a wrong password), an access token minted with the HS256
// secret the Verifier checks (app_metadata.securenet_role, jti, session_id), a single-use
// refresh token; failures limited per address, account and pair (login_limiter.h); every
// login success/failure and logout audited. Registered by register_db_routes (routes_db.h)
// when a database is configured.
//
// Access levels (for the route table): login and refresh are public; logout needs an
// authenticated caller of any role (it reads req.claims and answers 401 without them).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/router.h"

namespace securenet::store {
class Session;
class LoginRateLimiter;
}  // namespace securenet::store

namespace securenet::auth {
class RevocationList;
}

namespace securenet::control {

class EventSink;

struct AuthRouteDeps {
  store::Session* session = nullptr;           // login/refresh queries (not the writer's)
  store::LoginRateLimiter* limiter = nullptr;  // failures -> back-off -> 429 + Retry-After
  // Logout puts the access token's jti here (the Verifier refuses it until its exp).
  std::shared_ptr<auth::RevocationList> revocations;
  EventSink* audit = nullptr;  // login_success/login_failure/logout entries
  std::string hs256_secret;    // the secret the dispatcher's Verifier checks
  std::string issuer;          // iss claim (empty: none)
  int64_t access_ttl_s = 900;
  int64_t refresh_ttl_s = 30 * 24 * 3600;
  // The client's address for the limiter (default: Request::peer, the socket's remote
  // address).
  std::function<std::string(const Request&)> client_addr;
  std::function<int64_t()> now_s;  // default: wall clock
};

void register_auth_routes(Router& r, AuthRouteDeps deps);

}  // namespace securenet::control
