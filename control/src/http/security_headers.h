// The security headers on every response (API.md "Response headers"): the one list both
// the server's responses (server.cpp) and the event stream's hand-written header block
// (sse_hub.cpp) are built from.
#pragma once

#include <string_view>
#include <utility>

namespace securenet::control {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action "
    "'self'; "
    "frame-ancestors 'none'";

using HeaderPair = std::pair<std::string_view, std::string_view>;

inline constexpr HeaderPair kSecurityHeaders[] = {
    {"Content-Security-Policy", kContentSecurityPolicy},
    {"X-Frame-Options", "DENY"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
};
// Added under TLS only.
inline constexpr HeaderPair kHstsHeader = {"Strict-Transport-Security", "max-age=31536000"};

// Calls f(name, value) for each security header of a response over plain HTTP or TLS.
template <class F>
void for_each_security_header(bool tls, F&& f) {
  for (const auto& [k, v] : kSecurityHeaders) f(k, v);
  if (tls) f(kHstsHeader.first, kHstsHeader.second);
}

}  // namespace securenet::control
