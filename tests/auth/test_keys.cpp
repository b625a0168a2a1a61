#include "test_keys.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "base64url.h"

namespace securenet::auth::testing {
namespace {

std::string bn_param(EVP_PKEY* k, const char* name, size_t pad_to = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &bn) != 1) throw std::runtime_error("get bn param");
  size_t len = std::max<size_t>(pad_to, size_t(BN_num_bytes(bn)));
  std::string out(len, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), int(len));
  BN_free(bn);
  return out;
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, size_t(len));
}

std::string der_to_raw(const std::string& der) {
  auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, long(der.size()));
  if (!sig) throw std::runtime_error("bad DER sig");
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
  ECDSA_SIG_free(sig);
  return raw;
}

}  // namespace

std::string TestKey::jwk() const {
  std::string common = "\"kid\":\"" + kid + "\",\"alg\":\"" + alg + "\",\"use\":\"sig\"";
  if (alg == "ES256") {
    return "{\"kty\":\"EC\",\"crv\":\"P-256\"," + common + ",\"x\":\"" +
           base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)) + "\",\"y\":\"" +
           base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)) + "\"}";
  }
  return "{\"kty\":\"RSA\"," + common + ",\"n\":\"" +
         base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N)) + "\",\"e\":\"" +
         base64url_encode(bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E)) + "\"}";
}

std::string TestKey::public_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), pkey.get());
  return bio_string(bio.get());
}

std::string TestKey::private_pem() const {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_PrivateKey(bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return bio_string(bio.get());
}

std::string TestKey::sign(std::string_view input) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  size_t len = 0;
  auto* in = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, in, input.size()) != 1) {
    throw std::runtime_error("sign init");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, in,
                     input.size()) != 1) {
    throw std::runtime_error("sign");
  }
  sig.resize(len);
  return alg == "ES256" ? der_to_raw(sig) : sig;
}

TestKey make_ec_key(std::string kid) {
  return TestKey{adopt_pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")), "ES256",
                 std::move(kid)};
}

TestKey make_rsa_key(std::string kid, int bits) {
  return TestKey{adopt_pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t(bits))), "RS256",
                 std::move(kid)};
}

std::string jwks_of(std::initializer_list<const TestKey*> keys) {
  std::string out = "{\"keys\":[";
  for (const TestKey* k : keys) {
    if (out.back() != '[') out += ',';
    out += k->jwk();
  }
  return out + "]}";
}

std::string make_token(std::string_view header_json, std::string_view payload_json,
                       const TestKey& key) {
  std::string input = base64url_encode(header_json) + '.' + base64url_encode(payload_json);
  return input + '.' + base64url_encode(key.sign(input));
}

std::string make_hs256(std::string_view header_json, std::string_view payload_json,
                       std::string_view secret) {
  std::string input = base64url_encode(header_json) + '.' + base64url_encode(payload_json);
  return input + '.' + base64url_encode(hmac_sha256(secret, input));
}

std::string claims_json(int64_t now, std::string_view extra) {
  std::string s =
      "{\"iss\":\"https://ref.supabase.co/auth/v1\",\"aud\":\"authenticated\","
      "\"exp\":" +
      std::to_string(now + 3600) + ",\"iat\":" + std::to_string(now) +
      ",\"sub\":\"6f1c2b8e-1d7a-4c55-9a0e-3c8f2d9b7a11\",\"email\":\"a@example.com\","
      "\"role\":\"authenticated\",\"aal\":\"aal1\"";
  if (!extra.empty()) s += "," + std::string(extra);
  return s + "}";
}

std::string write_temp_file(const std::string& name, const std::string& content) {
  auto dir =
      std::filesystem::temp_directory_path() / ("securenet-auth-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / name;
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

}  // namespace securenet::auth::testing
