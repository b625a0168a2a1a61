#include "http/server.h"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace securenet::control {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(HttpServer& srv, tcp::socket socket) : srv_(srv), stream_(std::move(socket)) {
    beast::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = ep.address().to_string();
    ++srv_.connections_;
    srv_.sessions_.insert(this);
  }
  ~Session() {
    srv_.sessions_.erase(this);
    if (!handed_over_) --srv_.connections_;
  }

  void start() { read(); }

  // Shutdown: an idle connection (waiting for a request) is closed now; one that is
  // writing finishes its response and then closes.
  void stop() {
    if (!writing_) {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.socket().close(ec);
    }
  }

 private:
  void read() {
    parser_.emplace();
    parser_->body_limit(srv_.opts_.body_limit);
    parser_->header_limit(static_cast<uint32_t>(srv_.opts_.header_limit));
    stream_.expires_after(first_ ? srv_.opts_.read_timeout : srv_.opts_.idle_timeout);
    first_ = false;
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted ||
        (srv_.stopping_ && ec)) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return send(json_error(413, "payload_too_large",
                             "the body exceeds " + std::to_string(srv_.opts_.body_limit) + " bytes"), false);
    }
    if (ec == http::error::header_limit) {
      return send(json_error(431, "headers_too_large", "the request headers are too large"), false);
    }
    if (ec) {
      if (ec.category() == beast::error_code(http::error::bad_target).category()) {
        return send(json_error(400, "bad_request", "malformed HTTP request"), false);
      }
      return close();
    }
    const auto& req = parser_->get();
    HttpIn in{req.method(), {req.target().data(), req.target().size()}, req.body(), {}};
    if (auto it = req.find(http::field::authorization); it != req.end()) {
      in.authorization = {it->value().data(), it->value().size()};
    }
    in.peer = peer_;
    const bool keep_alive = req.keep_alive(), head = req.method() == http::verb::head;
    if (srv_.opts_.pool && srv_.opts_.offload && srv_.opts_.offload(in)) {
      return offload(in, keep_alive, head);
    }
    Response r = srv_.dispatch_.handle(in);
    if (r.event_stream && !srv_.stopping_) return hand_over();
    send(std::move(r), keep_alive && !srv_.stopping_, head);
  }

  // Dispatches on the pool (the request stays in parser_, untouched until the answer is
  // written), then sends from the io_context. Busy meanwhile: shutdown lets it finish.
  void offload(HttpIn in, bool keep_alive, bool head) {
    writing_ = true;
    stream_.expires_never();
    net::post(*srv_.opts_.pool, [self = shared_from_this(), in, keep_alive, head] {
      auto r = std::make_shared<Response>(self->srv_.dispatch_.handle(in));
      auto ex = self->stream_.get_executor();
      net::post(ex, [self, r, keep_alive, head] {
        self->send(std::move(*r), keep_alive && !self->srv_.stopping_, head);
      });
    });
  }

  void send(Response r, bool keep_alive, bool head = false) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "securenet-control");
    res->set(http::field::content_type, r.content_type);
    if (r.content_type == "application/json") res->set(http::field::cache_control, "no-store");
    for (auto& [k, v] : r.headers) res->set(k, v);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    if (head) res->body().clear();
    writing_ = true;
    stream_.expires_after(srv_.opts_.write_timeout);
    auto self = shared_from_this();
    if (head) {
      auto sr = std::make_shared<http::response_serializer<http::string_body>>(*res);
      http::async_write_header(stream_, *sr, [self, res, sr, keep_alive](beast::error_code ec, size_t) {
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
    if (ec || !keep_alive || srv_.stopping_) return close();
    read();
  }

  void hand_over() {
    handed_over_ = true;  // the SSE client now owns the connection slot
    stream_.expires_never();
    HttpServer* srv = &srv_;
    srv_.hub_.add(std::move(stream_), [srv] { --srv->connections_; });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  HttpServer& srv_;
  std::string peer_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool writing_ = false;
  bool first_ = true;
  bool handed_over_ = false;
};

HttpServer::HttpServer(net::io_context& ioc, ServerOptions opts, const Dispatcher& dispatch, SseHub& hub)
    : ioc_(ioc), opts_(std::move(opts)), dispatch_(dispatch), hub_(hub), acceptor_(ioc) {}

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
    return make_error("cannot listen on " + opts_.address + ":" + std::to_string(opts_.port) + ": " + ec.message(),
                      ec.value());
  }
  port_ = acceptor_.local_endpoint().port();
  accept();
  return Ok{};
}

void HttpServer::accept() {
  acceptor_.async_accept(ioc_, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || stopping_) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      if (connections_ >= opts_.max_connections) {
        reject_busy(std::move(socket));
      } else {
        std::make_shared<Session>(*this, std::move(socket))->start();
      }
    }
    accept();
  });
}

void HttpServer::reject_busy(tcp::socket socket) {
  static const std::string kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
      "Retry-After: 1\r\nContent-Length: 66\r\n\r\n"
      "{\"error\":\"unavailable\",\"detail\":\"too many connections; try again\"}";
  auto s = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*s, net::buffer(kBusy), [s](beast::error_code, size_t) {
    beast::error_code ec;
    s->shutdown(tcp::socket::shutdown_both, ec);
    s->close(ec);
  });
}

void HttpServer::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  beast::error_code ec;
  acceptor_.close(ec);
  auto copy = sessions_;
  for (auto* s : copy) s->stop();
  hub_.close_all();
}

}  // namespace securenet::control
