// Reference: BM_HmacSha256Reference, a bare HMAC over a typical signing input. Compare
// the others to it (ratio of ns/op in the same run), e.g. HS256 verify = HMAC + base64url
// + two JSON parses + claim checks.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "auth/jwt.h"
#include "crypto.h"
#include "test_keys.h"

namespace {

using namespace securenet::auth;
using namespace securenet::auth::testing;

constexpr int64_t kNow = 1'780'000'000;
constexpr char kSecret[] = "bench-secret-bench-secret-bench-secret";

struct Fixture {
  TestKey ec = make_ec_key("ec");
  TestKey rsa = make_rsa_key("rsa");
  std::string hs = make_hs256(R"({"alg":"HS256","typ":"JWT"})", claims_json(kNow), kSecret);
  std::string es = make_token(R"({"alg":"ES256","kid":"ec","typ":"JWT"})", claims_json(kNow), ec);
  std::string rs = make_token(R"({"alg":"RS256","kid":"rsa","typ":"JWT"})", claims_json(kNow), rsa);
  Verifier verifier = [this] {
    AuthConfig cfg;
    cfg.hs256_secret = kSecret;
    cfg.jwks_file = write_temp_file("bench-jwks.json", jwks_of({&ec, &rsa}));
    auto v = Verifier::create(cfg);  // reads the file once
    std::filesystem::remove_all(std::filesystem::path(cfg.jwks_file).parent_path());
    return *v;
  }();
};

Fixture& fx() {
  static Fixture f;
  return f;
}

void BM_HmacSha256Reference(benchmark::State& state) {
  std::string input = fx().hs.substr(0, fx().hs.rfind('.'));
  for (auto _ : state) benchmark::DoNotOptimize(hmac_sha256(kSecret, input));
}
BENCHMARK(BM_HmacSha256Reference);

void verify(benchmark::State& state, const std::string& token) {
  for (auto _ : state) {
    auto r = fx().verifier.verify(token, kNow);
    if (!r.ok()) state.SkipWithError(r.error().message.c_str());
    benchmark::DoNotOptimize(r);
  }
}
void BM_VerifyHS256(benchmark::State& s) { verify(s, fx().hs); }
void BM_VerifyES256(benchmark::State& s) { verify(s, fx().es); }
void BM_VerifyRS256(benchmark::State& s) { verify(s, fx().rs); }
BENCHMARK(BM_VerifyHS256);
BENCHMARK(BM_VerifyES256);
BENCHMARK(BM_VerifyRS256);

void BM_VerifyBadSignatureHS256(benchmark::State& state) {
  std::string bad = fx().hs.substr(0, fx().hs.size() - 4) + "AAAA";
  for (auto _ : state) benchmark::DoNotOptimize(fx().verifier.verify(bad, kNow));
}
BENCHMARK(BM_VerifyBadSignatureHS256);

void BM_MintHS256(benchmark::State& state) {
  MintOptions o;
  o.sub = "6f1c2b8e-1d7a-4c55-9a0e-3c8f2d9b7a11";
  o.email = "a@example.com";
  for (auto _ : state) benchmark::DoNotOptimize(mint_hs256(kSecret, o, kNow));
}
BENCHMARK(BM_MintHS256);

}  // namespace
