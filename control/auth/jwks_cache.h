// JWKS fetched from a URL and cached: refreshed when older than `max_age` (10 min), and
// refetched early when a token names an unknown kid, at most once per `min_gap` (1 min).
// When a refresh fails the previous keys stay in use up to `stale_limit` (1 h).
//
// Two modes. Blocking (the default): a call that needs a fetch makes it on the caller's
// thread (at most `http.timeout`, 5 s), so the same call sees the new keys. Background:
// fetches run on the cache's own thread and never hold up a caller; stale keys are served
// while a refresh runs, and a token with an unknown kid is refused until the refetch it
// triggered has landed. A server on one event loop uses background mode and warm() at start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

  JwksCache(std::string url, Timing timing, HttpGetOptions http = {}, bool background = false);
  ~JwksCache();
  JwksCache(const JwksCache&) = delete;
  JwksCache& operator=(const JwksCache&) = delete;

  // Current keys; may be null when no fetch worked. Blocking mode fetches first when there
  // are none or they are too old; background mode asks its thread to and returns at once.
  Keys keys();
  // Called when no key matched the token's kid: refetches unless one was tried recently.
  // Returns the new keys, or null when nothing changed (always null in background mode:
  // the refetch lands later).
  Keys refetch_for_unknown_kid();
  // Fetches now on the caller's thread (start-up); the error says why it failed.
  Status warm();
  size_t fetch_count() const;

 private:
  Keys fetch_locked(Clock::time_point now);
  void install_locked(Result<std::vector<PublicKey>> parsed, Clock::time_point fetched);
  bool tried_recently_locked(Clock::time_point now) const;
  void drop_expired_locked(Clock::time_point now);
  void request_locked(Clock::time_point now);
  void run_background();

  const std::string url_;
  const Timing timing_;
  const HttpGetOptions http_;
  const bool background_;
  mutable std::mutex mu_;  // blocking mode: held across a fetch, so verifiers share one
  std::condition_variable cv_;
  Keys keys_;
  std::optional<Clock::time_point> fetched_at_, attempted_at_;
  size_t fetches_ = 0;
  bool requested_ = false;  // background: a fetch is wanted or running
  bool stopping_ = false;
  std::thread thread_;  // background mode only
};

}  // namespace securenet::auth
