#include "http/routes_db.h"

#include "app/views.h"
#include "auth/jwt.h"
#include "http/routes_auth.h"
#include "http/target.h"
#include "reads.h"
#include "securenet/common/uuid.h"
#include "session.h"
#include "util/url.h"

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

// ?sensor=UUID (one sensor of the caller's fleet; absent = all of them). False (with `err`
// set to a 400) when it is not a UUID; another user's sensor simply has no rows for the
// caller (row-level security).
bool sensor_param(const Request& req, std::string& out, Response& err) {
  auto v = req.q("sensor");
  if (!v) return true;
  if (!is_uuid(*v)) {
    err = json_error(400, "invalid_parameter", "sensor: a sensor id (UUID)", "sensor");
    return false;
  }
  out = *v;
  return true;
}

void register_history(Router& r, App& app, store::Session* s) {
  r.add(verb::get, "/api/alerts/history", Access::kViewer, [s](const Request& req) {
    if (!s) return disabled();
    Response err;
    auto limit = query_int(req, "limit", 50, 1, 1000, &err);
    if (!limit) return err;
    store::AlertQuery q;
    q.limit = static_cast<int>(*limit);
    if (!sensor_param(req, q.sensor_id, err)) return err;
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
    std::string sensor;
    if (!sensor_param(req, sensor, err)) return err;
    return db_result(
        store::config_history_json(*s, req.claims->json, static_cast<int>(*limit), sensor));
  });
  // ?source=db reads the stored snapshots (up to 7 days); otherwise the in-memory ring.
  r.add(verb::get, "/api/metrics/history", Access::kViewer, [s, &app](const Request& req) {
    Response err;
    const bool db = wants_db(req);
    auto seconds = query_int(req, "seconds", 300, 1, db ? 7 * 86400 : 3600, &err);
    if (!seconds) return err;
    if (!db) return json_response(history_json(app, *seconds));
    if (!s) return disabled();
    std::string sensor;
    if (!sensor_param(req, sensor, err)) return err;
    return db_result(store::metrics_history_json(*s, req.claims->json, *seconds, sensor));
  });
}

// The fleet view (API.md "Sensors"): every sensor of the caller, from the database.
void register_sensors(Router& r, store::Session* s) {
  r.add(verb::get, "/api/sensors", Access::kViewer, [s](const Request& req) {
    if (!s) return disabled();
    Response err;
    auto stale = query_int(req, "stale_s", 60, 1, 86400, &err);
    if (!stale) return err;
    return db_result(store::sensors_json(*s, req.claims->json, *stale));
  });
}

// ?before= is "<at_ms>_<id>" (a page's next_before) or a plain epoch-ms integer.
bool parse_before(std::string_view v, store::AuditQuery& q) {
  const auto us = v.find('_');
  const std::string_view ms = v.substr(0, us);
  if (ms.empty() || ms.size() > 15) return false;
  int64_t n = 0;
  for (char c : ms) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  q.before_ms = n;
  if (us == std::string_view::npos) return true;
  q.before_id = std::string(v.substr(us + 1));
  return is_uuid(q.before_id);
}

// Access level: admin.
void register_audit(Router& r, store::Session* s) {
  r.add(verb::get, "/api/audit", Access::kAdmin, [s](const Request& req) {
    if (!s) return disabled();
    Response err;
    auto limit = query_int(req, "limit", 100, 1, 1000, &err);
    if (!limit) return err;
    store::AuditQuery q;
    q.limit = static_cast<int>(*limit);
    if (auto b = req.q("before"); b && !parse_before(*b, q))
      return json_error(400, "invalid_parameter",
                        "before: an epoch-ms integer or a page's next_before", "before");
    return db_result(store::audit_log_json(*s, req.claims->json, q));
  });
}

}  // namespace

void register_db_routes(Router& r, App& app, const DbRouteDeps& d) {
  if (d.session && d.limiter) {
    AuthRouteDeps a;
    a.session = d.session;
    a.limiter = d.limiter;
    a.revocations = d.revocations;
    a.audit = d.audit;
    a.hs256_secret = d.hs256_secret;
    a.issuer = d.issuer;
    a.access_ttl_s = d.access_ttl_s;
    a.refresh_ttl_s = d.refresh_ttl_s;
    register_auth_routes(r, std::move(a));
  } else {
    r.add(verb::post, "/api/auth/login", Access::kPublic,
          [](const Request&) { return disabled(); });
    r.add(verb::post, "/api/auth/refresh", Access::kPublic,
          [](const Request&) { return disabled(); });
    r.add(verb::post, "/api/auth/logout", Access::kViewer,
          [](const Request&) { return disabled(); });
  }
  register_history(r, app, d.session);
  register_audit(r, d.session);
  register_sensors(r, d.session);
}

bool is_db_request(const HttpIn& in) {
  auto n = normalize_target(in.target);  // the same normalization the dispatcher applies
  if (!n.target) return false;
  auto* t = &*n.target;
  if (t->path.rfind("/api/auth/", 0) == 0) return true;
  if (in.method != verb::get) return false;
  if (t->path == "/api/alerts/history" || t->path == "/api/config/history" ||
      t->path == "/api/audit" || t->path == "/api/sensors")
    return true;
  if (t->path != "/api/metrics/history") return false;
  auto it = t->query.find("source");
  return it != t->query.end() && it->second == "db";
}

}  // namespace securenet::control
