// Fuzzes what an attacker controls: the bearer token (base64url, JOSE header, claims,
// signature dispatch) and, separately, a JWKS document.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/jwt.h"
#include "base64url.h"
#include "claims.h"
#include "jwk.h"

namespace {

const securenet::auth::Verifier& verifier() {
  static const securenet::auth::Verifier v = [] {
    securenet::auth::AuthConfig cfg;
    cfg.hs256_secret = "fuzz-secret-fuzz-secret-fuzz-secret";
    return *securenet::auth::Verifier::create(cfg);
  }();
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace securenet::auth;
  switch (data[0] % 4) {
    case 0: {
      auto r = verifier().verify(in, 1'780'000'000);
      if (r.ok() && r->sub.empty()) __builtin_trap();  // an accepted token always has a sub
      break;
    }
    case 1: {
      auto decoded = base64url_decode(in);
      if (decoded && base64url_encode(*decoded) != in) __builtin_trap();  // canonical only
      break;
    }
    case 2: {
      (void)parse_header(in);
      (void)check_claims(in, AuthConfig{}, 1'780'000'000);
      break;
    }
    default:
      (void)parse_jwks(in);
  }
  return 0;
}
