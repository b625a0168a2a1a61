// http_post and SyslogSender: Asio on a private io_context per call or sender, every step
// bounded by one deadline (run_one_until, then cancel and drain).
#include <sys/socket.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>

#include "notify/transport.h"

namespace securenet::control {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using udp = net::ip::udp;
namespace ssl = net::ssl;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

namespace {

// Runs the io_context until *done or the deadline; at the deadline cancels and drains.
bool run_until(net::io_context& ioc, const bool& done, Clock::time_point deadline,
               const std::function<void()>& cancel, Abort abort) {
  ioc.restart();
  while (!done) {
    const auto now = Clock::now();
    if (now >= deadline || (abort && abort->load())) {
      cancel();
      ioc.restart();
      while (!done && ioc.run_one() > 0) {
      }
      return false;
    }
    auto slice = std::min(deadline, now + std::chrono::milliseconds(50));
    if (ioc.run_one_until(slice) == 0 && ioc.stopped()) ioc.restart();
  }
  return true;
}

struct Step {
  net::io_context& ioc;
  Clock::time_point deadline;
  std::function<void()> cancel;
  Abort abort = nullptr;
  // start(handler) begins one async operation; its error, or timed_out.
  template <typename Start>
  error_code operator()(Start&& start) {
    error_code out;
    bool done = false;
    start([&](error_code ec, auto&&...) {
      out = ec;
      done = true;
    });
    if (!run_until(ioc, done, deadline, cancel, abort)) return net::error::timed_out;
    return out;
  }
};

std::string what(const char* step, error_code ec) {
  return std::string(step) + ": " + ec.message();
}

}  // namespace

namespace {

http::request<http::string_body> make_request(const HttpUrl& url, const std::string& body,
                                              const Headers& headers) {
  http::request<http::string_body> req{http::verb::post, url.target, 11};
  bool v6 = url.host.find(':') != std::string::npos;
  std::string host = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? "443" : "80")) host += ":" + url.port;
  req.set(http::field::host, host);
  req.set(http::field::user_agent, "securenet-sensor");
  req.set(http::field::content_type, "application/json");
  req.set(http::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = body;
  req.prepare_payload();
  return req;
}

// Sends the request and reads the answer (at most 64 KiB of body): 2xx is a delivery.
template <typename Stream>
Attempt exchange(Step& step, Stream& stream, http::request<http::string_body>& req) {
  auto ec = step([&](auto h) { http::async_write(stream, req, h); });
  if (ec) return {false, what("send", ec)};
  boost::beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024);
  ec = step([&](auto h) { http::async_read(stream, buf, parser, h); });
  if (ec) return {false, what("answer", ec)};
  unsigned status = parser.get().result_int();
  return {status >= 200 && status < 300, "HTTP " + std::to_string(status)};
}

