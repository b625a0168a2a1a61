// Login against auth.users (bcrypt through pgcrypto, as Supabase's GoTrue stores it) and
// single-use refresh tokens (only their SHA-256 is stored, in securenet.refresh_tokens).
// Logins and the owner look-up go through SECURITY DEFINER functions (migration 0008): the
// sensor's own database role never reads auth.users.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "session.h"

namespace securenet::store {

// The sensor's roles (app_metadata.securenet_role): viewer reads, operator also resolves
// alerts, admin also changes the config, resets metrics, reads the audit log.
inline bool valid_role(const std::string& r) {
  return r == "viewer" || r == "operator" || r == "admin";
}

struct User {
  std::string id, email;
  std::string role = "viewer";  // app_metadata.securenet_role; viewer when absent
};

// Why a login was refused. Every value but ok is the same 401 to the client.
enum class LoginStatus {
  ok,
  unknown,
  no_password,
  malformed_hash,
  bad_password,
  deleted,
  banned,
  unconfirmed
};
const char* login_status_name(LoginStatus s);

struct LoginCheck {
  LoginStatus status = LoginStatus::unknown;
  User user;  // for ok; for malformed_hash only user.id (for the log line)
};

// One bcrypt of the same cost on every path (unknown email, empty or malformed hash), and
// a comparison of digests: the timing does not tell the refusals apart. $2b$/$2y$ hashes
// are compared as $2a$. A malformed stored hash is a refusal (status malformed_hash), not
// a database error.
Result<LoginCheck> check_login(Session& s, const std::string& email, const std::string& password);

// check_login reduced to "the user, or nullopt when refused".
Result<std::optional<User>> check_password(Session& s, const std::string& email,
                                           const std::string& password);

// Creates a user with a bcrypt ($2a$, cost 10) hash and app_metadata.securenet_role = role,
// confirmed, with every column Supabase's auth.users needs (it has no defaults); an
// existing email is an error. Needs the admin connection (not the sensor's role).
Result<User> create_user(Session& s, const std::string& email, const std::string& password,
                         const std::string& role = "viewer");

// Sets an existing user's role (the other app_metadata keys are kept).
Result<User> set_user_role(Session& s, const std::string& email, const std::string& role);

// Admin connection only (reads auth.users).
Result<std::vector<User>> list_users(Session& s);

// The user with this email (case-insensitive), or with an empty email the oldest user that
// is not deleted (the sensor's owner). Works as the sensor's role.
Result<std::optional<User>> find_user(Session& s, const std::string& email);

struct RefreshToken {
  std::string token;  // 64 hex chars (32 random bytes); shown to the client once
  int64_t expires_ms = 0;
};

// A login's refresh tokens form one chain (its "session": the access tokens' session_id
// claim); `session_id` is a UUID, new at each login, kept through rotations.
Result<RefreshToken> issue_refresh_token(Session& s, const std::string& user_id,
                                         int64_t ttl_s = 30 * 24 * 3600,
                                         const std::string& session_id = {});

struct Rotated {
  User user;
  RefreshToken next;
  std::string session_id;  // the chain's (empty for tokens issued before sessions existed)
};
// Uses the token up (single use) and issues its successor. nullopt when the token is
// unknown, expired or already used, or its user can no longer log in (deleted, banned,
// unconfirmed); reusing a used token also revokes every live token of that user (a stolen
// token family).
Result<std::optional<Rotated>> rotate_refresh_token(Session& s, const std::string& token,
                                                    int64_t ttl_s = 30 * 24 * 3600);

// Logout: uses up every live refresh token of this user's session (chain). Returns how
// many were revoked.
Result<int64_t> revoke_session(Session& s, const std::string& user_id,
                               const std::string& session_id);

// Random printable password for generated first users (24 chars).
std::string generate_password();

}  // namespace securenet::store
