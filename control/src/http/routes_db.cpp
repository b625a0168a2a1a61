#include "http/routes_db.h"

#include "app/views.h"
#include "auth/jwt.h"
#include "http/routes_auth.h"
#include "reads.h"
#include "session.h"
#include "http/target.h"

namespace securenet::control {

namespace {

using boost::beast::http::verb;

Response disabled() {
  return json_error(503, "database_disabled",
                    "database disabled: start securenet-control with --db URL");
}

Response db_result(Result<std::string> r) {
  if (!r) return json_error(503, "database_unavailable", "the database cannot be reached");
  return json_response(std::move(*r));
}

bool wants_db(const Request& req) {
  auto s = req.q("source");
  return s && *s == "db";
}

void register_history(Router& r, App& app, store::Session* s) {
  r.add(verb::get, "/api/alerts/history", Access::kViewer, [s](const Request& req) {
    if (!s) return disabled();
    Response err;
    auto limit = query_int(req, "limit", 50, 1, 1000, &err);
    if (!limit) return err;
    store::AlertQuery q;
    q.limit = static_cast<int>(*limit);
    if (auto v = req.q("severity")) q.severity = *v;
    if (auto v = req.q("status")) {
      if (*v != "open" && *v != "resolved")
        return json_error(400, "invalid_request", "status: open or resolved", "status");
      q.status = *v;
    }
    return db_result(store::list_alerts_json(*s, req.claims->json, q));
  });
  r.add(verb::get, "/api/config/history", Access::kViewer, [s](const Request& req) {
    if (!s) return disabled();
    Response err;
    auto limit = query_int(req, "limit", 50, 1, 1000, &err);
    if (!limit) return err;
    return db_result(store::config_history_json(*s, req.claims->json, static_cast<int>(*limit)));
  });
  // ?source=db reads the stored snapshots (up to 7 days); otherwise the in-memory ring.
  r.add(verb::get, "/api/metrics/history", Access::kViewer, [s, &app](const Request& req) {
    Response err;
    const bool db = wants_db(req);
    auto seconds = query_int(req, "seconds", 300, 1, db ? 7 * 86400 : 3600, &err);
    if (!seconds) return err;
    if (!db) return json_response(history_json(app, *seconds));
    if (!s) return disabled();
    return db_result(store::metrics_history_json(*s, req.claims->json, *seconds));
  });
}

}  // namespace

void register_db_routes(Router& r, App& app, const DbRouteDeps& d) {
  if (d.session && d.limiter) {
    AuthRouteDeps a;
    a.session = d.session;
    a.limiter = d.limiter;
    a.hs256_secret = d.hs256_secret;
    a.issuer = d.issuer;
    a.access_ttl_s = d.access_ttl_s;
    a.refresh_ttl_s = d.refresh_ttl_s;
    register_auth_routes(r, std::move(a));
  } else {
    r.add(verb::post, "/api/auth/login", Access::kPublic, [](const Request&) { return disabled(); });
    r.add(verb::post, "/api/auth/refresh", Access::kPublic, [](const Request&) { return disabled(); });
  }
  register_history(r, app, d.session);
}

bool is_db_request(const HttpIn& in) {
  auto n = normalize_target(in.target);  // the same normalization the dispatcher applies
  if (!n.target) return false;
  auto* t = &*n.target;
  if (t->path.rfind("/api/auth/", 0) == 0) return true;
  if (in.method != verb::get) return false;
  if (t->path == "/api/alerts/history" || t->path == "/api/config/history") return true;
  if (t->path != "/api/metrics/history") return false;
  auto it = t->query.find("source");
  return it != t->query.end() && it->second == "db";
}

}  // namespace securenet::control
