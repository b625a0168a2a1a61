#include "crypto.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/hmac.h>

namespace securenet::auth {
namespace {

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};

bool digest_verify(EVP_PKEY* key, std::string_view input, const unsigned char* sig,
                   size_t sig_len) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) return false;
  int rc = EVP_DigestVerify(ctx.get(), sig, sig_len,
                            reinterpret_cast<const unsigned char*>(input.data()), input.size());
  return rc == 1;
}

// JWS ES256 signatures are r||s; OpenSSL wants a DER ECDSA-Sig-Value.
std::string raw_to_der(std::string_view raw) {
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> sig(ECDSA_SIG_new());
  if (!sig) return {};
  auto* p = reinterpret_cast<const unsigned char*>(raw.data());
  BIGNUM* r = BN_bin2bn(p, 32, nullptr);
  BIGNUM* s = BN_bin2bn(p + 32, 32, nullptr);
  if (!r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return {};
  std::string der(static_cast<size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return {};
  return der;
}

}  // namespace

PkeyPtr adopt_pkey(EVP_PKEY* raw) {
  return PkeyPtr(raw, [](EVP_PKEY* k) { EVP_PKEY_free(k); });
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // HMAC() with a zero-length key is allowed; the caller refuses empty secrets.
  static const char kEmpty = 0;
  const char* k = key.empty() ? &kEmpty : key.data();
  if (!HMAC(EVP_sha256(), k, static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len)) {
    return {};
  }
  return std::string(reinterpret_cast<char*>(out), len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool verify_es256(EVP_PKEY* key, std::string_view signing_input, std::string_view raw_sig) {
  if (!key || raw_sig.size() != 64 || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  size_t glen = 0;
  if (EVP_PKEY_get_utf8_string_param(key, "group", group, sizeof group, &glen) != 1) return false;
  if (std::string_view(group, glen) != "prime256v1") return false;
  std::string der = raw_to_der(raw_sig);
  if (der.empty()) return false;
  return digest_verify(key, signing_input, reinterpret_cast<const unsigned char*>(der.data()),
                       der.size());
}

bool verify_rs256(EVP_PKEY* key, std::string_view signing_input, std::string_view sig) {
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || EVP_PKEY_get_bits(key) < 2048) {
    return false;
  }
  if (sig.size() != static_cast<size_t>(EVP_PKEY_get_size(key))) return false;
  return digest_verify(key, signing_input, reinterpret_cast<const unsigned char*>(sig.data()),
                       sig.size());
}

}  // namespace securenet::auth
