// A small synchronous HTTP/1.1 GET for fetching a JWKS (http:// or https:// with
// certificate and host name verification). No redirects; body capped.
#pragma once

#include <chrono>
#include <string>

#include "securenet/result.h"

namespace securenet::auth {

struct HttpGetOptions {
  std::chrono::milliseconds timeout{5000};
  size_t body_limit = 1 << 20;
  std::string ca_file;  // extra trust anchor for https (tests); system store otherwise
};

// Returns the body of a 200 response.
Result<std::string> http_get(const std::string& url, const HttpGetOptions& opt = {});

}  // namespace securenet::auth