bool is_ip(const std::string& host) {
  error_code ec;
  net::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Attempt http_post(const HttpUrl& url, const std::string& body, const Headers& headers,
                  const std::string& ca_file, std::chrono::milliseconds timeout, Abort abort) {
  net::io_context ioc(1);
  tcp::resolver resolver(ioc);
  Step step{ioc, Clock::now() + timeout, [&] { resolver.cancel(); }, abort};
  tcp::resolver::results_type eps;
  auto ec = step([&](auto h) {
    resolver.async_resolve(url.host, url.port, [&eps, h](error_code e, auto r) mutable {
      eps = r;
      h(e);
    });
  });
  if (ec) return {false, what("resolve", ec)};
  auto req = make_request(url, body, headers);
  if (!url.tls) {
    boost::beast::tcp_stream stream(ioc);
    step.cancel = [&] { stream.socket().cancel(); };
    ec = step([&](auto h) { stream.async_connect(eps, h); });
    if (ec) return {false, what("connect", ec)};
    return exchange(step, stream, req);
  }
  // https: the system's CAs (or ca_file), the certificate must name the host (or IP).
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_default_verify_paths();
  if (!ca_file.empty()) ctx.load_verify_file(ca_file, ec);
  if (ec) return {false, what("ca_file", ec)};
  ctx.set_verify_mode(ssl::verify_peer);
  boost::beast::ssl_stream<boost::beast::tcp_stream> stream(ioc, ctx);
  stream.set_verify_callback(ssl::host_name_verification(url.host));
  if (!is_ip(url.host)) SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
  auto& tcp_layer = boost::beast::get_lowest_layer(stream);
  step.cancel = [&] { tcp_layer.socket().cancel(); };
  ec = step([&](auto h) { tcp_layer.async_connect(eps, h); });
  if (ec) return {false, what("connect", ec)};
  ec = step([&](auto h) { stream.async_handshake(ssl::stream_base::client, h); });
  if (ec) return {false, what("tls", ec)};
  return exchange(step, stream, req);
}

struct SyslogSender::Impl {
  ChannelConfig cfg;
  net::io_context ioc{1};
  tcp::socket tcp_socket{ioc};
  udp::socket udp_socket{ioc};
  std::unique_ptr<ssl::context> ctx;  // tls: made at the first connect
  std::unique_ptr<ssl::stream<tcp::socket&>> tls;
  bool connected = false;

  // A TCP peer that closed is seen (a read of 0) before the write that would be lost. A
  // syslog receiver sends nothing, so over TLS anything readable (close_notify) is a close.
  bool peer_closed() {
    char c;
    ssize_t n = ::recv(tcp_socket.native_handle(), &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return cfg.tls;
    return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
  }

  Attempt handshake(Step& step) {
    error_code ec;
    if (!ctx) {
      ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
      ctx->set_default_verify_paths();
      if (!cfg.ca_file.empty()) ctx->load_verify_file(cfg.ca_file, ec);
      if (ec) return ctx.reset(), Attempt{false, what("ca_file", ec)};
      ctx->set_verify_mode(ssl::verify_peer);
    }
    tls = std::make_unique<ssl::stream<tcp::socket&>>(tcp_socket, *ctx);
    tls->set_verify_callback(ssl::host_name_verification(cfg.host));
    if (!is_ip(cfg.host)) SSL_set_tlsext_host_name(tls->native_handle(), cfg.host.c_str());
    ec = step([&](auto h) { tls->async_handshake(ssl::stream_base::client, h); });
    if (ec) return {false, what("tls", ec)};
    return {true, ""};
  }

  Attempt send_tcp(const std::string& line, Step& step) {
    if (connected && peer_closed()) close();
    if (!connected) {
      tcp::resolver resolver(ioc);
      tcp::resolver::results_type eps;
      step.cancel = [&] { resolver.cancel(); };
      auto ec = step([&](auto h) {
        resolver.async_resolve(cfg.host, cfg.port, [&eps, h](error_code e, auto r) mutable {
          eps = r;
          h(e);
        });
      });
      if (ec) return {false, what("resolve", ec)};
      step.cancel = [&] { tcp_socket.close(); };
      ec = step([&](auto h) { net::async_connect(tcp_socket, eps, h); });
      if (ec) return close(), Attempt{false, what("connect", ec)};
      if (cfg.tls) {
        if (auto hs = handshake(step); !hs.ok) return close(), hs;
      }
      connected = true;
    }
    std::string frame = std::to_string(line.size()) + " " + line;
    step.cancel = [&] { tcp_socket.close(); };
    auto ec = cfg.tls ? step([&](auto h) { net::async_write(*tls, net::buffer(frame), h); })
                      : step([&](auto h) { net::async_write(tcp_socket, net::buffer(frame), h); });
    if (ec) return close(), Attempt{false, what("send", ec)};
    return {true, cfg.tls ? "sent (tls)" : "sent (tcp)"};
  }

  Attempt send_udp(const std::string& line, Step& step) {
    udp::resolver resolver(ioc);
    udp::resolver::results_type eps;
    step.cancel = [&] { resolver.cancel(); };
    auto ec = step([&](auto h) {
      resolver.async_resolve(cfg.host, cfg.port, [&eps, h](error_code e, auto r) mutable {
        eps = r;
        h(e);
      });
    });
    if (ec) return {false, what("resolve", ec)};
    udp::endpoint ep = *eps.begin();
    if (!udp_socket.is_open() || udp_socket.local_endpoint(ec).protocol() != ep.protocol()) {
      udp_socket.close(ec);
      udp_socket.open(ep.protocol(), ec);
      if (ec) return {false, what("socket", ec)};
    }
    udp_socket.send_to(net::buffer(line), ep, 0, ec);
    if (ec) return {false, what("send", ec)};
    return {true, "sent (udp)"};
  }

  void close() {
    error_code ec;
    tls.reset();
    tcp_socket.close(ec);
    connected = false;
  }
};

SyslogSender::SyslogSender(const ChannelConfig& c) : impl_(std::make_unique<Impl>()) {
  impl_->cfg = c;
}
SyslogSender::~SyslogSender() = default;

Attempt SyslogSender::send(const std::string& line, std::chrono::milliseconds timeout,
                           Abort abort) {
  Step step{impl_->ioc, Clock::now() + timeout, [] {}, abort};
  return impl_->cfg.tcp ? impl_->send_tcp(line, step) : impl_->send_udp(line, step);
}

}  // namespace securenet::control
