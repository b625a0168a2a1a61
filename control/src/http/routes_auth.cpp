#include "http/routes_auth.h"

#include <simdjson.h>

#include <cstdio>
#include <ctime>
#include <memory>

#include "auth/jwt.h"
#include "auth/revocation.h"
#include "auth_store.h"
#include "http/audit.h"
#include "login_limiter.h"
#include "rows.h"
#include "securenet/common/json_writer.h"
#include "securenet/common/uuid.h"

namespace securenet::control {

namespace {

using boost::beast::http::verb;

constexpr size_t kMaxEmail = 320, kMaxPassword = 1024, kMaxToken = 256;

// Reads string fields of a small JSON object; false (with *err set) when malformed.
bool read_fields(std::string_view body, std::initializer_list<const char*> names,
                 std::vector<std::string>& out, Response* err) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (body.size() > 8192 || parser.parse(body.data(), body.size()).get(doc) || !doc.is_object()) {
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

Response invalid_credentials() {
  return json_error(401, "invalid_credentials", "wrong email or password");
}

std::string reason_json(std::string_view reason) {
  JsonWriter w;
  w.begin_object().field("reason", reason).end_object();
  return w.take();
}

struct Ctx {
  AuthRouteDeps d;
  int64_t now() const { return d.now_s ? d.now_s() : static_cast<int64_t>(std::time(nullptr)); }
  std::string addr(const Request& r) const {
    if (d.client_addr) return d.client_addr(r);
    return r.peer.empty() ? std::string("-") : std::string(r.peer);
  }
  void audit(AuditEvent e) const {
    if (d.audit) d.audit->on_audit(e);
  }
  void audit_login(const Request& req, std::string_view action, const std::string& who,
                   const store::User& u, std::string_view email, std::string details) const {
    AuditEvent e = audit_event(req, action, std::move(details));
    e.source = who;
    e.actor_id = u.id;
    e.actor_email = u.email.empty() ? std::string(email) : u.email;
    audit(std::move(e));
  }

  // The login/refresh answer: a fresh access token plus the given refresh token.
  Response session_response(const store::User& u, const store::RefreshToken& refresh,
                            const std::string& session_id) const {
    auth::MintOptions m;
    m.sub = u.id;
    m.email = u.email;
    m.issuer = d.issuer;
    m.session_id = session_id.empty() ? new_uuid() : session_id;
    m.app_role = u.role;
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
    w.key("role").value(u.role);
    w.end_object();
    w.end_object();
    return json_response(w.take());
  }

  Response login(const Request& req) const {
    const std::string who = addr(req);
    std::vector<std::string> f;
    Response err;
    if (!read_fields(req.body, {"email", "password"}, f, &err)) return err;
    if (f[0].empty() || f[0].size() > kMaxEmail || f[1].size() > kMaxPassword)
      return json_error(400, "invalid_request", "email or password: empty or too long");
    const std::string account = store::limiter_account(f[0]);
    if (auto wait = d.limiter->retry_after_s(who, account, now())) return rate_limited(wait);
    auto check = store::check_login(*d.session, f[0], f[1]);
    if (!check) return unavailable();
    if (check->status != store::LoginStatus::ok) {
      // Every refusal is the same 401 (same body, one bcrypt of the same cost each).
      if (check->status == store::LoginStatus::malformed_hash)
        std::fprintf(stderr,
                     "securenet-control: login refused: user %s has a malformed password "
                     "hash in auth.users (reset it with securenet-db)\n",
                     check->user.id.c_str());
      d.limiter->record_failure(who, account, now());
      audit_login(req, "login_failure", who, {"", "", ""}, account,
                  reason_json(store::login_status_name(check->status)));
      return invalid_credentials();
    }
    d.limiter->record_success(who, account, now());
    const std::string session_id = new_uuid();
    auto refresh =
        store::issue_refresh_token(*d.session, check->user.id, d.refresh_ttl_s, session_id);
    if (!refresh) return unavailable();
    audit_login(req, "login_success", who, check->user, account,
                "{\"role\":\"" + check->user.role + "\"}");
    return session_response(check->user, *refresh, session_id);
  }

  Response refresh(const Request& req) const {
    const std::string who = addr(req);
    if (auto wait = d.limiter->retry_after_s(who, "", now())) return rate_limited(wait);
    std::vector<std::string> f;
    Response err;
    if (!read_fields(req.body, {"refresh_token"}, f, &err)) return err;
    if (f[0].empty() || f[0].size() > kMaxToken)
      return json_error(400, "invalid_request", "refresh_token: empty or too long");
    auto rotated = store::rotate_refresh_token(*d.session, f[0], d.refresh_ttl_s);
    if (!rotated) return unavailable();
    if (!*rotated) {
      d.limiter->record_failure(who, "", now());
      return json_error(401, "invalid_refresh_token", "refresh token unknown, expired or used");
    }
    return session_response((*rotated)->user, (*rotated)->next, (*rotated)->session_id);
  }

  // Revokes the access token it was called with (its jti, until its exp) and the refresh
  // chain of its session (session_id) in the database.
  Response logout(const Request& req) const {
    if (!req.claims) return json_error(401, "unauthorized", "missing or invalid token");
    const std::string jti = auth::jti_of(req.claims->json);
    if (d.revocations) d.revocations->revoke(jti, req.claims->exp, now());
    const std::string sid = auth::session_id_of(req.claims->json);
    int64_t revoked = 0;
    if (is_uuid(sid) && is_uuid(req.claims->sub)) {
      auto r = store::revoke_session(*d.session, req.claims->sub, sid);
      if (!r) return unavailable();
      revoked = *r;
    }
    JsonWriter details;
    details.begin_object()
        .field("refresh_tokens_revoked", revoked)
        .field("access_token_revoked", !jti.empty())
        .end_object();
    AuditEvent e = audit_event(req, "logout", details.take());
    e.source = addr(req);
    audit(std::move(e));
    JsonWriter w;
    w.begin_object()
        .field("status", "logged_out")
        .field("refresh_tokens_revoked", revoked)
        .field("access_token_revoked", !jti.empty())
        .end_object();
    return json_response(w.take());
  }
};

}  // namespace

void register_auth_routes(Router& r, AuthRouteDeps deps) {
  auto ctx = std::make_shared<Ctx>(Ctx{std::move(deps)});
  r.add(verb::post, "/api/auth/login", Access::kPublic,
        [ctx](const Request& req) { return ctx->login(req); });
  r.add(verb::post, "/api/auth/refresh", Access::kPublic,
        [ctx](const Request& req) { return ctx->refresh(req); });
  // Any signed-in role (the lowest is viewer): logout revokes its own session.
  r.add(verb::post, "/api/auth/logout", Access::kViewer,
        [ctx](const Request& req) { return ctx->logout(req); });
}

}  // namespace securenet::control
