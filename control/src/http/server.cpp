#include "http/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstdio>
#include <optional>

#include "http/request_in.h"
#include "http/security_headers.h"

namespace securenet::control {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
constexpr std::string_view kBusy =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
    "Retry-After: 1\r\nContent-Length: 66\r\n\r\n"
    "{\"error\":\"unavailable\",\"detail\":\"too many connections; try again\"}";
}  // namespace

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void stop() = 0;
};

// One connection. Stream is beast::tcp_stream (HTTP) or ssl_stream<tcp_stream> (HTTPS).
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <class... TlsArgs>
  Session(HttpServer& srv, tcp::socket socket, std::string peer, TlsArgs&... tls)
      : srv_(srv), peer_(std::move(peer)), stream_(std::move(socket), tls...) {
    srv_.add_session(peer_);
    srv_.sessions_.insert(this);
  }
  ~Session() override {
    srv_.sessions_.erase(this);
    if (!handed_over_) srv_.drop_session(peer_);
  }

  void start() {
    if constexpr (kTls) {
      lowest().expires_after(srv_.opts_.header_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close();
                                self->read();
                              });
    } else {
      read();
    }
  }

  // Shutdown: an idle connection (waiting for a request) is closed now; one that is
  // writing finishes its response and then closes.
  void stop() override {
    if (!writing_) close();
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // The headers first (header deadline and limit), then the body (body deadline and limit).
  void read() {
    parser_.emplace();
    // The largest any route takes; on_header lowers it to the request's own.
    body_limit_ = srv_.opts_.body_limit;
    parser_->body_limit(std::max(srv_.opts_.body_limit, srv_.opts_.upload_limit));
    parser_->header_limit(static_cast<uint32_t>(srv_.opts_.header_limit));
    lowest().expires_after(first_ ? srv_.opts_.header_timeout : srv_.opts_.idle_timeout);
    first_ = false;
    // Beast's header_limit is checked against what the parser was offered, so the read
    // buffer is capped too: a client cannot get more than the limit buffered.
    buffer_.max_size(srv_.opts_.header_limit + 1);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec == http::error::buffer_overflow) ec = http::error::header_limit;
    if (!ec || ec == http::error::body_limit) body_limit_ = request_body_limit();
    start_ = std::chrono::steady_clock::now();
    if ((!ec || ec == http::error::body_limit) && body_limit_ > srv_.opts_.body_limit &&
        srv_.opts_.upload_refusal) {
      if (auto refused = srv_.opts_.upload_refusal(http_in(parser_->get(), peer_))) {
        method_ = std::string(parser_->get().method_string());
        linger_ = true;  // the body is not read: dropped after the answer
        return send(std::move(*refused), false);
      }
    }
    if (ec) return on_read(ec);
    const auto length = parser_->content_length();
    if (length && *length > body_limit_) return on_read(http::error::body_limit);
    parser_->body_limit(body_limit_);  // a chunked body counts down from here
    buffer_.max_size(body_limit_ + srv_.opts_.header_limit + 4096);
    if (parser_->is_done()) return on_read(ec);
    if (expects_continue()) {  // curl asks before a large upload, and waits 1 s without it
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      lowest().expires_after(srv_.opts_.write_timeout);
      return net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                              [self = this->shared_from_this()](beast::error_code e, size_t) {
                                if (e) return self->close();
                                self->read_body();
                              });
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(srv_.opts_.read_timeout);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code e, size_t) { self->on_read(e); });
  }

  // "Expect: 100-continue" on an HTTP/1.1 request whose body has not started arriving.
  bool expects_continue() const {
    const auto& req = parser_->get();
    if (req.version() < 11 || buffer_.size() > 0) return false;
    auto it = req.find(http::field::expect);
    return it != req.end() && beast::iequals(it->value(), "100-continue");
  }

  // The headers are in: body_limit, or upload_limit for a request `upload` accepts.
  size_t request_body_limit() const {
    const auto& o = srv_.opts_;
    if (!o.upload || o.upload_limit <= o.body_limit) return o.body_limit;
    return o.upload(http_in(parser_->get(), peer_)) ? o.upload_limit : o.body_limit;
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || (srv_.stopping_ && ec)) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return send(json_error(413, "payload_too_large",
                             "the body exceeds " + std::to_string(body_limit_) + " bytes"),
                  false);
    }
    if (ec == http::error::header_limit) {
      return send(json_error(431, "headers_too_large",
                             "the request line and headers exceed " +
                                 std::to_string(srv_.opts_.header_limit) + " bytes"),
                  false);
    }
    if (ec) {
      if (ec.category() == beast::error_code(http::error::bad_target).category()) {
        return send(json_error(400, "bad_request", "malformed HTTP request"), false);
      }
      return close();
    }
    const auto& req = parser_->get();
    HttpIn in = http_in(req, peer_);
    method_ = std::string(req.method_string());
    const bool keep_alive = req.keep_alive(), head = req.method() == http::verb::head;
    if (srv_.opts_.pool && srv_.opts_.offload && srv_.opts_.offload(in)) {
      return offload(in, keep_alive, head);
    }
    Response r = srv_.dispatch_.handle(in);
    if (r.event_stream && !srv_.stopping_) {
      srv_.log_access(peer_, method_, r.access_path, 200, r.access_user, start_);
      return hand_over();
    }
    send(std::move(r), keep_alive && !srv_.stopping_, head);
  }

  // Dispatches on the pool (the request stays in parser_, untouched until the answer is
  // written), then sends from the io_context. Busy meanwhile: shutdown lets it finish.
  void offload(HttpIn in, bool keep_alive, bool head) {
    writing_ = true;
    lowest().expires_never();
    net::post(*srv_.opts_.pool, [self = this->shared_from_this(), in, keep_alive, head] {
      auto r = std::make_shared<Response>(self->srv_.dispatch_.handle(in));
      auto ex = self->stream_.get_executor();
      net::post(ex, [self, r, keep_alive, head] {
        self->send(std::move(*r), keep_alive && !self->srv_.stopping_, head);
      });
    });
  }

  void send(Response r, bool keep_alive, bool head = false) {
    srv_.log_access(peer_, method_.empty() ? "-" : method_, r.access_path, r.status, r.access_user,
                    start_);
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "securenet-control");
    res->set(http::field::content_type, r.content_type);
    if (r.content_type == "application/json") res->set(http::field::cache_control, "no-store");
    for_each_security_header(kTls, [&res](std::string_view k, std::string_view v) {
      res->set(beast::string_view(k.data(), k.size()), beast::string_view(v.data(), v.size()));
    });
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head) res->body().clear();
    writing_ = true;
    lowest().expires_after(srv_.opts_.write_timeout);
    auto self = this->shared_from_this();
    if (head) {
      auto sr = std::make_shared<http::response_serializer<http::string_body>>(*res);
      http::async_write_header(stream_, *sr,
                               [self, res, sr, keep_alive](beast::error_code ec, size_t) {
                                 self->on_write(ec, keep_alive);
                               });
      return;
    }
    http::async_write(stream_, *res, [self, res, keep_alive](beast::error_code ec, size_t) {
      self->on_write(ec, keep_alive);
    });
  }

  void on_write(beast::error_code ec, bool keep_alive) {
    writing_ = false;
    if (linger_ && !ec && !srv_.stopping_) return linger();
    if (ec || !keep_alive || srv_.stopping_) return close();
    read();
  }

  // A refused upload: the client may still be sending its body. Closing now would reset
  // the connection (and could lose our answer in the client's buffers), so the rest is
  // read and dropped, up to upload_limit and read_timeout, then the connection closes.
  void linger() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().expires_after(srv_.opts_.read_timeout);
    drain(std::make_shared<std::array<char, 16384>>(), 0);
  }
  void drain(std::shared_ptr<std::array<char, 16384>> scratch, size_t dropped) {
    auto* buf = scratch.get();
    lowest().async_read_some(
        net::buffer(*buf), [self = this->shared_from_this(), scratch = std::move(scratch), dropped](
                               beast::error_code ec, size_t n) mutable {
          if (ec || dropped + n > self->srv_.opts_.upload_limit + 65536) return self->close();
          self->drain(std::move(scratch), dropped + n);
        });
  }

  void hand_over() {
    handed_over_ = true;  // the SSE client now owns the connection slot
    lowest().expires_never();
    HttpServer* srv = &srv_;
    srv_.hub_.add(std::move(stream_), [srv, peer = peer_] { srv->drop_session(peer); });
  }

  void close() {
    beast::error_code ec;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    lowest().socket().close(ec);
  }

  HttpServer& srv_;
  std::string peer_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  size_t body_limit_ = 0;  // this request's
  bool linger_ = false;    // an upload refused before its body: drop the body, then close
  std::string method_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  bool writing_ = false;
  bool first_ = true;
  bool handed_over_ = false;
};

