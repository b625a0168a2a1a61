// The HTTP server: one acceptor on the caller's io_context, one async session per
// connection (no thread per connection), body and header limits, read/write timeouts,
// keep-alive, a cap on connections (503 beyond), and graceful shutdown (stop accepting,
// let in-flight responses finish, close idle and streaming connections).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_set>

#include "http/dispatch.h"
#include "http/sse_hub.h"
#include "securenet/result.h"

namespace securenet::control {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;             // 0 = any free port (tests)
  size_t max_connections = 1024;
  size_t body_limit = 64 * 1024;
  size_t header_limit = 16 * 1024;
  std::chrono::seconds read_timeout{30};
  std::chrono::seconds idle_timeout{60};
  std::chrono::seconds write_timeout{30};
  // Requests for which `offload` answers true (e.g. login: bcrypt and a database round
  // trip) are dispatched on `pool` and their response is written back on the io_context,
  // so they never block the control thread. Their handlers must be thread-safe.
  boost::asio::thread_pool* pool = nullptr;
  std::function<bool(const HttpIn&)> offload;
};

class Session;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, ServerOptions opts, const Dispatcher& dispatch, SseHub& hub);
  ~HttpServer();
  Status listen();          // binds and starts accepting
  uint16_t port() const { return port_; }
  void shutdown();          // graceful
  size_t connections() const { return connections_; }
  bool stopping() const { return stopping_; }

 private:
  friend class Session;
  void accept();
  void reject_busy(boost::asio::ip::tcp::socket socket);

  boost::asio::io_context& ioc_;
  ServerOptions opts_;
  const Dispatcher& dispatch_;
  SseHub& hub_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  size_t connections_ = 0;
  bool stopping_ = false;
  std::unordered_set<Session*> sessions_;
};

}  // namespace securenet::control
