#include "jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <simdjson.h>

#include <optional>

#include "base64url.h"

namespace securenet::auth {
namespace {

struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* b) const { OSSL_PARAM_BLD_free(b); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::optional<std::string> field(simdjson::dom::object key, const char* name) {
  std::string_view v;
  if (key[name].get(v) != simdjson::SUCCESS) return std::nullopt;
  return std::string(v);
}

std::optional<std::string> b64_field(simdjson::dom::object key, const char* name) {
  auto text = field(key, name);
  if (!text) return std::nullopt;
  return base64url_decode(*text);
}

Result<PkeyPtr> from_params(const char* type, OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return make_error(std::string("jwks: invalid ") + type + " key parameters");
  }
  PkeyPtr key = adopt_pkey(raw);
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, raw, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) != 1) {
    return make_error(std::string("jwks: ") + type + " public key fails validation");
  }
  return key;
}

Result<PkeyPtr> ec_key(simdjson::dom::object jwk) {
  auto x = b64_field(jwk, "x");
  auto y = b64_field(jwk, "y");
  if (!x || !y || x->size() != 32 || y->size() != 32) {
    return make_error("jwks: EC P-256 key needs 32-byte base64url x and y");
  }
  std::string point = "\x04" + *x + *y;
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return make_error("jwks: out of memory building EC key");
  }
  return from_params("EC", bld.get());
}

Result<PkeyPtr> rsa_key(simdjson::dom::object jwk) {
  auto n = b64_field(jwk, "n");
  auto e = b64_field(jwk, "e");
  if (!n || !e || n->empty() || e->empty() || e->size() > 8) {
    return make_error("jwks: RSA key needs base64url n and e");
  }
  BnPtr bn_n(BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), int(n->size()), nullptr));
  BnPtr bn_e(BN_bin2bn(reinterpret_cast<const unsigned char*>(e->data()), int(e->size()), nullptr));
  if (!bn_n || !bn_e) return make_error("jwks: out of memory building RSA key");
  if (BN_num_bits(bn_n.get()) < 2048) return make_error("jwks: RSA key shorter than 2048 bits");
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return make_error("jwks: out of memory building RSA key");
  }
  return from_params("RSA", bld.get());
}

// nullopt = skip this key (not ours); an Error = a broken key of a type we use.
std::optional<Result<PublicKey>> parse_key(simdjson::dom::object jwk) {
  auto kty = field(jwk, "kty");
  auto use = field(jwk, "use");
  auto alg = field(jwk, "alg");
  if (!kty || (use && *use != "sig")) return std::nullopt;
  PublicKey out{field(jwk, "kid").value_or(""), KeyAlg::kES256, nullptr};
  if (*kty == "EC") {
    if (field(jwk, "crv").value_or("") != "P-256" || (alg && *alg != "ES256")) return std::nullopt;
    auto key = ec_key(jwk);
    if (!key) return Result<PublicKey>(key.error());
    out.pkey = std::move(*key);
    out.alg = KeyAlg::kES256;
    return Result<PublicKey>(std::move(out));
  }
  if (*kty == "RSA") {
    if (alg && *alg != "RS256") return std::nullopt;
    auto key = rsa_key(jwk);
    if (!key) return Result<PublicKey>(key.error());
    out.pkey = std::move(*key);
    out.alg = KeyAlg::kRS256;
    return Result<PublicKey>(std::move(out));
  }
  return std::nullopt;  // "oct" and anything else: never a public verification key
}

}  // namespace

Result<std::vector<PublicKey>> parse_jwks(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc) != simdjson::SUCCESS) return make_error("jwks: not valid JSON");
  simdjson::dom::array keys;
  if (doc["keys"].get(keys) != simdjson::SUCCESS) return make_error("jwks: no \"keys\" array");
  std::vector<PublicKey> out;
  for (simdjson::dom::element item : keys) {
    simdjson::dom::object jwk;
    if (item.get(jwk) != simdjson::SUCCESS) return make_error("jwks: key is not an object");
    auto parsed = parse_key(jwk);
    if (!parsed) continue;
    if (!*parsed) return parsed->error();
    out.push_back(std::move(parsed->value()));
  }
  if (out.empty()) return make_error("jwks: no usable ES256/RS256 signing key");
  return out;
}

}  // namespace securenet::auth
