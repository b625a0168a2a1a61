// A tiny synchronous HTTP/1.1 client for the control-plane tests (Beast), plus helpers
// to build tokens (including refused ones) and parse JSON bodies.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <map>
#include <string>

namespace sn_test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  std::string header(const std::string& k) const {
    auto it = headers.find(k);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  HttpResult request(http::verb method, const std::string& target, const std::string& body = "",
                     const std::string& token = "",
                     const std::map<std::string, std::string>& extra = {}) {
    http::request<http::string_body> req(method, target, 11);
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    for (const auto& [k, v] : extra) req.set(k, v);
    if (!body.empty() || method == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    req.keep_alive(true);
    http::write(socket_, req);
    return read_response();
  }
  HttpResult read_response() {
    http::response_parser<http::string_body> p;
    p.body_limit(64 * 1024 * 1024);
    beast::error_code ec;
    http::read(socket_, buffer_, p, ec);
    HttpResult r;
    if (ec) {
      r.status = -1;
      r.body = ec.message();
      return r;
    }
    auto& res = p.get();
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    for (const auto& f : res) r.headers[std::string(f.name_string())] = std::string(f.value());
    return r;
  }
  void write_raw(const std::string& bytes) { net::write(socket_, net::buffer(bytes)); }
  // Reads whatever arrives until `needle` is seen or `max` bytes (SSE tests).
  std::string read_until(const std::string& needle, size_t max = 1 << 20) {
    std::string got(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.consume(buffer_.size());
    char buf[4096];
    while (got.find(needle) == std::string::npos && got.size() < max) {
      beast::error_code ec;
      size_t n = socket_.read_some(net::buffer(buf), ec);
      if (ec) break;
      got.append(buf, n);
    }
    return got;
  }
  tcp::socket& socket() { return socket_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

inline HttpResult get(uint16_t port, const std::string& target, const std::string& token = "") {
  HttpClient c(port);
  return c.request(http::verb::get, target, "", token);
}
inline HttpResult post(uint16_t port, const std::string& target, const std::string& body,
                       const std::string& token = "") {
  HttpClient c(port);
  return c.request(http::verb::post, target, body, token);
}

inline std::string b64url(const std::string& in) {
  static constexpr char kA[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out.push_back(kA[(v >> (6 * k)) & 63]);
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out.push_back(kA[(v >> 18) & 63]);
    out.push_back(kA[(v >> 12) & 63]);
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out.push_back(kA[(v >> 18) & 63]);
    out.push_back(kA[(v >> 12) & 63]);
    out.push_back(kA[(v >> 6) & 63]);
  }
  return out;
}

}  // namespace sn_test
