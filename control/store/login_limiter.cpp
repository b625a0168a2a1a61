#include "login_limiter.h"

#include <algorithm>

namespace securenet::store {

void LoginRateLimiter::prune(std::deque<int64_t>& q, int64_t now_s) const {
  while (!q.empty() && q.front() + window_s_ <= now_s) q.pop_front();
}

int64_t LoginRateLimiter::retry_after_s(const std::string& addr, int64_t now_s) {
  std::lock_guard lk(mu_);
  auto it = failures_.find(addr);
  if (it == failures_.end()) return 0;
  prune(it->second, now_s);
  if (static_cast<int>(it->second.size()) < max_failures_) return 0;
  return std::max<int64_t>(1, it->second.front() + window_s_ - now_s);
}

void LoginRateLimiter::record_failure(const std::string& addr, int64_t now_s) {
  std::lock_guard lk(mu_);
  if (failures_.size() >= max_addresses_ && !failures_.count(addr)) evict(now_s);
  auto& q = failures_[addr];
  prune(q, now_s);
  q.push_back(now_s);
  while (static_cast<int>(q.size()) > max_failures_) q.pop_front();
}

void LoginRateLimiter::record_success(const std::string& addr) {
  std::lock_guard lk(mu_);
  failures_.erase(addr);
}

// Drops addresses with no failure in the window; if all are live, drops one at random
// (an attacker spraying addresses cannot grow memory without bound).
void LoginRateLimiter::evict(int64_t now_s) {
  for (auto it = failures_.begin(); it != failures_.end();) {
    prune(it->second, now_s);
    it = it->second.empty() ? failures_.erase(it) : std::next(it);
  }
  if (failures_.size() >= max_addresses_) failures_.erase(failures_.begin());
}

}  // namespace securenet::store
