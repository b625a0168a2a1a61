// JWKS fetched from a URL and cached: refreshed when older than `max_age` (10 min), and
// refetched early when a token names an unknown kid, at most once per `min_gap` (1 min).
// When a refresh fails the previous keys stay in use up to `stale_limit` (1 h).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http_get.h"
#include "jwk.h"

namespace securenet::auth {

class JwksCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Keys = std::shared_ptr<const std::vector<PublicKey>>;

  struct Timing {
    Clock::duration max_age = std::chrono::minutes(10);
    Clock::duration min_gap = std::chrono::minutes(1);
    Clock::duration stale_limit = std::chrono::hours(1);
  };

  JwksCache(std::string url, Timing timing, HttpGetOptions http = {});

  // Current keys (fetching first when none or too old); may be null when no fetch worked.
  Keys keys();
  // Called when no key matched the token's kid: refetches unless one was tried recently.
  // Returns the new keys, or null when nothing changed.
  Keys refetch_for_unknown_kid();
  size_t fetch_count() const;

 private:
  Keys fetch_locked(Clock::time_point now);

  const std::string url_;
  const Timing timing_;
  const HttpGetOptions http_;
  mutable std::mutex mu_;  // held across a fetch: concurrent verifiers wait for one fetch
  Keys keys_;
  std::optional<Clock::time_point> fetched_at_, attempted_at_;
  size_t fetches_ = 0;
};

}  // namespace securenet::auth
