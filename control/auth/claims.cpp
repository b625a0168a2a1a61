#include "claims.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

namespace securenet::auth {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// One parser per thread: verify() runs on server threads concurrently.
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

Result<object> parse_object(std::string_view json, const char* what) {
  simdjson::padded_string padded(json);
  object obj;
  if (thread_parser().parse(padded).get(obj) != simdjson::SUCCESS) {
    return make_error(std::string(what) + " is not a JSON object");
  }
  // Duplicate names make a token mean different things to different parsers.
  std::vector<std::string_view> seen;
  for (auto field : obj) {
    if (std::find(seen.begin(), seen.end(), field.key) != seen.end()) {
      return make_error(std::string(what) + " has a duplicate member");
    }
    seen.push_back(field.key);
  }
  return obj;
}

enum class Get { kAbsent, kOk, kWrongType };

Get get_string(object o, const char* name, std::string& out) {
  element e;
  if (o[name].get(e) != simdjson::SUCCESS) return Get::kAbsent;
  std::string_view v;
  if (e.get(v) != simdjson::SUCCESS) return Get::kWrongType;
  out.assign(v);
  return Get::kOk;
}

// NumericDate: integer or finite number of seconds.
Get get_time(object o, const char* name, int64_t& out) {
  element e;
  if (o[name].get(e) != simdjson::SUCCESS) return Get::kAbsent;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
  if (e.get(i) == simdjson::SUCCESS) {
    out = i;
  } else if (e.get(u) == simdjson::SUCCESS) {
    out = INT64_MAX;
  } else if (e.get(d) == simdjson::SUCCESS && std::isfinite(d) && std::fabs(d) < 9e15) {
    out = static_cast<int64_t>(d);
  } else {
    return Get::kWrongType;
  }
  return Get::kOk;
}

// aud is a string or an array of strings; sets `matched` to the configured audience.
bool audience_ok(object o, const std::string& want, std::string& matched) {
  element e;
  if (o["aud"].get(e) != simdjson::SUCCESS) return want.empty();
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) {
    matched.assign(s);
    return want.empty() || s == want;
  }
  simdjson::dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) return false;
  bool found = false;
  for (element item : arr) {
    if (item.get(s) != simdjson::SUCCESS) return false;
    if (s == want) found = true;
  }
  if (found) matched = want;
  return found || want.empty();
}

Status check_times(object o, const AuthConfig& cfg, int64_t now, Claims& c) {
  const int64_t leeway = std::max<int64_t>(cfg.leeway_s, 0);
  if (get_time(o, "exp", c.exp) != Get::kOk) return make_error("token has no numeric exp");
  if (now > c.exp && now - c.exp > leeway) return make_error("token expired");
  int64_t nbf = 0;
  Get g = get_time(o, "nbf", nbf);
  if (g == Get::kWrongType) return make_error("token nbf is not a number");
  if (g == Get::kOk && nbf > now && nbf - now > leeway) return make_error("token not yet valid");
  g = get_time(o, "iat", c.iat);
  if (g == Get::kWrongType) return make_error("token iat is not a number");
  if (g == Get::kOk && c.iat > now && c.iat - now > leeway) {
    return make_error("token issued in the future");
  }
  return Ok{};
}

// app_metadata.securenet_role: absent -> viewer; anything unexpected -> kNone (deny).
AppRole app_role_of(object o) {
  element meta;
  if (o["app_metadata"].get(meta) != simdjson::SUCCESS) return AppRole::kViewer;
  object m;
  if (meta.get(m) != simdjson::SUCCESS) return AppRole::kNone;
  element r;
  if (m["securenet_role"].get(r) != simdjson::SUCCESS) return AppRole::kViewer;
  std::string_view v;
  if (r.get(v) != simdjson::SUCCESS) return AppRole::kNone;
  if (v == "viewer") return AppRole::kViewer;
  if (v == "operator") return AppRole::kOperator;
  if (v == "admin") return AppRole::kAdmin;
  return AppRole::kNone;
}

}  // namespace

const char* app_role_name(AppRole r) {
  switch (r) {
    case AppRole::kViewer:
      return "viewer";
    case AppRole::kOperator:
      return "operator";
    case AppRole::kAdmin:
      return "admin";
    case AppRole::kNone:
      break;
  }
  return "none";
}

Result<JoseHeader> parse_header(std::string_view json) {
  auto obj = parse_object(json, "JOSE header");
  if (!obj) return obj.error();
  JoseHeader h;
  if (get_string(*obj, "alg", h.alg) != Get::kOk) return make_error("JOSE header has no alg");
  Get kid = get_string(*obj, "kid", h.kid);
  if (kid == Get::kWrongType) return make_error("JOSE header kid is not a string");
  h.has_kid = kid == Get::kOk;
  std::string typ;
  if (get_string(*obj, "typ", typ) == Get::kWrongType) return make_error("JOSE typ not a string");
  element crit;
  if ((*obj)["crit"].get(crit) == simdjson::SUCCESS) return make_error("JOSE crit not supported");
  return h;
}

Result<Claims> check_claims(std::string_view json, const AuthConfig& cfg, int64_t now_s) {
  auto obj = parse_object(json, "claim set");
  if (!obj) return obj.error();
  Claims c;
  if (auto t = check_times(*obj, cfg, now_s, c); !t) return t.error();
  if (!audience_ok(*obj, cfg.audience, c.aud)) return make_error("token audience mismatch");
  if (get_string(*obj, "sub", c.sub) != Get::kOk || c.sub.empty()) {
    return make_error("token has no sub");
  }
  if (get_string(*obj, "role", c.role) != Get::kOk) return make_error("token has no role");
  if (!cfg.allowed_roles.empty() && std::find(cfg.allowed_roles.begin(), cfg.allowed_roles.end(),
                                              c.role) == cfg.allowed_roles.end()) {
    return make_error("token role not allowed: " + c.role);
  }
  if (!cfg.issuer.empty()) {
    std::string iss;
    if (get_string(*obj, "iss", iss) != Get::kOk || iss != cfg.issuer) {
      return make_error("token issuer mismatch");
    }
  }
  if (get_string(*obj, "email", c.email) == Get::kWrongType) c.email.clear();
  c.app_role = app_role_of(*obj);
  c.json.assign(json);
  return c;
}

}  // namespace securenet::auth
