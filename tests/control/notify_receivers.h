// Real receivers for the notification tests, in-process on loopback ephemeral ports: an HTTP
// server (Beast, one connection at a time; answers 500 to the first `fail_first` requests, or
// never answers), a syslog UDP socket and a syslog TCP server that splits RFC 6587
// octet-counted frames. Each records what it got; wait_for() waits on a condition with a
// deadline (no fixed sleeps).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace notify_test {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using udp = net::ip::udp;

// Messages received, with a wait on a predicate.
template <typename T>
class Inbox {
 public:
  void push(T v) {
    std::lock_guard l(mu_);
    items_.push_back(std::move(v));
    cv_.notify_all();
  }
  bool wait_for(size_t n, std::chrono::milliseconds d = std::chrono::seconds(10)) {
    std::unique_lock l(mu_);
    return cv_.wait_for(l, d, [&] { return items_.size() >= n; });
  }
  std::vector<T> items() {
    std::lock_guard l(mu_);
    return items_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> items_;
};

struct HttpHit {
  std::string target, body;
  std::map<std::string, std::string> headers;
};

class HttpReceiver {
 public:
  int fail_first = 0;         // answer 500 to this many requests first
  bool never_answer = false;  // read the request, then hold the connection without answering
  Inbox<HttpHit> hits;
  std::atomic<int> requests{0};
  std::atomic<int> handshake_failures{0};  // TLS only

  // With cert and key (PEM files): HTTPS.
  explicit HttpReceiver(const std::string& cert = "", const std::string& key = "")
      : acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    if (!cert.empty()) {
      tls_.emplace(net::ssl::context::tls_server);
      tls_->use_certificate_chain_file(cert);
      tls_->use_private_key_file(key, net::ssl::context::pem);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpReceiver() {
    stop_ = true;
    boost::system::error_code ec;
    // Wake accept(): connect once.
    tcp::socket s(ioc_);
    s.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& path = "/hook") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) + path;
  }

 private:
  void serve() {
    std::vector<std::shared_ptr<void>> held;  // never_answer: kept open until the end
    while (!stop_) {
      auto s = std::make_shared<tcp::socket>(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(*s, ec);
      if (ec || stop_) break;
      if (!tls_) {
        if (handle(*s)) held.push_back(s);
        continue;
      }
      auto t = std::make_shared<net::ssl::stream<tcp::socket&>>(*s, *tls_);
      t->handshake(net::ssl::stream_base::server, ec);
      if (ec) {
        ++handshake_failures;
        continue;
      }
      if (handle(*t)) {
        held.push_back(s);
        held.push_back(t);
      }
    }
  }
  // One request; true when the connection is to be held open (never_answer).
  template <typename Stream>
  bool handle(Stream& s) {
    boost::system::error_code ec;
    boost::beast::flat_buffer buf;
    http::request<http::string_body> req;
    http::read(s, buf, req, ec);
    if (ec) return false;
    int n = ++requests;
    HttpHit hit{std::string(req.target()), req.body(), {}};
    for (const auto& f : req) hit.headers[std::string(f.name_string())] = std::string(f.value());
    if (never_answer) {
      hits.push(std::move(hit));
      return true;
    }
    http::response<http::string_body> res{
        n <= fail_first ? http::status::internal_server_error : http::status::no_content, 11};
    res.prepare_payload();
    http::write(s, res, ec);
    if (n > fail_first) hits.push(std::move(hit));
    return false;
  }
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::optional<net::ssl::context> tls_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class UdpReceiver {
 public:
  Inbox<std::string> lines;
  UdpReceiver() : sock_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this] {
      char buf[65536];
      while (!stop_) {
        udp::endpoint from;
        boost::system::error_code ec;
        size_t n = sock_.receive_from(net::buffer(buf), from, 0, ec);
        if (ec || stop_) break;
        lines.push(std::string(buf, n));
      }
    });
  }
  ~UdpReceiver() {
    stop_ = true;
    udp::socket s(ioc_, udp::v4());
    s.send_to(net::buffer("x", 1), sock_.local_endpoint());
    thread_.join();
  }
  unsigned short port() const { return sock_.local_endpoint().port(); }

 private:
  net::io_context ioc_;
  udp::socket sock_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Splits octet-counted frames ("LEN SP MSG"); a frame whose length does not match is recorded
// as "BAD FRAME". close_after: close each connection after this many frames (0: never).
class TcpReceiver {
 public:
  Inbox<std::string> lines;
  std::atomic<int> connections{0};
  std::atomic<int> closed{0};
  int close_after = 0;
  // With cert and key (PEM files): TLS (RFC 5425).
  explicit TcpReceiver(const std::string& cert = "", const std::string& key = "")
      : acceptor_(ioc_, {net::ip::make_address("127.0.0.1"), 0}) {
    if (!cert.empty()) {
      tls_.emplace(net::ssl::context::tls_server);
      tls_->use_certificate_chain_file(cert);
      tls_->use_private_key_file(key, net::ssl::context::pem);
    }
    thread_ = std::thread([this] { serve(); });
  }
  ~TcpReceiver() {
    stop_ = true;
    if (int fd = cur_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);  // wakes a blocked read
    boost::system::error_code ec;
    tcp::socket s(ioc_);
    s.connect(acceptor_.local_endpoint(), ec);
    thread_.join();
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }

 private:
  void serve() {
    while (!stop_) {
      tcp::socket s(ioc_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stop_) break;
      ++connections;
      cur_fd_ = s.native_handle();
      if (stop_) break;
      if (tls_) {
        net::ssl::stream<tcp::socket&> t(s, *tls_);
        t.handshake(net::ssl::stream_base::server, ec);
        if (!ec) read_frames(t);
      } else {
        read_frames(s);
      }
      cur_fd_ = -1;
      s.close(ec);
      ++closed;
    }
  }
  template <typename Stream>
  void read_frames(Stream& s) {
    boost::system::error_code ec;
    net::streambuf buf;
    for (int frames = 0; close_after == 0 || frames < close_after; ++frames) {
      size_t n = net::read_until(s, buf, ' ', ec);
      if (ec) break;
      std::string len(net::buffers_begin(buf.data()), net::buffers_begin(buf.data()) + n - 1);
      buf.consume(n);
      size_t want = 0;
      try {
        want = std::stoul(len);
      } catch (...) {
        lines.push("BAD FRAME");
        break;
      }
      if (buf.size() < want) net::read(s, buf, net::transfer_exactly(want - buf.size()), ec);
      if (ec) break;
      lines.push(
          std::string(net::buffers_begin(buf.data()), net::buffers_begin(buf.data()) + want));
      buf.consume(want);
    }
  }
  std::atomic<int> cur_fd_{-1};
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::optional<net::ssl::context> tls_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace notify_test
