// JWKS fetched over HTTP from a tiny loopback server: caching and unknown-kid refetch.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "auth/jwt.h"
#include "http_get.h"
#include "test_keys.h"

namespace securenet::auth {
namespace {

using namespace testing;

constexpr int64_t kNow = 1'780'000'000;

// Serves one body to every GET on 127.0.0.1:<ephemeral>; counts requests.
class JwksServer {
 public:
  JwksServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 8) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~JwksServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  void set(std::string body, int status = 200) {
    std::lock_guard lock(mu_);
    body_ = std::move(body);
    status_ = status;
  }
  // Every response waits this long first (a slow or distant JWKS server).
  void set_delay(std::chrono::milliseconds d) { delay_ms_ = static_cast<int>(d.count()); }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/auth/v1/.well-known/jwks.json";
  }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string req;
      char buf[2048];
      while (req.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, size_t(n));
      }
      std::string resp;
      {
        std::lock_guard lock(mu_);
        resp = "HTTP/1.1 " + std::to_string(status_) +
               " X\r\nContent-Type: application/json\r\n"
               "Content-Length: " +
               std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
      }
      if (delay_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms_.load()));
      ++requests_;
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> delay_ms_{0};
  std::mutex mu_;
  std::string body_;
  int status_ = 200;
};

TEST(JwksUrl, FetchesCachesAndRefetchesOnceForUnknownKid) {
  TestKey k1 = make_ec_key("k1");
  TestKey k2 = make_rsa_key("k2");
  JwksServer server;
  server.set(jwks_of({&k1}));
  AuthConfig cfg;
  cfg.jwks_url = server.url();
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ(server.requests(), 0);  // fetched lazily

  auto t1 = make_token(R"({"alg":"ES256","kid":"k1"})", claims_json(kNow), k1);
  auto c = v->verify(t1, kNow);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(v->verify(t1, kNow).ok());
  EXPECT_EQ(server.requests(), 1);  // second verify served from the cache

  // Key rotation: k2 published. Within the one-minute gap after the last fetch, an
  // unknown kid does not trigger a refetch.
  server.set(jwks_of({&k1, &k2}));
  auto t2 = make_token(R"({"alg":"RS256","kid":"k2"})", claims_json(kNow), k2);
  EXPECT_FALSE(v->verify(t2, kNow).ok());
  EXPECT_FALSE(v->verify(t2, kNow).ok());
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(v->jwks_fetch_count(), 1u);
}

TEST(JwksUrl, UnknownKidRefetchFindsRotatedKey) {
  TestKey k1 = make_ec_key("k1");
  TestKey k2 = make_rsa_key("k2");
  JwksServer server;
  server.set(jwks_of({&k1}));
  AuthConfig cfg;
  cfg.jwks_url = server.url();
  cfg.jwks_refetch_gap_s = 0;
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(
      v->verify(make_token(R"({"alg":"ES256","kid":"k1"})", claims_json(kNow), k1), kNow).ok());
  EXPECT_EQ(server.requests(), 1);
  server.set(jwks_of({&k1, &k2}));
  auto t2 = make_token(R"({"alg":"RS256","kid":"k2"})", claims_json(kNow), k2);
  auto c = v->verify(t2, kNow);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(server.requests(), 2);
  EXPECT_TRUE(v->verify(t2, kNow).ok());
  EXPECT_EQ(server.requests(), 2);  // cached again
  // A known kid with a bad signature never triggers a refetch.
  TestKey impostor = make_rsa_key("k2");
  EXPECT_FALSE(
      v->verify(make_token(R"({"alg":"RS256","kid":"k2"})", claims_json(kNow), impostor), kNow)
          .ok());
  EXPECT_EQ(server.requests(), 2);
  // Key removed upstream: once the cache expires, tokens by the removed key are refused.
  server.set(jwks_of({&k2}));
  AuthConfig short_cache = cfg;
  short_cache.jwks_max_age_s = 0;
  auto v2 = Verifier::create(short_cache);
  ASSERT_TRUE(v2.ok());
  EXPECT_FALSE(
      v2->verify(make_token(R"({"alg":"ES256","kid":"k1"})", claims_json(kNow), k1), kNow).ok());
  EXPECT_TRUE(v2->verify(t2, kNow).ok());
}

TEST(JwksUrl, ConcurrentVerifiersShareOneFetch) {
  TestKey k1 = make_ec_key("k1");
  JwksServer server;
  server.set(jwks_of({&k1}));
  AuthConfig cfg;
  cfg.jwks_url = server.url();
  cfg.hs256_secret = "concurrent-secret-concurrent-secret-00";
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok());
  const auto es = make_token(R"({"alg":"ES256","kid":"k1"})", claims_json(kNow), k1);
  const auto hs = make_hs256(R"({"alg":"HS256"})", claims_json(kNow), cfg.hs256_secret);
  const auto bad = hs.substr(0, hs.size() - 4) + "AAAA";
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        if (!v->verify(es, kNow).ok() || !v->verify(hs, kNow).ok() || v->verify(bad, kNow).ok()) {
          ++failures;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(server.requests(), 1);
}

