// POST /api/auth/login and POST /api/auth/refresh (API.md "Auth"): email + password checked
// against auth.users through the store, an access token minted with the HS256 secret the
// Verifier checks, a single-use refresh token; failed attempts rate-limited per address.
// Registered by register_db_routes (routes_db.h) when a database is configured.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "http/router.h"

namespace securenet::store {
class Session;
class LoginRateLimiter;
}  // namespace securenet::store

namespace securenet::control {

struct AuthRouteDeps {
  store::Session* session = nullptr;          // login/refresh queries (not the writer's)
  store::LoginRateLimiter* limiter = nullptr;  // 5 failures/min/address -> 429
  std::string hs256_secret;                   // the secret the dispatcher's Verifier checks
  std::string issuer;                         // iss claim (empty: none)
  int64_t access_ttl_s = 3600;
  int64_t refresh_ttl_s = 30 * 24 * 3600;
  // The client's address for the limiter (default: Request::peer, the socket's remote
  // address).
  std::function<std::string(const Request&)> client_addr;
  std::function<int64_t()> now_s;  // default: wall clock
};

void register_auth_routes(Router& r, AuthRouteDeps deps);

}  // namespace securenet::control
