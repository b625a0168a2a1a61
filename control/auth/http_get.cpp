#include "http_get.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>
#include <optional>

namespace securenet::auth {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct Url {
  bool tls = false;
  std::string host, port, target;
};

std::optional<Url> parse_url(const std::string& url) {
  Url u;
  std::string_view rest(url);
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
    u.port = "80";
  } else if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    u.tls = true;
    u.port = "443";
  } else {
    return std::nullopt;
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty() || authority.find('@') != std::string_view::npos) return std::nullopt;
  size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    u.port = std::string(authority.substr(colon + 1));
    authority = authority.substr(0, colon);
  }
  u.host = std::string(authority);
  if (u.host.empty() || u.port.empty()) return std::nullopt;
  return u;
}

// Sends the GET and reads the response, bounded by opt.timeout. On expiry the pending
// operation is abandoned: the caller returns and the stream closes before the io_context.
template <typename Stream>
Result<std::string> exchange(net::io_context& ioc, Stream& stream, const Url& u,
                             const HttpGetOptions& opt) {
  http::request<http::empty_body> req{http::verb::get, u.target, 11};
  req.set(http::field::host, u.host);
  req.set(http::field::user_agent, "securenet-control");
  req.set(http::field::accept, "application/json");
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(opt.body_limit);
  beast::error_code result = net::error::timed_out;
  http::async_write(stream, req, [&](beast::error_code ec, size_t) {
    if (ec) {
      result = ec;
      return;
    }
    // Header first: Beast 1.74 loses the body_limit error when it parses header and body
    // in one eager step, so the Content-Length is checked here and the size at the end.
    http::async_read_header(stream, buf, parser, [&](beast::error_code hec, size_t) {
      auto len = parser.content_length();
      if (!hec && len && *len > opt.body_limit) hec = http::error::body_limit;
      if (hec) {
        result = hec;
        return;
      }
      http::async_read(stream, buf, parser, [&](beast::error_code rec, size_t) { result = rec; });
    });
  });
  ioc.restart();
  ioc.run_for(opt.timeout);
  if (result) return make_error("jwks fetch " + u.host + u.target + ": " + result.message());
  auto& res = parser.get();
  if (res.body().size() > opt.body_limit) return make_error("jwks fetch: body too large");
  if (res.result() != http::status::ok) {
    return make_error("jwks fetch " + u.host + u.target + ": HTTP " +
                      std::to_string(res.result_int()));
  }
  return std::move(res.body());
}

Result<tcp::resolver::results_type> resolve(net::io_context& ioc, const Url& u) {
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(u.host, u.port, ec);
  if (ec) return make_error("jwks fetch: resolve " + u.host + ": " + ec.message());
  return endpoints;
}

template <typename Socket>
beast::error_code connect_bounded(net::io_context& ioc, Socket& sock,
                                  const tcp::resolver::results_type& eps,
                                  std::chrono::milliseconds timeout) {
  beast::error_code result = net::error::timed_out;
  net::async_connect(sock, eps, [&](beast::error_code ec, const tcp::endpoint&) { result = ec; });
  ioc.run_for(timeout);
  return result;
}

}  // namespace

Result<std::string> http_get(const std::string& url, const HttpGetOptions& opt) {
  auto u = parse_url(url);
  if (!u) return make_error("jwks url must be http://host[:port]/path or https://...");
  net::io_context ioc;
  auto eps = resolve(ioc, *u);
  if (!eps) return eps.error();
  if (!u->tls) {
    tcp::socket sock(ioc);
    if (auto ec = connect_bounded(ioc, sock, *eps, opt.timeout)) {
      return make_error("jwks fetch: connect " + u->host + ": " + ec.message());
    }
    return exchange(ioc, sock, *u, opt);
  }
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_default_verify_paths();
  beast::error_code ca_ec;
  if (!opt.ca_file.empty()) ctx.load_verify_file(opt.ca_file, ca_ec);
  if (ca_ec) return make_error("jwks fetch: CA file " + opt.ca_file + ": " + ca_ec.message());
  ctx.set_verify_mode(ssl::verify_peer);
  ssl::stream<tcp::socket> stream(ioc, ctx);
  stream.set_verify_callback(ssl::host_name_verification(u->host));
  if (!SSL_set_tlsext_host_name(stream.native_handle(), u->host.c_str())) {
    return make_error("jwks fetch: cannot set SNI");
  }
  if (auto ec = connect_bounded(ioc, stream.next_layer(), *eps, opt.timeout)) {
    return make_error("jwks fetch: connect " + u->host + ": " + ec.message());
  }
  beast::error_code hs = net::error::timed_out;
  stream.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { hs = ec; });
  ioc.restart();
  ioc.run_for(opt.timeout);
  if (hs) return make_error("jwks fetch: TLS handshake " + u->host + ": " + hs.message());
  return exchange(ioc, stream, *u, opt);
}

}  // namespace securenet::auth
