// What the App publishes to whoever subscribed (App::subscribe): every alert change and every
// config change, in that order of calls, on the control thread. The persistence sink and the
// SSE hub are observers; a new notifier (webhook, syslog) is one more. Must not block.
#pragma once

#include <string>

#include "config/security_config.h"
#include "detect/alert.h"

namespace securenet::control {

class EventObserver {
 public:
  virtual ~EventObserver() = default;
  // Every create, update and resolve of an alert (the id is stable: upsert by id).
  virtual void on_alert_changed(const Alert& alert) = 0;
  // A config applied through the API, with its JSON (config_to_json, made once by the App);
  // user_id is the token's sub (empty at start-up).
  virtual void on_config_changed(const SecurityConfig& config, const std::string& config_json,
                                 const std::string& user_id) = 0;
};

}  // namespace securenet::control
