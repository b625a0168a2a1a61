// The HTTP(S) server: one acceptor on the caller's io_context, one async session per
// connection (no thread per connection), body and header limits, a header deadline apart
// from the body deadline, keep-alive, a global and a per-address cap on connections (503
// beyond), back-off instead of a spin when accept() runs out of descriptors, security
// headers and an access log line on every response, optional TLS (Beast's ssl_stream),
// and graceful shutdown (stop accepting, let in-flight responses finish, close idle and
// streaming connections).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "http/dispatch.h"
#include "http/sse_hub.h"
#include "securenet/common/fd.h"
#include "securenet/result.h"

namespace securenet::control {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port (tests)
  size_t max_connections = 1024;
  size_t max_connections_per_address = 64;
  size_t body_limit = 64 * 1024;
  // Requests for which `upload` answers true (asked once the headers are in; the body is
  // still empty) may carry up to upload_limit bytes instead (POST /api/analyze). Before
  // their body is read, `upload_refusal` (Dispatcher::refusal) may refuse them (no token,
  // too low a role): the answer is sent at once and the body read and dropped (a lingering
  // close, bounded by read_timeout and upload_limit), so only callers allowed to upload
  // make the server hold an upload.
  size_t upload_limit = 0;
  std::function<bool(const HttpIn&)> upload;
  std::function<std::optional<Response>(const HttpIn&)> upload_refusal;
  size_t header_limit = 16 * 1024;
  std::chrono::seconds header_timeout{10};  // a new connection's request line + headers
  std::chrono::seconds read_timeout{30};    // a request's body
  std::chrono::seconds idle_timeout{60};    // keep-alive: the next request's headers
  std::chrono::seconds write_timeout{30};
  bool access_log = false;  // one line per request on stderr
  // Requests for which `offload` answers true (e.g. login: bcrypt and a database round
  // trip) are dispatched on `pool` and their response is written back on the io_context,
  // so they never block the control thread. Their handlers must be thread-safe.
  boost::asio::thread_pool* pool = nullptr;
  std::function<bool(const HttpIn&)> offload;
};

class SessionBase;
template <class Stream>
class Session;

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, ServerOptions opts, const Dispatcher& dispatch,
             SseHub& hub);
  ~HttpServer();
  Status listen();  // binds and starts accepting
  uint16_t port() const { return port_; }
  void shutdown();  // graceful
  size_t connections() const { return connections_; }
  bool stopping() const { return stopping_; }
  // Serve HTTPS with this context from now on (start-up and SIGHUP reload); null = HTTP.
  void set_tls(std::shared_ptr<boost::asio::ssl::context> ctx) { tls_ = std::move(ctx); }
  bool tls() const { return tls_ != nullptr; }
  uint64_t accept_backoffs() const { return accept_backoffs_; }

 private:
  template <class Stream>
  friend class Session;
  void accept();
  void on_accept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void back_off(boost::system::error_code ec);
  void reject_busy(boost::asio::ip::tcp::socket socket);
  void add_session(const std::string& peer);
  void drop_session(const std::string& peer);
  void log_access(const std::string& peer, std::string_view method, std::string_view path,
                  unsigned status, std::string_view user,
                  std::chrono::steady_clock::time_point start) const;

  boost::asio::io_context& ioc_;
  ServerOptions opts_;
  const Dispatcher& dispatch_;
  SseHub& hub_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer backoff_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  Fd reserve_fd_;  // given up to accept-and-refuse one connection when out of fds
  uint16_t port_ = 0;
  size_t connections_ = 0;
  std::unordered_map<std::string, size_t> per_address_;
  uint64_t accept_backoffs_ = 0;
  bool stopping_ = false;
  std::unordered_set<SessionBase*> sessions_;
};

}  // namespace securenet::control
