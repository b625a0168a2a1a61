#include "notify/delivery_log.h"

#include "securenet/common/json_writer.h"

namespace securenet::control {

void DeliveryLog::add(ActionRecord r) {
  std::lock_guard lock(mu_);
  auto it = by_alert_.find(r.alert_id);
  if (it == by_alert_.end()) {
    while (by_alert_.size() >= max_alerts_ && !order_.empty()) {
      by_alert_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(r.alert_id);
    it = by_alert_.emplace(r.alert_id, std::deque<ActionRecord>{}).first;
  }
  if (it->second.size() >= kPerAlert) it->second.pop_front();
  it->second.push_back(std::move(r));
}

std::vector<ActionRecord> DeliveryLog::for_alert(const std::string& alert_id) const {
  std::lock_guard lock(mu_);
  auto it = by_alert_.find(alert_id);
  if (it == by_alert_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

size_t DeliveryLog::alerts() const {
  std::lock_guard lock(mu_);
  return by_alert_.size();
}

std::string actions_json(const std::string& alert_id, const std::vector<ActionRecord>& records) {
  JsonWriter w;
  w.begin_object().field("alert_id", alert_id).key("actions").begin_array();
  for (const auto& r : records) {
    w.begin_object().field("channel", r.channel).field("type", r.type).field("event", r.event);
    w.field("result", r.result).field("attempts", r.attempts).field("time_ms", r.time_ms);
    w.field("detail", r.detail).end_object();
  }
  w.end_array().end_object();
  return w.take();
}

}  // namespace securenet::control
