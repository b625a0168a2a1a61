// The few signature primitives JWS needs, on OpenSSL 3 EVP APIs.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <string>
#include <string_view>

namespace securenet::auth {

// Shared, immutable public key (EVP_PKEY is reference counted and safe to use from
// several threads for verification).
using PkeyPtr = std::shared_ptr<EVP_PKEY>;
PkeyPtr adopt_pkey(EVP_PKEY* raw);

std::string hmac_sha256(std::string_view key, std::string_view data);
// Constant-time for equal lengths; different lengths are not equal.
bool constant_time_equal(std::string_view a, std::string_view b);

// `raw_sig` is the JWS form: r||s, 32 bytes each. Key must be an EC P-256 key.
bool verify_es256(EVP_PKEY* key, std::string_view signing_input, std::string_view raw_sig);
// PKCS#1 v1.5 with SHA-256. Key must be an RSA key of at least 2048 bits.
bool verify_rs256(EVP_PKEY* key, std::string_view signing_input, std::string_view sig);

}  // namespace securenet::auth
