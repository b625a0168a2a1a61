// Failed-login limiter (in memory, thread-safe, bounded memory).
//
// Failures are counted under three keys, each with its own free allowance and then an
// exponential back-off (base_delay_s doubling per further failure, capped at max_delay_s):
//   - the (account, address) pair: the lockout. A few free failures, then back-off up to
//     the cap. Cleared only by a success of that same account from that same address.
//   - the address (all accounts): a higher allowance, so the users behind one NAT are not
//     locked out by one guesser among them; never cleared by any success (a guesser's own
//     account logging in does not buy more guesses).
//   - the account (all addresses): the global ceiling against guesses spread over many
//     addresses. Above it, back-off applies to every address EXCEPT the ones this account
//     has logged in from successfully (known pairs), so an attacker cannot lock a user out
//     of their account from their usual addresses.
// A key's count is forgotten after forget_after_s without a failure. An empty account
// (e.g. a refresh attempt) counts only under the address.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace securenet::store {

struct LoginLimits {
  int pair_free = 3;          // pair failures before back-off
  int address_free = 20;      // address failures (all accounts) before back-off
  int account_free = 50;      // account failures (all addresses) before back-off
  int64_t base_delay_s = 2;   // first back-off step
  int64_t max_delay_s = 900;  // cap (the lockout length)
  int64_t forget_after_s = 3600;
  int64_t known_pair_s = 30 * 86400;  // how long a successful (account, address) is "known"
  size_t max_keys = 100000;           // per map; stale entries go first, then arbitrary ones
};

class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(LoginLimits limits = {}) : lim_(limits) {}

  // 0 when an attempt is allowed now, else the seconds to wait (for Retry-After).
  int64_t retry_after_s(const std::string& addr, const std::string& account, int64_t now_s);
  void record_failure(const std::string& addr, const std::string& account, int64_t now_s);
  // Clears the pair's failures and remembers the pair as known; nothing else.
  void record_success(const std::string& addr, const std::string& account, int64_t now_s);

  const LoginLimits& limits() const { return lim_; }
  // Seconds of back-off after n failures with `free` free ones (0 while n <= free).
  static int64_t delay_for(int n, int free, const LoginLimits& l);

 private:
  struct Entry {
    int failures = 0;
    int64_t last_s = 0;
  };
  using Map = std::unordered_map<std::string, Entry>;
  int64_t wait(Map& m, const std::string& key, int free, int64_t now_s);
  void bump(Map& m, const std::string& key, int64_t now_s);
  void make_room(Map& m, int64_t now_s);
  bool known(const std::string& pair, int64_t now_s);

  LoginLimits lim_;
  std::mutex mu_;
  Map pairs_, addrs_, accounts_;
  std::unordered_map<std::string, int64_t> known_;  // pair -> last success
};

// The limiter's account key for an email: lower-cased.
std::string limiter_account(std::string_view email);

}  // namespace securenet::store
