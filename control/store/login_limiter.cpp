#include "login_limiter.h"

#include <algorithm>
#include <cctype>

namespace securenet::store {

namespace {
std::string pair_key(const std::string& addr, const std::string& account) {
  return account + '\n' + addr;  // '\n' appears in neither an address nor a checked email
}
}  // namespace

std::string limiter_account(std::string_view email) {
  std::string out(email);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int64_t LoginRateLimiter::delay_for(int n, int free, const LoginLimits& l) {
  if (n <= free) return 0;
  const int steps = std::min(n - free - 1, 30);
  return std::min<int64_t>(l.max_delay_s, l.base_delay_s << steps);
}

int64_t LoginRateLimiter::wait(Map& m, const std::string& key, int free, int64_t now_s) {
  auto it = m.find(key);
  if (it == m.end()) return 0;
  if (now_s - it->second.last_s >= lim_.forget_after_s) {
    m.erase(it);
    return 0;
  }
  const int64_t until = it->second.last_s + delay_for(it->second.failures, free, lim_);
  return std::max<int64_t>(0, until - now_s);
}

void LoginRateLimiter::make_room(Map& m, int64_t now_s) {
  if (m.size() < lim_.max_keys) return;
  for (auto it = m.begin(); it != m.end();) {
    it = now_s - it->second.last_s >= lim_.forget_after_s ? m.erase(it) : std::next(it);
  }
  // All live (an attacker spraying keys): drop arbitrary ones rather than grow.
  while (m.size() >= lim_.max_keys) m.erase(m.begin());
}

void LoginRateLimiter::bump(Map& m, const std::string& key, int64_t now_s) {
  auto it = m.find(key);
  if (it == m.end()) {
    make_room(m, now_s);
    it = m.emplace(key, Entry{}).first;
  } else if (now_s - it->second.last_s >= lim_.forget_after_s) {
    it->second.failures = 0;
  }
  it->second.failures = std::min(it->second.failures + 1, 1 << 20);
  it->second.last_s = now_s;
}

bool LoginRateLimiter::known(const std::string& pair, int64_t now_s) {
  auto it = known_.find(pair);
  return it != known_.end() && now_s - it->second < lim_.known_pair_s;
}

int64_t LoginRateLimiter::retry_after_s(const std::string& addr, const std::string& account,
                                        int64_t now_s) {
  std::lock_guard lk(mu_);
  int64_t w = wait(addrs_, addr, lim_.address_free, now_s);
  if (!account.empty()) {
    const std::string pair = pair_key(addr, account);
    w = std::max(w, wait(pairs_, pair, lim_.pair_free, now_s));
    if (!known(pair, now_s)) w = std::max(w, wait(accounts_, account, lim_.account_free, now_s));
  }
  return w > 0 ? std::max<int64_t>(w, 1) : 0;
}

void LoginRateLimiter::record_failure(const std::string& addr, const std::string& account,
                                      int64_t now_s) {
  std::lock_guard lk(mu_);
  bump(addrs_, addr, now_s);
  if (account.empty()) return;
  bump(pairs_, pair_key(addr, account), now_s);
  bump(accounts_, account, now_s);
}

void LoginRateLimiter::record_success(const std::string& addr, const std::string& account,
                                      int64_t now_s) {
  std::lock_guard lk(mu_);
  if (account.empty()) return;
  const std::string pair = pair_key(addr, account);
  pairs_.erase(pair);
  if (known_.size() >= lim_.max_keys && !known_.count(pair)) {
    for (auto it = known_.begin(); it != known_.end();)
      it = now_s - it->second >= lim_.known_pair_s ? known_.erase(it) : std::next(it);
    while (known_.size() >= lim_.max_keys) known_.erase(known_.begin());
  }
  known_[pair] = now_s;
}

}  // namespace securenet::store
