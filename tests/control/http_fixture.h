// Starts the real control plane in-process (App + routes + HttpServer on one io_context
// thread) on an ephemeral loopback port, over a real segment (FakeDataplane).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "app/app.h"
#include "auth/jwt.h"
#include "child_process.h"
#include "http/routes.h"
#include "http/server.h"
#include "http_client.h"
#include "segment_fixture.h"

namespace sn_test {

inline constexpr const char* kSecret = "control-test-secret-0123456789abcdef0123456789";
inline constexpr const char* kUser = "5b0e8a0c-2f7e-4a8e-9d4c-0b8f5c3e2a11";

class ControlServer {
 public:
  // extra: more wiring before the start (an observer, more routes), e.g. a Notifier.
  using Extra = std::function<void(securenet::control::App&, securenet::control::Router&)>;
  explicit ControlServer(size_t max_connections = 64, bool with_dataplane = true,
                         const Extra& extra = {}) {
    remove_stale_segments();
    static int seq = 0;
    instance_ = "ctltest-" + std::to_string(::getpid()) + "-" + std::to_string(seq++);
    dir_ = std::filesystem::temp_directory_path() / instance_;
    std::filesystem::create_directories(dir_ / "web" / "assets");
    std::ofstream(dir_ / "web" / "index.html") << "<!doctype html><title>SecureNet</title>";
    std::ofstream(dir_ / "web" / "assets" / "app-1a2b3c.js") << "console.log('hi')";
    std::ofstream(dir_ / "secret.txt") << "outside the web root";
    if (with_dataplane) dp_.emplace(instance_);
    using namespace securenet::control;
    AppOptions ao;
    ao.shm_name = "securenet-" + instance_;
    ao.config_path = (dir_ / "config.json").string();
    ao.tick = std::chrono::milliseconds(50);
    app_.emplace(ioc_, ao, SecurityConfig::defaults(), sink_);
    register_all_routes(router_, *app_);
    if (extra) extra(*app_, router_);
    files_.emplace((dir_ / "web").string());
    securenet::auth::AuthConfig ac;
    ac.hs256_secret = kSecret;
    auto v = securenet::auth::Verifier::create(ac);
    if (!v) throw std::runtime_error(v.error().message);
    securenet::auth::Verifier verifier = *v;
    dispatch_.emplace(
        router_,
        [verifier](std::string_view t) -> std::optional<securenet::auth::Claims> {
          auto c = verifier.verify(t, static_cast<int64_t>(std::time(nullptr)));
          if (!c) return std::nullopt;
          return c.value();
        },
        *files_);
    ServerOptions so;
    so.port = 0;
    so.max_connections = max_connections;
    so.read_timeout = std::chrono::seconds(5);
    so.idle_timeout = std::chrono::seconds(5);
    server_.emplace(ioc_, so, *dispatch_, app_->hub());
    auto st = server_->listen();
    if (!st) throw std::runtime_error(st.error().message);
    boost::asio::post(ioc_, [this] { app_->start(); });
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~ControlServer() {
    stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(ioc_, [this] {
      server_->shutdown();
      app_->stop();
    });
    thread_.join();
  }
  // Segments of earlier test processes that died before their destructors ran.
  static void remove_stale_segments() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/dev/shm", ec)) {
      std::string n = e.path().filename().string();
      if (n.rfind("securenet-ctltest-", 0) != 0) continue;
      long pid = std::strtol(n.c_str() + 18, nullptr, 10);
      if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
        std::filesystem::remove(e.path(), ec);
    }
  }
  uint16_t port() const { return server_->port(); }
  FakeDataplane& dp() { return *dp_; }
  const std::filesystem::path& dir() const { return dir_; }
  // An admin's token by default (every route); tests of the role matrix pass another.
  std::string token(int64_t ttl = 3600, int64_t now = 0, const std::string& secret = kSecret,
                    const std::string& app_role = "admin") const {
    securenet::auth::MintOptions m;
    m.sub = kUser;
    m.app_role = app_role;
    m.email = "analyst@example.com";
    m.ttl_s = ttl;
    return securenet::auth::mint_hs256(secret, m,
                                       now ? now : static_cast<int64_t>(std::time(nullptr)));
  }
  boost::asio::io_context& ioc() { return ioc_; }

 private:
  std::string instance_;
  std::filesystem::path dir_;
  std::optional<FakeDataplane> dp_;
  boost::asio::io_context ioc_{1};
  securenet::control::NullSink sink_;
  std::optional<securenet::control::App> app_;
  securenet::control::Router router_;
  std::optional<securenet::control::StaticFiles> files_;
  std::optional<securenet::control::Dispatcher> dispatch_;
  std::optional<securenet::control::HttpServer> server_;
  std::thread thread_;
};

// Parses a JSON body (the test fails on malformed JSON).
struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Json(const std::string& body) {
    auto r = parser.parse(body);
    EXPECT_EQ(r.error(), simdjson::SUCCESS) << body;
    if (!r.error()) root = r.value();
  }
  simdjson::dom::element operator[](const char* k) const { return root[k].value(); }
};

// Polls until pred() or the deadline (wall clock). The default is generous: a wait ends as
// soon as its condition holds, and CI runs on a busy 2-core machine.
template <typename F>
bool eventually(F pred, int timeout_ms = 30000) {
  return securenet::test::wait_until(pred, std::chrono::milliseconds(timeout_ms));
}

}  // namespace sn_test
