// The failed-login limiter's semantics (control/store/login_limiter.h): pair lockout with
// exponential back-off, an address allowance that no success resets, an account ceiling
// that spares the account's known addresses, bounded memory.
#include <gtest/gtest.h>

#include "login_limiter.h"

namespace st = securenet::store;

namespace {

st::LoginLimits small() {
  st::LoginLimits l;
  l.pair_free = 3;
  l.address_free = 6;
  l.account_free = 10;
  l.base_delay_s = 2;
  l.max_delay_s = 64;
  l.forget_after_s = 3600;
  return l;
}

}  // namespace

TEST(LoginLimiter, BackOffDoublesPerFailureUpToTheCap) {
  const auto l = small();
  EXPECT_EQ(st::LoginRateLimiter::delay_for(3, 3, l), 0);
  EXPECT_EQ(st::LoginRateLimiter::delay_for(4, 3, l), 2);
  EXPECT_EQ(st::LoginRateLimiter::delay_for(5, 3, l), 4);
  EXPECT_EQ(st::LoginRateLimiter::delay_for(6, 3, l), 8);
  EXPECT_EQ(st::LoginRateLimiter::delay_for(9, 3, l), 64);
  EXPECT_EQ(st::LoginRateLimiter::delay_for(1000000, 3, l), 64);  // no overflow
}

TEST(LoginLimiter, PairLockoutWithRetryAfterThenRelease) {
  st::LoginRateLimiter lim(small());
  const std::string ip = "192.0.2.1", acct = "victim@example.com";
  int64_t t = 1000;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(lim.retry_after_s(ip, acct, t), 0) << i;
    lim.record_failure(ip, acct, t);
  }
  EXPECT_EQ(lim.retry_after_s(ip, acct, t), 0);  // three free
  lim.record_failure(ip, acct, t);
  EXPECT_EQ(lim.retry_after_s(ip, acct, t), 2);
  EXPECT_EQ(lim.retry_after_s(ip, acct, t + 1), 1);
  EXPECT_EQ(lim.retry_after_s(ip, acct, t + 2), 0);
  lim.record_failure(ip, acct, t + 2);
  EXPECT_EQ(lim.retry_after_s(ip, acct, t + 2), 4);  // doubled
  // Another account from the same address, and the same account from another address,
  // are not locked by this pair.
  EXPECT_EQ(lim.retry_after_s(ip, "other@example.com", t + 2), 0);
  EXPECT_EQ(lim.retry_after_s("198.51.100.1", acct, t + 2), 0);
  // Forgotten after a quiet hour.
  EXPECT_EQ(lim.retry_after_s(ip, acct, t + 2 + 3600), 0);
}

TEST(LoginLimiter, AnotherAccountsSuccessDoesNotReset) {
  // The old limiter forgot an address's failures on any success: with one account of your
  // own, guesses were unlimited. Now: the address allowance only decays with time.
  st::LoginRateLimiter lim(small());
  const std::string ip = "203.0.113.5";
  int64_t t = 5000;
  int allowed = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 2; ++i) {
      if (lim.retry_after_s(ip, "victim" + std::to_string(i) + "@example.com", t) == 0) {
        ++allowed;
        lim.record_failure(ip, "victim" + std::to_string(i) + "@example.com", t);
      }
    }
    if (lim.retry_after_s(ip, "me@example.com", t) == 0)
      lim.record_success(ip, "me@example.com", t);  // the guesser's own account
  }
  EXPECT_EQ(allowed, 7);  // six free failures, a seventh attempt, then back-off: no more
  EXPECT_GT(lim.retry_after_s(ip, "victim0@example.com", t), 0);
  // The own account's success did not clear the address back-off either.
  EXPECT_GT(lim.retry_after_s(ip, "me@example.com", t), 0);
}

