// Test-only signer: generates EC P-256 / RSA keys, exports them as JWK, signs JWS tokens.
#pragma once

#include <cstdint>
#include <string>

#include "crypto.h"

namespace securenet::auth::testing {

struct TestKey {
  PkeyPtr pkey;
  std::string alg;  // "ES256" or "RS256"
  std::string kid;
  std::string jwk() const;                         // public JWK object JSON (with kid, alg, use)
  std::string public_pem() const;                  // SubjectPublicKeyInfo PEM
  std::string private_pem() const;                 // PKCS#8 PEM
  std::string sign(std::string_view input) const;  // JWS signature bytes (raw r||s for EC)
};

TestKey make_ec_key(std::string kid);
TestKey make_rsa_key(std::string kid, int bits = 2048);
std::string jwks_of(std::initializer_list<const TestKey*> keys);

// Builds header.payload.signature from JSON texts; signature by `key` or HMAC secret.
std::string make_token(std::string_view header_json, std::string_view payload_json,
                       const TestKey& key);
std::string make_hs256(std::string_view header_json, std::string_view payload_json,
                       std::string_view secret);
// A typical Supabase claim set around `now`.
std::string claims_json(int64_t now, std::string_view extra = "");

std::string write_temp_file(const std::string& name, const std::string& content);

}  // namespace securenet::auth::testing
