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

// A real bcrypt hash of a random string: unknown emails cost the same bcrypt work.
constexpr const char* kDummyHash = "$2a$10$/rzFfgv3j.sNPeLCdmsk8uI69NuOXC8gp5mhi213h5Ao7uFPgPPFS";

constexpr const char* kTokenHash = "encode(sha256(convert_to($1::text, 'UTF8')), 'hex')";

RefreshToken insert_token(pqxx::work& tx, const std::string& user_id, int64_t ttl_s) {
  RefreshToken t{random_hex(32), 0};
  auto r = tx.exec_params(
      std::string("insert into securenet.refresh_tokens (token_hash, user_id, expires_at) "
                  "values (") + kTokenHash + ", $2::uuid, now() + make_interval(secs => $3::float8)) "
      "returning (extract(epoch from expires_at) * 1000)::bigint",
      t.token, user_id, static_cast<double>(ttl_s));
  t.expires_ms = r[0][0].as<int64_t>();
  return t;
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

Result<std::optional<User>> check_password(Session& s, const std::string& email,
                                           const std::string& password) {
  return s.run([&](pqxx::connection& c) -> std::optional<User> {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "select u.id::text, u.email, securenet.verify_password($2::text,"
        " coalesce(u.encrypted_password, $3::text))"
        " from (select 1) one left join auth.users u on lower(u.email) = lower($1::text)"
        " limit 1",
        email, password, kDummyHash);
    tx.commit();
    if (r.empty() || r[0][0].is_null() || !r[0][2].as<bool>()) return std::nullopt;
    return User{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  });
}

Result<User> create_user(Session& s, const std::string& email, const std::string& password) {
  if (email.find('@') == std::string::npos) return make_error("email must contain '@'");
  if (password.size() < 8) return make_error("password must have at least 8 characters");
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "insert into auth.users (email, encrypted_password, email_confirmed_at)"
        " values (lower($1::text), securenet.hash_password($2::text), now())"
        " returning id::text, email",
        email, password);
    tx.commit();
    return User{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  });
}

Result<std::vector<User>> list_users(Session& s) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    std::vector<User> out;
    for (const auto& row : tx.exec("select id::text, email from auth.users order by created_at"))
      out.push_back({row[0].as<std::string>(), row[1].is_null() ? "" : row[1].as<std::string>()});
    tx.commit();
    return out;
  });
}

Result<std::optional<User>> find_user(Session& s, const std::string& email) {
  return s.run([&](pqxx::connection& c) -> std::optional<User> {
    pqxx::work tx(c);
    auto r = tx.exec_params(
        "select id::text, email from auth.users where lower(email) = lower($1::text) limit 1",
        email);
    tx.commit();
    if (r.empty()) return std::nullopt;
    return User{r[0][0].as<std::string>(), r[0][1].as<std::string>()};
  });
}

Result<RefreshToken> issue_refresh_token(Session& s, const std::string& user_id,
                                         int64_t ttl_s) {
  return s.run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    auto t = insert_token(tx, user_id, ttl_s);
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
        std::string("update securenet.refresh_tokens t set used_at = now() from auth.users u"
                    " where t.token_hash = ") + kTokenHash +
            " and t.used_at is null and t.expires_at > now() and u.id = t.user_id"
            " returning u.id::text, u.email",
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
    Rotated out{{used[0][0].as<std::string>(), used[0][1].as<std::string>()}, {}};
    out.next = insert_token(tx, out.user.id, ttl_s);
    tx.exec_params(std::string("update securenet.refresh_tokens set replaced_by = $2"
                               " where token_hash = ") + kTokenHash,
                   token, out.next.token.substr(0, 8));
    tx.commit();
    return out;
  });
}

}  // namespace securenet::store
