#include "http/dispatch.h"

#include <boost/asio/ip/address.hpp>

#include "http/json_body.h"
#include "http/target.h"

namespace securenet::control {

namespace http = boost::beast::http;

static_assert(static_cast<int>(auth::AppRole::kViewer) == static_cast<int>(Access::kViewer) &&
                  static_cast<int>(auth::AppRole::kOperator) ==
                      static_cast<int>(Access::kOperator) &&
                  static_cast<int>(auth::AppRole::kAdmin) == static_cast<int>(Access::kAdmin) &&
                  static_cast<int>(auth::AppRole::kNone) == 0,
              "a token's role compares with a route's access level");

Response unauthorized() {
  auto r = json_error(401, "unauthorized", "missing or invalid token");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string_view bearer(std::string_view header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size() || !iequals(header.substr(0, kPrefix.size()), kPrefix))
    return {};
  return header.substr(kPrefix.size());
}

// "name[:port]" or "[v6][:port]" -> the name without the port.
std::string_view host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    return close == std::string_view::npos ? std::string_view{} : host.substr(1, close - 1);
  }
  auto colon = host.rfind(':');
  return colon == std::string_view::npos ? host : host.substr(0, colon);
}

bool is_ip_literal(std::string_view name) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(std::string(name), ec);
  return !ec;
}

bool has_body_semantics(http::verb m) {
  return m == http::verb::post || m == http::verb::put || m == http::verb::patch ||
         m == http::verb::delete_;
}

Response annotate(Response r, const std::string& path, const auth::Claims* claims) {
  r.access_path = path;
  if (claims) r.access_user = claims->sub;
  return r;
}

}  // namespace

bool host_allowed(std::string_view host, const HttpPolicy& p) {
  std::string_view name = host_name(host);
  if (name.empty()) return false;
  if (is_ip_literal(name)) return true;
  if (iequals(name, "localhost") || iequals(name, "localhost.")) return true;
  for (const auto& s : p.server_names) {
    if (iequals(name, s)) return true;
  }
  return false;
}

std::optional<Response> Dispatcher::check_browser(const HttpIn& in, BodyType body) const {
  if (!host_allowed(in.host, policy_)) {
    return json_error(
        421, "unknown_host",
        "the Host header names neither this sensor (--server-name) nor an IP address");
  }
  if (!in.origin.empty()) {
    std::string own = std::string(policy_.tls ? "https://" : "http://") + std::string(in.host);
    bool ok = iequals(in.origin, own);
    for (const auto& o : policy_.allowed_origins) ok = ok || iequals(in.origin, o);
    if (!ok)
      return json_error(403, "forbidden_origin", "requests from this Origin are not allowed");
  }
  if (has_body_semantics(in.method) && body == BodyType::kCapture) {
    if (!is_capture_media_type(in.content_type)) {
      return json_error(415, "unsupported_media_type",
                        "a capture upload needs Content-Type: application/vnd.tcpdump.pcap or "
                        "application/octet-stream");
    }
  } else if (has_body_semantics(in.method) && !is_json_media_type(in.content_type)) {
    return json_error(415, "unsupported_media_type",
                      "POST, PUT, PATCH and DELETE need Content-Type: application/json");
  }
  return std::nullopt;
}

Response Dispatcher::handle(const HttpIn& in) const {
  bool admitted = false;
  return run(in, false, admitted);
}

std::optional<Response> Dispatcher::refusal(const HttpIn& headers) const {
  bool admitted = false;
  Response r = run(headers, true, admitted);
  if (admitted) return std::nullopt;
  return r;
}

Response Dispatcher::run(const HttpIn& in, bool headers_only, bool& admitted) const {
  auto norm = normalize_target(in.target);
  if (!norm.target) return json_error(400, "bad_request", norm.error.detail);
  NormalTarget& t = *norm.target;
  auto m = router_.match(in.method, t.segments);
  if (auto refused = check_browser(in, m.handler ? m.body : BodyType::kJson))
    return annotate(std::move(*refused), t.path, nullptr);

  Request req;
  req.method = in.method;
  req.path = t.path;
  req.query = std::move(t.query);
  req.body = in.body;
  req.peer = in.peer;

  const bool api_ns = !t.segments.empty() && iequals(t.segments[0], "api");
  if (api_ns && t.segments[0] != "api")
    return annotate(json_error(404, "not_found", "no such endpoint"), req.path, nullptr);
  const bool api = api_ns || req.path == "/health" || req.path == "/metrics";
  if (!m.handler && !api) {
    if (req.method != http::verb::get && req.method != http::verb::head) {
      return annotate(json_error(405, "method_not_allowed", "static files are read-only"), req.path,
                      nullptr);
    }
    return annotate(files_.serve(req.path), req.path, nullptr);
  }

  // Deny by default: anything under /api but a public route needs a valid token, also to
  // learn that a path does not exist (404) or takes another method (405).
  const Access need = m.handler ? m.access : (m.path_known ? m.path_access : Access::kViewer);
  std::optional<auth::Claims> claims;
  if (need != Access::kPublic) {
    std::string_view token = bearer(in.authorization);
    if (token.empty() && req.path == "/api/events") {
      if (auto q = req.q("access_token")) token = *q;
    }
    if (token.empty() || !(claims = check_(token)))
      return annotate(unauthorized(), req.path, nullptr);
    req.claims = &*claims;
  }
  if (!m.handler) {
    if (m.path_known)
      return annotate(json_error(405, "method_not_allowed", "method not allowed on this path"),
                      req.path, req.claims);
    return annotate(json_error(404, "not_found", "no such endpoint"), req.path, req.claims);
  }
  if (need != Access::kPublic &&
      static_cast<uint8_t>(claims->app_role) < static_cast<uint8_t>(need)) {
    return annotate(
        json_error(403, "forbidden",
                   std::string("this needs the ") + access_name(need) +
                       " role; the token's role is " + auth::app_role_name(claims->app_role)),
        req.path, req.claims);
  }
  if (headers_only) {
    admitted = true;
    return Response{};
  }
  if (!req.body.empty() && m.body == BodyType::kJson) {
    if (auto dup = duplicate_json_key(req.body)) {
      return annotate(json_error(400, "duplicate_key",
                                 "the key \"" + *dup + "\" appears twice in one object", *dup),
                      req.path, req.claims);
    }
  }
  req.params = std::move(m.params);
  return annotate((*m.handler)(req), req.path, req.claims);
}

}  // namespace securenet::control
