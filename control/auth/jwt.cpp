#include "jwt.h"

#include <openssl/rand.h>
#include <sys/random.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "base64url.h"
#include "claims.h"
#include "crypto.h"
#include "jwk.h"
#include "jwks_cache.h"
#include "revocation.h"
#include "securenet/common/json_writer.h"

namespace securenet::auth {

struct Verifier::Impl {
  AuthConfig cfg;
  std::vector<PublicKey> file_keys;
  std::unique_ptr<JwksCache> url_keys;
};

namespace {

constexpr size_t kMaxTokenBytes = 16 * 1024;

struct Parts {
  std::string_view header, payload, signature, signing_input;
};

Result<Parts> split(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return make_error("token size out of range");
  size_t a = token.find('.');
  if (a == std::string_view::npos) return make_error("token is not three parts");
  size_t b = token.find('.', a + 1);
  if (b == std::string_view::npos || token.find('.', b + 1) != std::string_view::npos) {
    return make_error("token is not three parts");
  }
  Parts p{token.substr(0, a), token.substr(a + 1, b - a - 1), token.substr(b + 1),
          token.substr(0, b)};
  if (p.header.empty() || p.payload.empty() || p.signature.empty()) {
    return make_error("token has an empty part");  // also refuses unsigned (alg none) tokens
  }
  return p;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("cannot read " + path, errno);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool verify_with(const PublicKey& key, std::string_view input, std::string_view sig) {
  return key.alg == KeyAlg::kES256 ? verify_es256(key.pkey.get(), input, sig)
                                   : verify_rs256(key.pkey.get(), input, sig);
}

enum class Match { kVerified, kBadSignature, kNoKey };

// Only keys of the token's alg are ever tried; with a kid, only that kid.
Match try_keys(const std::vector<PublicKey>& keys, KeyAlg alg, const JoseHeader& h,
               std::string_view input, std::string_view sig) {
  Match m = Match::kNoKey;
  for (const auto& k : keys) {
    if (k.alg != alg || (h.has_kid && k.kid != h.kid)) continue;
    if (verify_with(k, input, sig)) return Match::kVerified;
    m = Match::kBadSignature;
  }
  return m;
}

Status verify_public(const Verifier::Impl& impl, KeyAlg alg, const JoseHeader& h,
                     std::string_view input, std::string_view sig) {
  Match m = try_keys(impl.file_keys, alg, h, input, sig);
  if (m == Match::kVerified) return Ok{};
  if (impl.url_keys) {
    auto keys = impl.url_keys->keys();
    Match u = keys ? try_keys(*keys, alg, h, input, sig) : Match::kNoKey;
    if (u == Match::kVerified) return Ok{};
    if (u == Match::kNoKey && m == Match::kNoKey && h.has_kid) {
      auto fresh = impl.url_keys->refetch_for_unknown_kid();
      if (fresh && try_keys(*fresh, alg, h, input, sig) == Match::kVerified) return Ok{};
    }
    if (u == Match::kBadSignature) m = u;
  }
  return make_error(m == Match::kNoKey ? "no key for token alg/kid" : "bad token signature");
}

Status verify_signature(const Verifier::Impl& impl, const JoseHeader& h, std::string_view input,
                        std::string_view sig) {
  if (h.alg == "HS256") {
    if (impl.cfg.hs256_secret.empty()) return make_error("HS256 tokens not accepted");
    if (!constant_time_equal(hmac_sha256(impl.cfg.hs256_secret, input), sig)) {
      return make_error("bad token signature");
    }
    return Ok{};
  }
  if (h.alg == "ES256") return verify_public(impl, KeyAlg::kES256, h, input, sig);
  if (h.alg == "RS256") return verify_public(impl, KeyAlg::kRS256, h, input, sig);
  return make_error("token alg not accepted");
}

// 128 random bits as 32 hex characters (RAND_bytes; aborts never, falls back to getrandom).
std::string random_token_id() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    size_t got = 0;
    while (got < sizeof b) {
      ssize_t r = ::getrandom(b + got, sizeof b - got, 0);
      if (r > 0) got += static_cast<size_t>(r);
    }
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : b) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

Result<Verifier> Verifier::create(const AuthConfig& cfg) {
  auto impl = std::make_shared<Impl>();
  impl->cfg = cfg;
  if (!cfg.jwks_file.empty()) {
    auto text = read_file(cfg.jwks_file);
    if (!text) return text.error();
    auto keys = parse_jwks(*text);
    if (!keys) return make_error(cfg.jwks_file + ": " + keys.error().message);
    impl->file_keys = std::move(*keys);
  }
  if (!cfg.jwks_url.empty()) {
    if (!cfg.jwks_url.starts_with("http://") && !cfg.jwks_url.starts_with("https://")) {
      return make_error("jwks_url must start with http:// or https://");
    }
    JwksCache::Timing timing;
    timing.max_age = std::chrono::seconds(std::max<int64_t>(cfg.jwks_max_age_s, 0));
    timing.min_gap = std::chrono::seconds(std::max<int64_t>(cfg.jwks_refetch_gap_s, 0));
    impl->url_keys =
        std::make_unique<JwksCache>(cfg.jwks_url, timing, HttpGetOptions{}, cfg.jwks_background);
  }
  if (cfg.hs256_secret.empty() && impl->file_keys.empty() && !impl->url_keys) {
    return make_error("auth: configure an HS256 secret, a JWKS file or a JWKS URL");
  }
  return Verifier(std::move(impl));
}

Result<Claims> Verifier::verify(std::string_view token, int64_t now_s) const {
  auto parts = split(token);
  if (!parts) return parts.error();
  auto header_json = base64url_decode(parts->header);
  auto payload_json = base64url_decode(parts->payload);
  auto sig = base64url_decode(parts->signature);
  if (!header_json || !payload_json || !sig) return make_error("token is not base64url");
  auto header = parse_header(*header_json);
  if (!header) return header.error();
  if (auto s = verify_signature(*impl_, *header, parts->signing_input, *sig); !s) {
    return s.error();
  }
  auto claims = check_claims(*payload_json, impl_->cfg, now_s);
  if (claims && impl_->cfg.revocations &&
      impl_->cfg.revocations->is_revoked(jti_of(claims->json), now_s)) {
    return make_error("token revoked (logged out)");
  }
  return claims;
}

size_t Verifier::jwks_fetch_count() const {
  return impl_->url_keys ? impl_->url_keys->fetch_count() : 0;
}

Status Verifier::warm_jwks() const {
  return impl_->url_keys ? impl_->url_keys->warm() : Status(Ok{});
}

std::string mint_hs256(const std::string& secret, const MintOptions& o, int64_t now_s) {
  std::string p = "{";
  auto str = [&p](const char* name, std::string_view v) {
    if (p.size() > 1) p += ',';
    append_json_string(p, name);
    p += ':';
    append_json_string(p, v);
  };
  auto num = [&p](const char* name, int64_t v) {
    p += ',';
    append_json_string(p, name);
    p += ':' + std::to_string(v);
  };
  if (!o.issuer.empty()) str("iss", o.issuer);
  str("sub", o.sub);
  str("aud", o.audience);
  num("exp", now_s + o.ttl_s);
  num("iat", now_s);
  str("email", o.email);
  str("role", o.role);
  str("aal", "aal1");
  str("jti", o.jti.empty() ? random_token_id() : o.jti);
  if (!o.session_id.empty()) str("session_id", o.session_id);
  if (!o.app_role.empty()) {
    p += ",\"app_metadata\":{";
    append_json_string(p, "securenet_role");
    p += ':';
    append_json_string(p, o.app_role);
    p += '}';
  }
  p += ",\"is_anonymous\":false}";
  std::string input =
      base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + '.' + base64url_encode(p);
  std::string sig = base64url_encode(hmac_sha256(secret, input));
  return input + '.' + sig;
}

}  // namespace securenet::auth
