#include "jwks_cache.h"

namespace securenet::auth {
namespace {

// One GET + parse, no lock held: the caller installs the result.
Result<std::vector<PublicKey>> fetch_keys(const std::string& url, const HttpGetOptions& http) {
  auto body = http_get(url, http);
  if (!body) return body.error();
  return parse_jwks(*body);
}

}  // namespace

JwksCache::JwksCache(std::string url, Timing timing, HttpGetOptions http, bool background)
    : url_(std::move(url)), timing_(timing), http_(std::move(http)), background_(background) {
  if (background_) thread_ = std::thread([this] { run_background(); });
}

JwksCache::~JwksCache() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();  // waits out a fetch in flight (bounded by http_.timeout)
}

bool JwksCache::tried_recently_locked(Clock::time_point now) const {
  return attempted_at_ && now - *attempted_at_ < timing_.min_gap;
}

void JwksCache::drop_expired_locked(Clock::time_point now) {
  if (keys_ && fetched_at_ && now - *fetched_at_ > timing_.stale_limit) keys_.reset();
}

// A fetch's outcome: its keys, or on failure the old ones until they pass stale_limit.
void JwksCache::install_locked(Result<std::vector<PublicKey>> parsed, Clock::time_point fetched) {
  if (parsed) {
    keys_ = std::make_shared<const std::vector<PublicKey>>(std::move(*parsed));
    fetched_at_ = fetched;
  } else {
    drop_expired_locked(Clock::now());
  }
}

JwksCache::Keys JwksCache::fetch_locked(Clock::time_point now) {
  attempted_at_ = now;
  ++fetches_;
  install_locked(fetch_keys(url_, http_), now);
  return keys_;
}

// Background mode: wake the fetch thread unless a fetch is pending or was tried recently.
void JwksCache::request_locked(Clock::time_point now) {
  if (requested_ || tried_recently_locked(now)) return;
  requested_ = true;
  cv_.notify_one();
}

void JwksCache::run_background() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    const auto started = Clock::now();
    attempted_at_ = started;
    ++fetches_;
    lock.unlock();
    auto parsed = fetch_keys(url_, http_);  // callers keep using the old keys meanwhile
    lock.lock();
    install_locked(std::move(parsed), started);
    requested_ = false;
  }
}

JwksCache::Keys JwksCache::keys() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  const bool fresh = fetched_at_ && now - *fetched_at_ <= timing_.max_age;
  if (fresh || tried_recently_locked(now)) {
    drop_expired_locked(now);
    return keys_;
  }
  if (!background_) return fetch_locked(now);
  request_locked(now);
  drop_expired_locked(now);
  return keys_;
}

JwksCache::Keys JwksCache::refetch_for_unknown_kid() {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  if (background_) {
    request_locked(now);
    return nullptr;
  }
  if (tried_recently_locked(now)) return nullptr;
  auto before = keys_;
  auto after = fetch_locked(now);
  return after == before ? nullptr : after;
}

Status JwksCache::warm() {
  auto parsed = fetch_keys(url_, http_);
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  attempted_at_ = now;
  ++fetches_;
  Status st = parsed ? Status(Ok{}) : Status(make_error(url_ + ": " + parsed.error().message));
  install_locked(std::move(parsed), now);
  return st;
}

size_t JwksCache::fetch_count() const {
  std::lock_guard lock(mu_);
  return fetches_;
}

}  // namespace securenet::auth