HttpServer::HttpServer(net::io_context& ioc, ServerOptions opts, const Dispatcher& dispatch,
                       SseHub& hub)
    : ioc_(ioc),
      opts_(std::move(opts)),
      dispatch_(dispatch),
      hub_(hub),
      acceptor_(ioc),
      backoff_(ioc) {}

HttpServer::~HttpServer() = default;

Status HttpServer::listen() {
  beast::error_code ec;
  auto addr = net::ip::make_address(opts_.address, ec);
  if (ec) return make_error("--listen: '" + opts_.address + "' is not an IP address");
  tcp::endpoint ep(addr, opts_.port);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error("cannot listen on " + opts_.address + ":" + std::to_string(opts_.port) +
                          ": " + ec.message(),
                      ec.value());
  }
  port_ = acceptor_.local_endpoint().port();
  reserve_fd_ = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  accept();
  return Ok{};
}

void HttpServer::accept() {
  acceptor_.async_accept(
      ioc_, [this](beast::error_code ec, tcp::socket socket) { on_accept(ec, std::move(socket)); });
}

void HttpServer::on_accept(beast::error_code ec, tcp::socket socket) {
  if (ec == net::error::operation_aborted || stopping_) return;
  if (ec) return back_off(ec);
  socket.set_option(tcp::no_delay(true), ec);
  std::string peer;
  auto ep = socket.remote_endpoint(ec);
  if (!ec) peer = ep.address().to_string();
  auto it = per_address_.find(peer);
  const size_t from_peer = it == per_address_.end() ? 0 : it->second;
  if (connections_ >= opts_.max_connections || from_peer >= opts_.max_connections_per_address) {
    reject_busy(std::move(socket));
  } else if (tls_) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), peer,
                                                                    *tls_)
        ->start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket), peer)->start();
  }
  accept();
}

