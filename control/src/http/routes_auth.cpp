#include "http/routes_auth.h"

// Compiled only where the store is linked in (the control target includes src/*.cpp; until
// it links securenet_store this unit is empty).
#if __has_include("auth_store.h") && __has_include("login_limiter.h")

#include <simdjson.h>

#include <ctime>
#include <memory>

#include "auth/jwt.h"
#include "auth_store.h"
#include "login_limiter.h"
#include "rows.h"
#include "util/json_writer.h"

namespace securenet::control {

namespace {

using boost::beast::http::verb;

constexpr size_t kMaxEmail = 320, kMaxPassword = 1024, kMaxToken = 256;

// Reads string fields of a small JSON object; false (with *err set) when malformed.
bool read_fields(std::string_view body, std::initializer_list<const char*> names,
                 std::vector<std::string>& out, Response* err) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (body.size() > 8192 || parser.parse(body.data(), body.size()).get(doc) ||
      !doc.is_object()) {
    *err = json_error(400, "invalid_json", "body must be a JSON object");
    return false;
  }
  for (const char* name : names) {
    std::string_view v;
    if (doc[name].get_string().get(v)) {
      *err = json_error(400, "invalid_request", std::string(name) + ": required string", name);
      return false;
    }
    out.emplace_back(v);
  }
  return true;
}

Response rate_limited(int64_t retry_s) {
  auto r = json_error(429, "rate_limited",
                      "too many failed attempts; retry in " + std::to_string(retry_s) + " s");
  r.headers.emplace_back("Retry-After", std::to_string(retry_s));
  return r;
}

Response unavailable() {
  return json_error(503, "database_unavailable", "the user database cannot be reached");
}

struct Ctx {
  AuthRouteDeps d;
  int64_t now() const { return d.now_s ? d.now_s() : static_cast<int64_t>(std::time(nullptr)); }
  std::string addr(const Request& r) const {
    if (d.client_addr) return d.client_addr(r);
    return r.peer.empty() ? std::string("-") : std::string(r.peer);
  }

  // The login/refresh answer: a fresh access token plus the given refresh token.
  Response session_response(const store::User& u, const store::RefreshToken& refresh) const {
    auth::MintOptions m;
    m.sub = u.id;
    m.email = u.email;
    m.issuer = d.issuer;
    m.session_id = store::new_uuid();
    m.ttl_s = d.access_ttl_s;
    JsonWriter w;
    w.begin_object();
    w.key("access_token").value(auth::mint_hs256(d.hs256_secret, m, now()));
    w.key("refresh_token").value(refresh.token);
    w.key("token_type").value("bearer");
    w.key("expires_in").value(static_cast<int64_t>(d.access_ttl_s));
    w.key("user").begin_object();
    w.key("id").value(u.id);
    w.key("email").value(u.email);
    w.end_object();
    w.end_object();
    return json_response(w.take());
  }

  Response login(const Request& req) const {
    const std::string who = addr(req);
    if (auto wait = d.limiter->retry_after_s(who, now())) return rate_limited(wait);
    std::vector<std::string> f;
    Response err;
    if (!read_fields(req.body, {"email", "password"}, f, &err)) return err;
    if (f[0].empty() || f[0].size() > kMaxEmail || f[1].size() > kMaxPassword)
      return json_error(400, "invalid_request", "email or password: empty or too long");
    auto user = store::check_password(*d.session, f[0], f[1]);
    if (!user) return unavailable();
    if (!*user) {
      d.limiter->record_failure(who, now());
      return json_error(401, "invalid_credentials", "wrong email or password");
    }
    d.limiter->record_success(who);
    auto refresh = store::issue_refresh_token(*d.session, (*user)->id, d.refresh_ttl_s);
    if (!refresh) return unavailable();
    return session_response(**user, *refresh);
  }

  Response refresh(const Request& req) const {
    const std::string who = addr(req);
    if (auto wait = d.limiter->retry_after_s(who, now())) return rate_limited(wait);
    std::vector<std::string> f;
    Response err;
    if (!read_fields(req.body, {"refresh_token"}, f, &err)) return err;
    if (f[0].empty() || f[0].size() > kMaxToken)
      return json_error(400, "invalid_request", "refresh_token: empty or too long");
    auto rotated = store::rotate_refresh_token(*d.session, f[0], d.refresh_ttl_s);
    if (!rotated) return unavailable();
    if (!*rotated) {
      d.limiter->record_failure(who, now());
      return json_error(401, "invalid_refresh_token", "refresh token unknown, expired or used");
    }
    return session_response((*rotated)->user, (*rotated)->next);
  }
};

}  // namespace

void register_auth_routes(Router& r, AuthRouteDeps deps) {
  auto ctx = std::make_shared<Ctx>(Ctx{std::move(deps)});
  r.add(verb::post, "/api/auth/login", Access::kPublic, [ctx](const Request& req) { return ctx->login(req); });
  r.add(verb::post, "/api/auth/refresh", Access::kPublic, [ctx](const Request& req) { return ctx->refresh(req); });
}

}  // namespace securenet::control

#endif
