// Login against auth.users (bcrypt through pgcrypto, as Supabase's GoTrue stores it) and
// single-use refresh tokens (only their SHA-256 is stored, in securenet.refresh_tokens).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "securenet/result.h"
#include "session.h"

namespace securenet::store {

struct User {
  std::string id, email;
};

// The user when the password matches; nullopt for an unknown email or a wrong password
// (the same bcrypt work is done either way). $2b$/$2y$ hashes are compared as $2a$.
Result<std::optional<User>> check_password(Session& s, const std::string& email,
                                           const std::string& password);

// Creates a user with a bcrypt ($2a$, cost 10) hash; an existing email is an error.
Result<User> create_user(Session& s, const std::string& email, const std::string& password);

Result<std::vector<User>> list_users(Session& s);

// The user with this email (case-insensitive), if any (e.g. to pick the sensor's owner).
Result<std::optional<User>> find_user(Session& s, const std::string& email);

struct RefreshToken {
  std::string token;  // 64 hex chars (32 random bytes); shown to the client once
  int64_t expires_ms = 0;
};

Result<RefreshToken> issue_refresh_token(Session& s, const std::string& user_id,
                                         int64_t ttl_s = 30 * 24 * 3600);

struct Rotated {
  User user;
  RefreshToken next;
};
// Uses the token up (single use) and issues its successor. nullopt when the token is
// unknown, expired or already used; reusing a used token also revokes every live token of
// that user (a stolen token family).
Result<std::optional<Rotated>> rotate_refresh_token(Session& s, const std::string& token,
                                                    int64_t ttl_s = 30 * 24 * 3600);

// Random printable password for generated first users (24 chars).
std::string generate_password();

}  // namespace securenet::store
