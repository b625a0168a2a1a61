#include "auth_store.h"

#include <sys/random.h>

namespace securenet::store {

namespace {

void random_bytes(unsigned char* b, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(b + got, n - got, 0);
    if (r > 0) got += static_cast<size_t>(r);
  }
}

std::string random_hex(size_t nbytes) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  unsigned char b[64];
  random_bytes(b, nbytes);
  for (size_t i = 0; i < nbytes; ++i) {
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 15]);
  }
  return out;
}

constexpr const char* kTokenHash = "encode(sha256(convert_to($1::text, 'UTF8')), 'hex')";

RefreshToken insert_token(pqxx::work& tx, const std::string& user_id, int64_t ttl_s,
                          const std::string& session_id) {
  RefreshToken t{random_hex(32), 0};
  auto r = tx.exec_params(
      std::string("insert into securenet.refresh_tokens (token_hash, user_id, expires_at, "
                  "session_id) values (") +
          kTokenHash +
          ", $2::uuid, now() + make_interval(secs => $3::float8), nullif($4, '')::uuid) "
          "returning (extract(epoch from expires_at) * 1000)::bigint",
      t.token, user_id, static_cast<double>(ttl_s), session_id);
  t.expires_ms = r[0][0].as<int64_t>();
  return t;
}

std::string text_or_empty(const pqxx::field& f) { return f.is_null() ? "" : f.as<std::string>(); }

LoginStatus parse_status(const std::string& s) {
  static const std::pair<const char*, LoginStatus> kNames[] = {
      {"ok", LoginStatus::ok},
      {"unknown", LoginStatus::unknown},
      {"no_password", LoginStatus::no_password},
      {"malformed_hash", LoginStatus::malformed_hash},
      {"bad_password", LoginStatus::bad_password},
      {"deleted", LoginStatus::deleted},
      {"banned", LoginStatus::banned},
      {"unconfirmed", LoginStatus::unconfirmed}};
  for (const auto& [name, st] : kNames)
    if (s == name) return st;
  return LoginStatus::unknown;
}

}  // namespace

std::string generate_password() {
  static const char* alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  unsigned char b[24];
  random_bytes(b, sizeof b);
  std::string out;
  for (unsigned char c : b) out.push_back(alphabet[c % 56]);  // 56 symbols, tiny bias
  return out;
}

const char* login_status_name(LoginStatus s) {
  switch (s) {
    case LoginStatus::ok:
      return "ok";
    case LoginStatus::unknown:
      return "unknown";
    case LoginStatus::no_password:
      return "no_password";
    case LoginStatus::malformed_hash:
      return "malformed_hash";
    case LoginStatus::bad_password:
      return "bad_password";
    case LoginStatus::deleted:
      return "deleted";
    case LoginStatus::banned:
      return "banned";
    case LoginStatus::unconfirmed:
      return "unconfirmed";
  }
  return "?";
}

Result<LoginCheck> check_login(Session& s, const std::string& email, const std::string& password) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "select user_id::text, user_email, app_role, status from securenet.check_login($1, $2)",
        email, password);
    tx.commit();
    LoginCheck out;
    if (r.empty()) return out;
    out.status = parse_status(r[0][3].as<std::string>());
    out.user = User{text_or_empty(r[0][0]), text_or_empty(r[0][1]), text_or_empty(r[0][2])};
    if (out.user.role.empty()) out.user.role = "viewer";
    return out;
  });
}

Result<std::optional<User>> check_password(Session& s, const std::string& email,
                                           const std::string& password) {
  auto r = check_login(s, email, password);
  if (!r) return r.error();
  if (r->status != LoginStatus::ok) return std::optional<User>();
  return std::optional<User>(r->user);
}

Result<User> create_user(Session& s, const std::string& email, const std::string& password,
                         const std::string& role) {
  if (email.find('@') == std::string::npos) return make_error("email must contain '@'");
  if (password.size() < 8) return make_error("password must have at least 8 characters");
  if (!valid_role(role)) return make_error("role must be viewer, operator or admin");
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "select securenet.add_user($1::text, $2::text, $3::text)::text, lower($1::text)", email,
        password, role);
    tx.commit();
    return User{r[0][0].as<std::string>(), r[0][1].as<std::string>(), role};
  });
}

