// The in-memory alert store (the live view; the database keeps the history): bounded; when full,
// the oldest resolved alert is evicted first (an open one only if every alert is open).
#pragma once

#include <array>
#include <list>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "detect/alert.h"

namespace securenet::control {

struct AlertFilter {
  size_t limit = 50;
  std::optional<Severity> severity;
  std::optional<bool> open;  // true = open only, false = resolved only
  std::string host;          // empty = any
};

class AlertStore {
 public:
  explicit AlertStore(size_t capacity = 10000) : capacity_(capacity) {}
  Alert& insert(Alert a);
  Alert* find(const std::string& id);
  std::vector<const Alert*> list(const AlertFilter& f) const;  // newest first
  std::array<uint64_t, kSeverityCount> open_by_severity() const;
  size_t size() const { return alerts_.size(); }

 private:
  void evict_one();
  size_t capacity_;
  std::list<Alert> alerts_;  // oldest first
  std::unordered_map<std::string, std::list<Alert>::iterator> by_id_;
};

}  // namespace securenet::control
