// From a parsed HTTP request to a Response: /health, the auth middleware on /api/*
// (except /api/auth/*), the route table, the event stream hand-over and static files.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

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
};

// Verifies a bearer token; nullopt = refuse (401). The reason goes to the log only.
using TokenChecker = std::function<std::optional<auth::Claims>(std::string_view token)>;

class Dispatcher {
 public:
  Dispatcher(const Router& router, TokenChecker check, const StaticFiles& files)
      : router_(router), check_(std::move(check)), files_(files) {}
  Response handle(const HttpIn& in) const;

 private:
  const Router& router_;
  TokenChecker check_;
  const StaticFiles& files_;
};

bool needs_auth(std::string_view path);
Response unauthorized();

}  // namespace securenet::control
