// Verification and minting of Supabase-compatible access tokens (JWS compact form).
// HS256 with the project's secret; ES256/RS256 against JWKS public keys (file or URL).
// Refuses `alg: none`, unknown algs and key confusion (an alg is only ever checked with
// a key of its own type). verify() is thread-safe; the Verifier is cheap to copy.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "securenet/result.h"

namespace securenet::auth {

class RevocationList;

struct AuthConfig {
  std::string hs256_secret;  // Supabase legacy JWT secret (HS256); empty = HS256 off
  std::string jwks_file;     // path to a JWKS JSON (ES256/RS256 public keys); empty = off
  std::string jwks_url;      // http(s) URL of a JWKS; fetched and cached (<=10 min)
  std::string issuer;        // expected iss; empty = not checked
  std::string audience = "authenticated";
  std::vector<std::string> allowed_roles = {"authenticated", "service_role"};
  int64_t leeway_s = 30;
  int64_t jwks_max_age_s = 600;     // refetch the URL's keys when older than this
  int64_t jwks_refetch_gap_s = 60;  // at most one fetch per gap (also for unknown kids)
  // Fetch the URL's keys on a thread of their own: verify() never waits for the network
  // (an unknown kid is refused until the refetch it triggers lands). For event loops.
  bool jwks_background = false;
  // Tokens revoked before their exp (logout); checked by verify() after the signature and
  // claims. Null = no revocation.
  std::shared_ptr<const RevocationList> revocations;
};

// The sensor's own access level, from app_metadata.securenet_role (Supabase's place for
// claims only the server sets). Absent = kViewer; present but not one of "viewer",
// "operator", "admin" (or app_metadata not an object) = kNone, which no route accepts.
enum class AppRole : uint8_t { kNone = 0, kViewer = 1, kOperator = 2, kAdmin = 3 };
const char* app_role_name(AppRole r);  // "none", "viewer", "operator", "admin"

struct Claims {
  std::string sub;   // user id (uuid text)
  std::string role;  // the PostgreSQL role claim (authenticated, service_role)
  AppRole app_role = AppRole::kNone;
  std::string email;
  std::string aud;
  int64_t exp = 0, iat = 0;
  std::string json;  // the whole payload JSON as received (for request.jwt.claims)
};

class Verifier {
 public:
  static Result<Verifier> create(const AuthConfig& cfg);
  // Error message is for logs only; never send it to the client.
  Result<Claims> verify(std::string_view token, int64_t now_s) const;
  // How many times the JWKS URL was fetched (0 without a URL); for tests and metrics.
  size_t jwks_fetch_count() const;
  // Fetches the JWKS URL now, on the caller's thread (start-up); Ok without a URL.
  Status warm_jwks() const;

  struct Impl;

 private:
  explicit Verifier(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

struct MintOptions {
  std::string sub, email, role = "authenticated", issuer, audience = "authenticated", session_id;
  // app_metadata.securenet_role (viewer | operator | admin); empty = no app_metadata.
  std::string app_role;
  std::string jti;  // token id (for revocation); empty = 128 random bits, hex
  int64_t ttl_s = 3600;
};

// Returns a compact HS256 JWS with iss/aud/sub/email/role/iat/exp/jti(/session_id)
// (/app_metadata) claims.
std::string mint_hs256(const std::string& secret, const MintOptions& o, int64_t now_s);

}  // namespace securenet::auth