// accept() failed. Out of descriptors (EMFILE/ENFILE) the pending connection would make
// every retry fail at once (a spin): give up the reserve descriptor to take it off the
// queue with a 503, then wait before accepting again. Other errors also wait a little.
void HttpServer::back_off(beast::error_code ec) {
  ++accept_backoffs_;
  const bool no_fds = ec == net::error::no_descriptors || ec.value() == ENFILE ||
                      ec == net::error::no_buffer_space || ec == net::error::no_memory;
  if (no_fds) {
    if (accept_backoffs_ == 1 || accept_backoffs_ % 100 == 0) {
      std::fprintf(
          stderr, "securenet-control: accept: %s; refusing with 503 and backing off (%llu times)\n",
          ec.message().c_str(), static_cast<unsigned long long>(accept_backoffs_));
    }
    if (reserve_fd_) {
      reserve_fd_.reset();  // one fd free: accept the waiting connection to refuse it
      {
        const Fd fd(
            ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        if (fd && !tls_)
          (void)::send(fd.get(), kBusy.data(), kBusy.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      }
      reserve_fd_ = Fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    }
  }
  backoff_.expires_after(std::chrono::milliseconds(no_fds ? 100 : 10));
  backoff_.async_wait([this](beast::error_code e) {
    if (!e && !stopping_) accept();
  });
}

void HttpServer::reject_busy(tcp::socket socket) {
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  if (tls_) {  // a plain-text 503 means nothing inside TLS: just close
    beast::error_code ec;
    s->close(ec);
    return;
  }
  net::async_write(*s, net::buffer(kBusy.data(), kBusy.size()), [s](beast::error_code, size_t) {
    beast::error_code ec;
    s->shutdown(tcp::socket::shutdown_both, ec);
    s->close(ec);
  });
}

void HttpServer::add_session(const std::string& peer) {
  ++connections_;
  ++per_address_[peer];
}

void HttpServer::drop_session(const std::string& peer) {
  --connections_;
  auto it = per_address_.find(peer);
  if (it != per_address_.end() && --it->second == 0) per_address_.erase(it);
}

// "access: ADDR METHOD PATH STATUS USER MS": the normalized path only (no query string,
// which may carry an access_token), the token's user id or '-', never a header value.
void HttpServer::log_access(const std::string& peer, std::string_view method, std::string_view path,
                            unsigned status, std::string_view user,
                            std::chrono::steady_clock::time_point start) const {
  if (!opts_.access_log) return;
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "access: %s %.*s %.*s %u %.*s %.1fms\n", peer.empty() ? "-" : peer.c_str(),
               static_cast<int>(method.size()), method.data(),
               static_cast<int>(path.empty() ? 1 : path.size()), path.empty() ? "-" : path.data(),
               status, static_cast<int>(user.empty() ? 1 : user.size()),
               user.empty() ? "-" : user.data(), ms);
}

void HttpServer::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  beast::error_code ec;
  acceptor_.close(ec);
  backoff_.cancel();
  auto copy = sessions_;
  for (auto* s : copy) s->stop();
  hub_.close_all();
}

}  // namespace securenet::control
