#include "http/sse_hub.h"

#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <type_traits>

#include "http/security_headers.h"

namespace securenet::control {

namespace beast = boost::beast;
namespace net = boost::asio;

// One client, over plain TCP or TLS.
class SseClientBase {
 public:
  virtual ~SseClientBase() = default;
  virtual void push(std::shared_ptr<const std::string> msg) = 0;
  virtual void close() = 0;
};

template <class Stream>
class SseClient : public SseClientBase, public std::enable_shared_from_this<SseClient<Stream>> {
 public:
  SseClient(SseHub& hub, Stream stream, std::function<void()> on_close)
      : hub_(hub), stream_(std::move(stream)), on_close_(std::move(on_close)) {}
  ~SseClient() {
    if (on_close_) on_close_();
  }

  void push(std::shared_ptr<const std::string> msg) override {
    if (closed_) return;
    if (queue_.size() >= SseHub::kMaxQueue) {
      ++hub_.dropped_;
      close();
      return;
    }
    queue_.push_back(std::move(msg));
    if (!writing_) write_next();
  }

  void close() override {
    if (closed_) return;
    closed_ = true;
    queue_.clear();
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).socket().close(ec);
    hub_.remove(this);
  }

 private:
  void write_next() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    beast::get_lowest_layer(stream_).expires_after(
        std::chrono::seconds(10));  // a stuck reader is dropped
    auto self = this->shared_from_this();
    net::async_write(stream_, net::buffer(*queue_.front()), [self](beast::error_code ec, size_t) {
      if (self->closed_) return;
      if (ec) {
        self->close();
        return;
      }
      self->queue_.pop_front();
      self->write_next();
    });
  }

  SseHub& hub_;
  Stream stream_;
  std::function<void()> on_close_;
  std::deque<std::shared_ptr<const std::string>> queue_;
  bool writing_ = false;
  bool closed_ = false;
};

void SseHub::add(beast::tcp_stream stream, std::function<void()> on_close) {
  add_client(std::move(stream), std::move(on_close));
}

void SseHub::add(beast::ssl_stream<beast::tcp_stream> stream, std::function<void()> on_close) {
  add_client(std::move(stream), std::move(on_close));
}

template <class Stream>
void SseHub::add_client(Stream stream, std::function<void()> on_close) {
  auto c = std::make_shared<SseClient<Stream>>(*this, std::move(stream), std::move(on_close));
  clients_.insert(c);
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  std::string head =
      "HTTP/1.1 200 OK\r\nServer: securenet-control\r\nContent-Type: text/event-stream\r\n"
      "Cache-Control: no-cache\r\nConnection: keep-alive\r\nX-Accel-Buffering: no\r\n";
  for_each_security_header(kTls, [&head](std::string_view k, std::string_view v) {
    head.append(k).append(": ").append(v).append("\r\n");
  });
  head.append("\r\n: connected\n\n");
  c->push(std::make_shared<const std::string>(std::move(head)));
}

void SseHub::broadcast(std::string_view event, std::string_view data) {
  if (clients_.empty()) return;
  auto msg = std::make_shared<std::string>();
  msg->reserve(data.size() + event.size() + 16);
  msg->append("event: ").append(event).append("\ndata: ");
  for (char ch : data) {  // one JSON line; a newline inside would split the event
    if (ch == '\n') {
      msg->append("\ndata: ");
    } else {
      msg->push_back(ch);
    }
  }
  msg->append("\n\n");
  std::shared_ptr<const std::string> shared = std::move(msg);
  auto copy = clients_;  // push may remove a client
  for (const auto& c : copy) c->push(shared);
}

void SseHub::on_alert_changed(const Alert& alert) {
  if (!clients_.empty()) broadcast("alert", alert_to_json(alert));
}

void SseHub::on_config_changed(const SecurityConfig&, const std::string& config_json,
                               const std::string&) {
  broadcast("config", config_json);
}

void SseHub::remove(SseClientBase* c) {
  for (auto it = clients_.begin(); it != clients_.end(); ++it) {
    if (it->get() == c) {
      clients_.erase(it);  // the client lives on until its last handler returns
      return;
    }
  }
}

void SseHub::close_all() {
  auto copy = clients_;
  for (const auto& c : copy) c->close();
  clients_.clear();
}

}  // namespace securenet::control
