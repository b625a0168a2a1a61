#include "detect/alert_store.h"

namespace securenet::control {

std::string alert_key(AlertKind kind, const std::string& host, const std::string& condition) {
  return std::string(to_string(kind)) + "|" + host + "|" +
         (kind == AlertKind::kSensorHealth ? condition : std::string());
}

std::string alert_key(const Alert& a) { return alert_key(a.kind, a.host, a.condition); }

const Alert* AlertStore::insert(Alert a) {
  std::string key;
  if (a.open) {
    key = alert_key(a);
    if (open_.count(key)) return nullptr;
  }
  while (alerts_.size() >= capacity_ && evict_one()) {
  }
  alerts_.push_back(std::move(a));
  auto it = std::prev(alerts_.end());
  by_id_[it->id] = it;
  if (it->open) open_.emplace(std::move(key), it);
  return &*it;
}

bool AlertStore::evict_one() {
  for (auto it = alerts_.begin(); it != alerts_.end(); ++it) {
    if (it->open) continue;
    by_id_.erase(it->id);
    alerts_.erase(it);
    return true;
  }
  return false;  // every alert is open
}

Alert* AlertStore::find_mutable(const std::string& id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &*it->second;
}

const Alert* AlertStore::find(const std::string& id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &*it->second;
}

const Alert* AlertStore::open_for(const std::string& key) const {
  auto it = open_.find(key);
  return it == open_.end() ? nullptr : &*it->second;
}

const Alert* AlertStore::resolve(const std::string& id, int64_t now_ms, ResolvedBy by) {
  Alert* a = find_mutable(id);
  if (!a || !a->open) return a;
  open_.erase(alert_key(*a));
  a->open = false;
  a->resolved_at_ms = now_ms;
  a->resolved_by_user = by == ResolvedBy::kUser;
  a->resolved_by_restart = by == ResolvedBy::kRestart;
  return a;
}

std::vector<const Alert*> AlertStore::list(const AlertFilter& f) const {
  std::vector<const Alert*> out;
  for (auto it = alerts_.rbegin(); it != alerts_.rend() && out.size() < f.limit; ++it) {
    if (f.severity && it->severity != *f.severity) continue;
    if (f.open && it->open != *f.open) continue;
    if (!f.host.empty() && it->host != f.host) continue;
    out.push_back(&*it);
  }
  return out;
}

SeverityCounts AlertStore::open_by_severity() const {
  SeverityCounts n{};
  for (const auto& [key, it] : open_) ++n[static_cast<size_t>(it->severity)];
  return n;
}

}  // namespace securenet::control
