// Server-Sent Events clients (GET /api/events). The hub formats each event once and
// queues a shared copy per client; a client whose queue is full (slow reader) is dropped,
// so one stuck browser can never make the control thread buffer without bound.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>

#include "detect/event_observer.h"

namespace securenet::control {

class SseClientBase;
template <class Stream>
class SseClient;

// An EventObserver of the App: alert changes become "alert" events, config changes "config".
class SseHub final : public EventObserver {
 public:
  static constexpr size_t kMaxQueue = 64;
  // Takes the connection over: writes the response header, then streams events.
  // `on_close` runs once when the client goes (frees its connection slot).
  void add(boost::beast::tcp_stream stream, std::function<void()> on_close);
  void add(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
           std::function<void()> on_close);
  void broadcast(std::string_view event, std::string_view data);
  void on_alert_changed(const Alert& alert) override;
  void on_config_changed(const SecurityConfig& config, const std::string& config_json,
                         const std::string& user_id) override;
  void close_all();
  size_t clients() const { return clients_.size(); }
  uint64_t dropped() const { return dropped_; }

 private:
  template <class Stream>
  friend class SseClient;
  template <class Stream>
  void add_client(Stream stream, std::function<void()> on_close);
  void remove(SseClientBase* c);
  std::unordered_set<std::shared_ptr<SseClientBase>> clients_;
  uint64_t dropped_ = 0;
};

}  // namespace securenet::control