Result<User> set_user_role(Session& s, const std::string& email, const std::string& role) {
  if (!valid_role(role)) return make_error("role must be viewer, operator or admin");
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto r =
        tx.exec_params("select securenet.set_user_role($1::text, $2::text)::text", email, role);
    tx.commit();
    return User{r[0][0].as<std::string>(), email, role};
  });
}

Result<std::vector<User>> list_users(Session& s) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::vector<User> out;
    for (const auto& row : tx.exec("select id::text, email, securenet.app_role(raw_app_meta_data)"
                                   " from auth.users order by created_at, id"))
      out.push_back({row[0].as<std::string>(), text_or_empty(row[1]), row[2].as<std::string>()});
    tx.commit();
    return out;
  });
}

Result<std::optional<User>> find_user(Session& s, const std::string& email) {
  return s.run([&](pqxx::connection& c) -> std::optional<User> {
    pqxx::work tx(c);
    auto r =
        tx.exec_params("select user_id::text, user_email from securenet.find_owner($1)", email);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return User{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  });
}

Result<RefreshToken> issue_refresh_token(Session& s, const std::string& user_id, int64_t ttl_s,
                                         const std::string& session_id) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto t = insert_token(tx, user_id, ttl_s, session_id);
    tx.commit();
    return t;
  });
}

Result<std::optional<Rotated>> rotate_refresh_token(Session& s, const std::string& token,
                                                    int64_t ttl_s) {
  return s.run([&](pqxx::connection& c) -> std::optional<Rotated> {
    pqxx::work tx(c);
    // The row lock makes this single use even for concurrent calls.
    auto used = tx.exec_params(
        std::string("update securenet.refresh_tokens t set used_at = now() where t.token_hash = ") +
            kTokenHash +
            " and t.used_at is null and t.revoked_at is null and t.expires_at > now()"
            " returning t.user_id::text, coalesce(t.session_id::text, '')",
        token);
    if (used.empty()) {
      // Reuse of a spent token: revoke the user's live tokens.
      tx.exec_params(std::string("update securenet.refresh_tokens set used_at = now()"
                                 " where used_at is null and user_id = (select user_id from"
                                 " securenet.refresh_tokens where token_hash = ") +
                         kTokenHash + " and used_at is not null)",
                     token);
      tx.commit();
      return std::nullopt;
    }
    const std::string user_id = used[0][0].as<std::string>();
    Rotated out;
    out.session_id = used[0][1].as<std::string>();
    // A user deleted, banned or unconfirmed since the login keeps no session.
    auto st = tx.exec_params(
        "select user_email, app_role, status from securenet.session_user_state($1::uuid)", user_id);
    if (st.empty() || st[0][2].as<std::string>() != "ok") {
      tx.exec_params(
          "update securenet.refresh_tokens set used_at = now()"
          " where used_at is null and user_id = $1::uuid",
          user_id);
      tx.commit();
      return std::nullopt;
    }
    out.user = User{user_id, text_or_empty(st[0][0]), st[0][1].as<std::string>()};
    out.next = insert_token(tx, user_id, ttl_s, out.session_id);
    tx.exec_params(std::string("update securenet.refresh_tokens set replaced_by = $2"
                               " where token_hash = ") +
                       kTokenHash,
                   token, out.next.token.substr(0, 8));
    tx.commit();
    return out;
  });
}

Result<int64_t> revoke_session(Session& s, const std::string& user_id,
                               const std::string& session_id) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "update securenet.refresh_tokens set revoked_at = now() where used_at is null"
        " and revoked_at is null and user_id = $1::uuid and session_id = $2::uuid",
        user_id, session_id);
    tx.commit();
    return static_cast<int64_t>(r.affected_rows());
  });
}

}  // namespace securenet::store
