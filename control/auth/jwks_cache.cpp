#include "jwks_cache.h"

namespace securenet::auth {

JwksCache::JwksCache(std::string url, Timing timing, HttpGetOptions http)
    : url_(std::move(url)), timing_(timing), http_(std::move(http)) {}

JwksCache::Keys JwksCache::fetch_locked(Clock::time_point now) {
  attempted_at_ = now;
  ++fetches_;
  auto body = http_get(url_, http_);
  if (body) {
    auto parsed = parse_jwks(*body);
    if (parsed) {
      keys_ = std::make_shared<const std::vector<PublicKey>>(std::move(*parsed));
      fetched_at_ = now;
      return keys_;
    }
  }
  if (fetched_at_ && now - *fetched_at_ > timing_.stale_limit) keys_.reset();
  return keys_;
}

JwksCache::Keys JwksCache::keys() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  const bool fresh = fetched_at_ && now - *fetched_at_ <= timing_.max_age;
  const bool tried_recently = attempted_at_ && now - *attempted_at_ < timing_.min_gap;
  if (fresh || tried_recently) {
    if (keys_ && fetched_at_ && now - *fetched_at_ > timing_.stale_limit) keys_.reset();
    return keys_;
  }
  return fetch_locked(now);
}

JwksCache::Keys JwksCache::refetch_for_unknown_kid() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  if (attempted_at_ && now - *attempted_at_ < timing_.min_gap) return nullptr;
  auto before = keys_;
  auto after = fetch_locked(now);
  return after == before ? nullptr : after;
}

size_t JwksCache::fetch_count() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace securenet::auth