TEST(LoginLimiter, PairSuccessClearsOnlyThePair) {
  st::LoginRateLimiter lim(small());
  const std::string ip = "192.0.2.9", acct = "ops@example.com";
  for (int i = 0; i < 4; ++i) lim.record_failure(ip, acct, 100);
  EXPECT_GT(lim.retry_after_s(ip, acct, 100), 0);
  lim.record_success(ip, acct, 110);
  EXPECT_EQ(lim.retry_after_s(ip, acct, 110), 0);
  // The address count (4 of 6) stays: two more failures from anyone there and it backs off.
  lim.record_failure(ip, "x@example.com", 111);
  lim.record_failure(ip, "y@example.com", 111);
  EXPECT_EQ(lim.retry_after_s(ip, "z@example.com", 111), 0);
  lim.record_failure(ip, "z@example.com", 111);
  EXPECT_GT(lim.retry_after_s(ip, "z@example.com", 111), 0);
}

TEST(LoginLimiter, AccountCeilingSparesKnownAddresses) {
  st::LoginRateLimiter lim(small());
  const std::string acct = "cfo@example.com", home = "192.0.2.50";
  lim.record_success(home, acct, 10);  // the user's usual address
  // A distributed guesser: two failures from each of many addresses (under every pair and
  // address allowance), eleven in all: over the account ceiling of ten.
  for (int i = 0; i < 11; ++i) lim.record_failure("10.1.0." + std::to_string(i / 2), acct, 20);
  // New addresses are slowed down for this account ...
  EXPECT_GT(lim.retry_after_s("10.2.0.1", acct, 20), 0);
  EXPECT_GT(lim.retry_after_s("10.1.0.0", acct, 20), 0);
  // ... but the user still gets in from their known address (no lockout by a third party),
  EXPECT_EQ(lim.retry_after_s(home, acct, 20), 0);
  // and other accounts are unaffected.
  EXPECT_EQ(lim.retry_after_s("10.2.0.1", "someone@example.com", 20), 0);
}

TEST(LoginLimiter, NatNeighboursAreNotLockedOutByOneGuesser) {
  // One guesser behind a NAT hammers one account: the pair locks; colleagues behind the
  // same address log in to their own accounts until the (higher) address allowance.
  st::LoginRateLimiter lim(small());
  const std::string nat = "198.51.100.77";
  for (int i = 0; i < 5; ++i) lim.record_failure(nat, "boss@example.com", 50);
  EXPECT_GT(lim.retry_after_s(nat, "boss@example.com", 50), 0);
  EXPECT_EQ(lim.retry_after_s(nat, "alice@example.com", 50), 0);
  EXPECT_EQ(lim.retry_after_s(nat, "bob@example.com", 50), 0);
}

TEST(LoginLimiter, EmptyAccountCountsUnderTheAddressOnly) {
  st::LoginRateLimiter lim(small());
  for (int i = 0; i < 6; ++i) lim.record_failure("192.0.2.77", "", 10);
  EXPECT_EQ(lim.retry_after_s("192.0.2.77", "", 10), 0);
  lim.record_failure("192.0.2.77", "", 10);
  EXPECT_EQ(lim.retry_after_s("192.0.2.77", "", 10), 2);
  EXPECT_EQ(lim.retry_after_s("192.0.2.78", "", 10), 0);
}

TEST(LoginLimiter, MemoryIsBounded) {
  auto l = small();
  l.max_keys = 100;
  st::LoginRateLimiter lim(l);
  for (int i = 0; i < 10000; ++i)
    lim.record_failure("10.0." + std::to_string(i), "a" + std::to_string(i), 1000);
  // The newest key is still tracked after the churn.
  for (int i = 0; i < 7; ++i) lim.record_failure("10.9.9.9", "b@example.com", 1000);
  EXPECT_GT(lim.retry_after_s("10.9.9.9", "b@example.com", 1000), 0);
}

TEST(LoginLimiter, AccountKeyIsCaseInsensitive) {
  EXPECT_EQ(st::limiter_account("Ops@Example.COM"), "ops@example.com");
}
