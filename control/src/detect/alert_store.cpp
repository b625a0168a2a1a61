#include "detect/alert_store.h"

namespace securenet::control {

Alert& AlertStore::insert(Alert a) {
  if (alerts_.size() >= capacity_) evict_one();
  alerts_.push_back(std::move(a));
  auto it = std::prev(alerts_.end());
  by_id_[it->id] = it;
  return *it;
}

void AlertStore::evict_one() {
  auto victim = alerts_.begin();
  for (auto it = alerts_.begin(); it != alerts_.end(); ++it) {
    if (!it->open) {
      victim = it;
      break;
    }
  }
  if (victim == alerts_.end()) return;
  by_id_.erase(victim->id);
  alerts_.erase(victim);
}

Alert* AlertStore::find(const std::string& id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &*it->second;
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

std::array<uint64_t, kSeverityCount> AlertStore::open_by_severity() const {
  std::array<uint64_t, kSeverityCount> n{};
  for (const auto& a : alerts_)
    if (a.open) ++n[static_cast<size_t>(a.severity)];
  return n;
}

}  // namespace securenet::control
