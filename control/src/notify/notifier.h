// The notifier: one EventObserver (App::subscribe) that turns alert changes into
// notifications (opened, escalated, resolved; an update that is neither is not one) and hands
// them to each matching channel's bounded queue. Each channel has its own delivery thread, so
// a slow or dead receiver delays only its own channel and never the control thread:
// on_alert_changed only locks a queue and pushes (a full queue drops and counts).
// A delivery that fails is retried with exponential back-off; after the last retry it is a
// dead letter (counted). Every outcome is recorded in the DeliveryLog.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "detect/event_observer.h"
#include "notify/delivery_log.h"
#include "notify/messages.h"
#include "notify/notify_config.h"
#include "notify/transport.h"

namespace securenet {
class JsonWriter;
}

namespace securenet::control {

struct ChannelStats {
  uint64_t queued = 0;       // accepted into the queue
  uint64_t delivered = 0;    // the receiver took it (possibly after retries)
  uint64_t retries = 0;      // attempts after a first one
  uint64_t dead_letter = 0;  // failed after the last retry
  uint64_t dropped = 0;      // the queue was full
  size_t backlog = 0;        // waiting now
};

class Notifier final : public EventObserver {
 public:
  explicit Notifier(NotifyConfig cfg);
  ~Notifier() override;  // stops the threads (an attempt under way runs to its timeout)
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void on_alert_changed(const Alert& alert) override;
  void on_config_changed(const SecurityConfig&, const std::string&, const std::string&) override {}
  // Alerts already announced (adopted from an earlier run): their updates are not "opened".
  void seed(const std::vector<Alert>& open);

  const DeliveryLog& log() const { return log_; }
  size_t channels() const { return channels_.size(); }
  ChannelStats stats(size_t i) const;
  uint64_t dead_letters() const;
  // The "notifications" section of GET /api/status.
  void write_status(JsonWriter& w) const;

 private:
  struct Channel;
  void enqueue(Channel& c, const Notification& n);
  void run(Channel& c);
  Attempt attempt(Channel& c, const Notification& n);

  NotifyConfig cfg_;
  DeliveryLog log_;
  std::vector<std::unique_ptr<Channel>> channels_;
  std::unordered_map<std::string, Severity> announced_;  // open alerts told (control thread)
};

}  // namespace securenet::control
