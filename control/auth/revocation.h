// Access tokens revoked before their exp (POST /api/auth/logout): a small in-memory set of
// token ids (the jti claim), each kept until the token would have expired anyway, then
// forgotten. Verifier::verify() consults it (AuthConfig::revocations), so every place that
// checks a token refuses a revoked one. Thread-safe (logout runs on a pool thread,
// verification on the server's).
//
// Bounded: at most `capacity` live entries; when full, the entry that expires first is
// dropped (with a 15-minute access TTL that takes ~capacity logouts in 15 minutes).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace securenet::auth {

class RevocationList {
 public:
  explicit RevocationList(size_t capacity = 100000) : capacity_(capacity) {}

  // Revokes the token id until exp_s (epoch seconds); an empty jti is ignored.
  void revoke(std::string_view jti, int64_t exp_s, int64_t now_s);
  // True while a revoked jti has not reached its exp. An empty jti is never revoked.
  bool is_revoked(std::string_view jti, int64_t now_s) const;
  size_t size() const;

 private:
  void expire(int64_t now_s);  // caller holds mu_

  size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, int64_t> exp_by_jti_;
  std::multimap<int64_t, std::string> by_exp_;
};

// The jti claim of a claim-set JSON ("" when absent or not a string).
std::string jti_of(std::string_view claims_json);
// The session_id claim ("" when absent or not a string).
std::string session_id_of(std::string_view claims_json);

}  // namespace securenet::auth
