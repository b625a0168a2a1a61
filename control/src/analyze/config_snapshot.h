// The current config's JSON for threads other than the control thread (POST /api/analyze
// runs on the server's worker pool): an observer of the App's config changes that keeps a
// copy under a mutex.
#pragma once

#include <mutex>
#include <string>

#include "detect/event_observer.h"

namespace securenet::control {

class ConfigSnapshot : public EventObserver {
 public:
  explicit ConfigSnapshot(std::string initial_json) : json_(std::move(initial_json)) {}
  void on_alert_changed(const Alert&) override {}
  void on_config_changed(const SecurityConfig&, const std::string& config_json,
                         const std::string&) override {
    std::lock_guard<std::mutex> lock(mu_);
    json_ = config_json;
  }
  std::string json() const {
    std::lock_guard<std::mutex> lock(mu_);
    return json_;
  }

 private:
  mutable std::mutex mu_;
  std::string json_;
};

}  // namespace securenet::control
