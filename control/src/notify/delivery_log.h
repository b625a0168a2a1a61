// The actions taken for each alert (GET /api/alerts/{id}/actions): one record per delivery
// (channel, event, result, attempts, time). Bounded: the newest kMaxAlerts alerts, at most
// kPerAlert records each (oldest dropped first). Written by the delivery threads, read by the
// HTTP thread, so it has its own lock; later actions (blocks) can add records of their own.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace securenet::control {

struct ActionRecord {
  std::string alert_id;
  std::string channel;  // the configured name
  std::string type;     // "webhook" | "syslog" | "exec"
  std::string event;    // "alert.opened" | "alert.escalated" | "alert.resolved"
  std::string result;   // "delivered" | "failed" (dead letter) | "dropped" (queue full)
  uint32_t attempts = 0;
  int64_t time_ms = 0;  // when the result was known
  std::string detail;   // "HTTP 200", "exit 0", "timeout after 2000 ms", ...
};

class DeliveryLog {
 public:
  static constexpr size_t kMaxAlerts = 10000;
  static constexpr size_t kPerAlert = 64;
  explicit DeliveryLog(size_t max_alerts = kMaxAlerts) : max_alerts_(max_alerts) {}
  void add(ActionRecord r);
  std::vector<ActionRecord> for_alert(const std::string& alert_id) const;  // oldest first
  size_t alerts() const;

 private:
  mutable std::mutex mu_;
  size_t max_alerts_;
  std::unordered_map<std::string, std::deque<ActionRecord>> by_alert_;
  std::deque<std::string> order_;  // alert ids, oldest first
};

std::string actions_json(const std::string& alert_id, const std::vector<ActionRecord>& records);

}  // namespace securenet::control
