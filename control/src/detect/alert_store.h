// The one owner of alert state (the live view; the database keeps the history): every alert
// by id, and the index of OPEN alerts by key (kind, host[, condition]) with at most one open
// alert per key. The Detector reads and changes alerts only through it; counts by severity
// (API "anomalies", Prometheus, the metrics rows) come from it. Bounded: when full, the
// oldest resolved alert is evicted; an open alert is never evicted (it is still tracked and
// will be updated and resolved), so only while more than `capacity` alerts are open does the
// store hold more than `capacity` (the next insert after they resolve shrinks it back).
#pragma once

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

// The dedup key: one open alert per (kind, host[, condition]); the condition only for
// sensor_health (a protocol_blacklist alert merges its protocols instead).
std::string alert_key(AlertKind kind, const std::string& host, const std::string& condition);
std::string alert_key(const Alert& a);

enum class ResolvedBy : uint8_t { kAuto, kUser, kRestart };

class AlertStore {
 public:
  explicit AlertStore(size_t capacity = 10000) : capacity_(capacity) {}
  // Adds an alert (its id must be new). An open alert takes its key in the open index; when
  // another open alert holds that key nothing is added and nullptr is returned.
  const Alert* insert(Alert a);
  const Alert* find(const std::string& id) const;
  const Alert* open_for(const std::string& key) const;  // the key's open alert, or nullptr
  // Changes an open alert in place (value, count, severity, description, ...); `f` must not
  // change its id, kind, host, condition or open. nullptr when no open alert has this id.
  template <class F>
  const Alert* update(const std::string& id, F&& f) {
    Alert* a = find_mutable(id);
    if (!a || !a->open) return nullptr;
    f(*a);
    return a;
  }
  // Resolves an open alert (it leaves the open index); a resolved alert is returned as is,
  // nullptr when the id is unknown.
  const Alert* resolve(const std::string& id, int64_t now_ms, ResolvedBy by);
  std::vector<const Alert*> list(const AlertFilter& f) const;  // newest first
  SeverityCounts open_by_severity() const;                     // from the open index
  size_t open_count() const { return open_.size(); }
  size_t size() const { return alerts_.size(); }

 private:
  using Iter = std::list<Alert>::iterator;
  Alert* find_mutable(const std::string& id);
  bool evict_one();
  size_t capacity_;
  std::list<Alert> alerts_;  // oldest first
  std::unordered_map<std::string, Iter> by_id_;
  std::unordered_map<std::string, Iter> open_;  // key -> its open alert
};

}  // namespace securenet::control
