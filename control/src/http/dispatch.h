// From a parsed HTTP request to a Response, and the one place that decides access:
//   target normalization (target.h) -> Host check (DNS rebinding) -> Origin check ->
//   Content-Type of POST/PUT/PATCH/DELETE (JSON; a capture file for a BodyType::kCapture
//   route) -> route match -> token and role for the route's declared Access -> duplicate
//   JSON keys (JSON bodies) -> the handler.
// Nothing protected runs without verified claims of a sufficient role: a handler of a
// non-public route always sees a non-null Request::claims. Paths outside /api, /health
// and /metrics are the dashboard's static files (GET/HEAD only).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.h"
#include "http/router.h"
#include "http/static_files.h"

namespace securenet::control {

struct HttpIn {
  boost::beast::http::verb method;
  std::string_view target;
  std::string_view body;
  std::string_view authorization;  // the Authorization header value
  std::string_view peer;           // the client's IP address (from the socket)
  std::string_view host;           // the Host header ("" when absent)
  std::string_view origin;         // the Origin header ("" when absent)
  std::string_view content_type;   // the Content-Type header ("" when absent)
};

// Browser protections (API.md "Browser protections").
struct HttpPolicy {
  // Host names accepted in the Host header besides IP literals and localhost
  // (--server-name). An IP-literal Host is always accepted: DNS rebinding needs a name.
  std::vector<std::string> server_names;
  // Origins accepted besides the request's own (scheme://Host); --allowed-origin.
  std::vector<std::string> allowed_origins;
  bool tls = false;  // the scheme of the sensor's own origin
};

// Verifies a bearer token; nullopt = refuse (401). The reason goes to the log only.
using TokenChecker = std::function<std::optional<auth::Claims>(std::string_view token)>;

class Dispatcher {
 public:
  Dispatcher(const Router& router, TokenChecker check, const StaticFiles& files,
             HttpPolicy policy = {})
      : router_(router), check_(std::move(check)), files_(files), policy_(std::move(policy)) {}
  Response handle(const HttpIn& in) const;
  // The same checks on a request whose body has not been read (its headers only): the
  // refusal (4xx) the request would get whatever its body, or nullopt when it would reach
  // its handler. The server asks it before it reads an upload (ServerOptions::upload_refusal).
  std::optional<Response> refusal(const HttpIn& headers) const;

 private:
  std::optional<Response> check_browser(const HttpIn& in, BodyType body) const;
  // headers_only: stop once the access checks pass (admitted = true) without running the
  // handler.
  Response run(const HttpIn& in, bool headers_only, bool& admitted) const;
  const Router& router_;
  TokenChecker check_;
  const StaticFiles& files_;
  HttpPolicy policy_;
};

Response unauthorized();
bool host_allowed(std::string_view host, const HttpPolicy& p);

}  // namespace securenet::control