TEST(JwksUrl, UnreachableUrlRefusesTokens) {
  TestKey k1 = make_ec_key("k1");
  AuthConfig cfg;
  uint16_t port = 0;
  {
    JwksServer gone;  // take a port, then close it
    port = static_cast<uint16_t>(std::stoi(gone.url().substr(17, 5)));
  }
  cfg.jwks_url = "http://127.0.0.1:" + std::to_string(port) + "/jwks.json";
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok());
  auto r = v->verify(make_token(R"({"alg":"ES256","kid":"k1"})", claims_json(kNow), k1), kNow);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(v->jwks_fetch_count(), 1u);
}

// Polls `done` for up to 60 s (wall clock; generous for a busy CI machine).
template <typename F>
bool eventually(F done) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

TEST(JwksUrlBackground, ServesCurrentKeysWhileASlowRefreshRuns) {
  TestKey k1 = make_ec_key("k1");
  JwksServer server;
  server.set(jwks_of({&k1}));
  AuthConfig cfg;
  cfg.jwks_url = server.url();
  cfg.jwks_background = true;
  cfg.jwks_max_age_s = 0;  // every verify finds the keys old and asks for a refresh
  cfg.jwks_refetch_gap_s = 0;
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->warm_jwks().ok());
  EXPECT_EQ(server.requests(), 1);

  constexpr auto kDelay = std::chrono::milliseconds(3000);
  server.set_delay(kDelay);
  const auto t1 = make_token(R"({"alg":"ES256","kid":"k1"})", claims_json(kNow), k1);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(v->verify(t1, kNow).ok());
  // A blocking cache would have waited kDelay on the first verify; this one did not wait.
  EXPECT_LT(std::chrono::steady_clock::now() - start, kDelay / 2);
  EXPECT_EQ(server.requests(), 1);
  // The refresh those verifies asked for ran on the cache's thread: one fetch, not twenty.
  EXPECT_TRUE(eventually([&] { return server.requests() == 2; }));
  EXPECT_EQ(v->jwks_fetch_count(), 2u);
}

TEST(JwksUrlBackground, UnknownKidIsRefusedUntilItsRefetchLands) {
  TestKey k1 = make_ec_key("k1");
  TestKey k2 = make_rsa_key("k2");
  JwksServer server;
  server.set(jwks_of({&k1}));
  AuthConfig cfg;
  cfg.jwks_url = server.url();
  cfg.jwks_background = true;
  cfg.jwks_refetch_gap_s = 0;
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->warm_jwks().ok());
  server.set(jwks_of({&k1, &k2}));
  server.set_delay(std::chrono::milliseconds(500));
  const auto t2 = make_token(R"({"alg":"RS256","kid":"k2"})", claims_json(kNow), k2);
  EXPECT_FALSE(v->verify(t2, kNow).ok());  // refused now, refetch requested
  EXPECT_TRUE(eventually([&] { return v->verify(t2, kNow).ok(); }));
  EXPECT_GE(server.requests(), 2);
  // A token by a key nobody published is still refused after the refetch.
  TestKey stranger = make_ec_key("k9");
  EXPECT_FALSE(
      v->verify(make_token(R"({"alg":"ES256","kid":"k9"})", claims_json(kNow), stranger), kNow)
          .ok());
}

TEST(JwksUrlBackground, WarmReportsAnUnreachableUrl) {
  uint16_t port = 0;
  {
    JwksServer gone;
    port = static_cast<uint16_t>(std::stoi(gone.url().substr(17, 5)));
  }
  AuthConfig cfg;
  cfg.jwks_url = "http://127.0.0.1:" + std::to_string(port) + "/jwks.json";
  cfg.jwks_background = true;
  auto v = Verifier::create(cfg);
  ASSERT_TRUE(v.ok());
  auto w = v->warm_jwks();
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.error().message.find(cfg.jwks_url), std::string::npos);
  TestKey k1 = make_ec_key("k1");
  EXPECT_FALSE(
      v->verify(make_token(R"({"alg":"ES256","kid":"k1"})", claims_json(kNow), k1), kNow).ok());
}

TEST(HttpGet, StatusAndUrlErrors) {
  JwksServer server;
  server.set("{}", 404);
  auto r = http_get(server.url());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("404"), std::string::npos);
  server.set("hello", 200);
  auto ok = http_get(server.url());
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(*ok, "hello");
  EXPECT_FALSE(http_get("gopher://x/").ok());
  EXPECT_FALSE(http_get("http://user@127.0.0.1/").ok());
  HttpGetOptions small;
  small.body_limit = 3;
  auto limited = http_get(server.url(), small);
  EXPECT_FALSE(limited.ok()) << *limited;
}

}  // namespace
}  // namespace securenet::auth
