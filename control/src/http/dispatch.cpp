#include "http/dispatch.h"

#include "util/url.h"

namespace securenet::control {

namespace http = boost::beast::http;

bool needs_auth(std::string_view path) {
  return (path == "/api" || path.rfind("/api/", 0) == 0) && path.rfind("/api/auth/", 0) != 0;
}

Response unauthorized() {
  auto r = json_error(401, "unauthorized", "missing or invalid token");
  r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

namespace {
std::string_view bearer(std::string_view header) {
  constexpr std::string_view kPrefix = "Bearer ";
  if (header.size() <= kPrefix.size()) return {};
  for (size_t i = 0; i < kPrefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != std::tolower(static_cast<unsigned char>(kPrefix[i]))) return {};
  }
  return header.substr(kPrefix.size());
}
}  // namespace

Response Dispatcher::handle(const HttpIn& in) const {
  auto target = split_target(in.target);
  if (!target) return json_error(400, "bad_request", "malformed request target");
  Request req;
  req.method = in.method;
  req.path = target->path;
  req.query = std::move(target->query);
  req.body = in.body;
  req.peer = in.peer;

  std::optional<auth::Claims> claims;
  if (needs_auth(req.path)) {
    std::string_view token = bearer(in.authorization);
    if (token.empty() && req.path == "/api/events") {
      if (auto q = req.q("access_token")) token = *q;
    }
    if (token.empty() || !(claims = check_(token))) return unauthorized();
    req.claims = &*claims;
  }
  bool api = req.path == "/health" || req.path == "/metrics" || req.path.rfind("/api", 0) == 0;
  auto m = router_.match(req.method, req.path);
  if (m.bad_escape) return json_error(400, "bad_request", "malformed percent-escape in the path");
  if (m.handler) {
    req.params = std::move(m.params);
    return (*m.handler)(req);
  }
  if (m.path_known) return json_error(405, "method_not_allowed", "method not allowed on this path");
  if (api) return json_error(404, "not_found", "no such endpoint");
  if (req.method != http::verb::get && req.method != http::verb::head) {
    return json_error(405, "method_not_allowed", "static files are read-only");
  }
  return files_.serve(req.path);
}

}  // namespace securenet::control
