// JWKS (RFC 7517) parsing into OpenSSL public keys: EC P-256 (ES256) and RSA (RS256).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "crypto.h"
#include "securenet/result.h"

namespace securenet::auth {

enum class KeyAlg { kES256, kRS256 };

struct PublicKey {
  std::string kid;  // may be empty
  KeyAlg alg;
  PkeyPtr pkey;
};

// Parses {"keys":[...]}. Keys that are not for signatures ("use" other than "sig"),
// of another type, curve or alg, are skipped; a malformed key of a supported type is an
// error, as is a document that is not a JWKS or holds no usable key.
Result<std::vector<PublicKey>> parse_jwks(std::string_view json);

}  // namespace securenet::auth
