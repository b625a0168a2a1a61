// Per-address failed-login limiter (in memory): after max_failures failures within the
// window, further attempts get 429 with Retry-After until the oldest failure ages out.
// Thread-safe; bounded number of tracked addresses.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace securenet::store {

class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(int max_failures = 5, int64_t window_s = 60,
                            size_t max_addresses = 100000)
      : max_failures_(max_failures), window_s_(window_s), max_addresses_(max_addresses) {}

  // 0 when an attempt is allowed now, else the seconds to wait (for Retry-After).
  int64_t retry_after_s(const std::string& addr, int64_t now_s);
  void record_failure(const std::string& addr, int64_t now_s);
  void record_success(const std::string& addr);

 private:
  void prune(std::deque<int64_t>& q, int64_t now_s) const;
  void evict(int64_t now_s);

  int max_failures_;
  int64_t window_s_;
  size_t max_addresses_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace securenet::store
