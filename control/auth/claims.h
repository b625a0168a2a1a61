// JOSE header and claim-set checks, apart from signatures.
#pragma once

#include <string>
#include <string_view>

#include "jwt.h"

namespace securenet::auth {

struct JoseHeader {
  std::string alg;
  std::string kid;
  bool has_kid = false;
};

// Rejects non-objects, duplicate member names, a non-string alg/kid/typ, and any "crit".
Result<JoseHeader> parse_header(std::string_view json);
// exp (required, with leeway), nbf, iat not in the future, aud, role, sub, iss.
Result<Claims> check_claims(std::string_view json, const AuthConfig& cfg, int64_t now_s);

}  // namespace securenet::auth
