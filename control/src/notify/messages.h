// What a notification says, per channel: the webhook's JSON body and its signature, the
// syslog line (RFC 5424 with a CEF message) and the exec hook's arguments. Pure functions, so
// the tests check them byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.h"

namespace securenet::control {

// "alert.opened", "alert.escalated" or "alert.resolved".
struct Notification {
  std::string event;
  Alert alert;
  std::string sensor;
  std::string delivery_id;  // UUIDv4, the same on every retry (receivers drop repeats)
  int64_t time_ms = 0;
};

// One line for humans and chat (Slack/Mattermost "text").
std::string notification_text(const Notification& n);
// {"event","delivery_id","time_ms","sensor","alert":{...},"text"}
std::string webhook_body(const Notification& n);
// "sha256=" + lower-case hex HMAC-SHA256 of body with key.
std::string webhook_signature(std::string_view key, std::string_view body);

// CEF escaping: header fields escape '\' and '|'; extension values '\' and '='; both turn
// CR and LF into \r and \n (a header has no newline: a space).
std::string cef_header_escape(std::string_view s);
std::string cef_value_escape(std::string_view s);
int cef_severity(Severity s);  // LOW 3, MEDIUM 5, HIGH 8, CRITICAL 10
// CEF:0|SecureNet|Sensor|<version>|<kind>|<name>|<sev>|<extension>
std::string cef_message(const Notification& n);
// <PRI>1 TIMESTAMP HOSTNAME securenet PROCID alert - CEF:...   (RFC 5424, no BOM)
std::string syslog_line(const Notification& n, unsigned facility, std::string_view hostname,
                        int64_t pid);

// FastNetMon's notify_script arguments: ip, "incoming"|"outgoing"|"other", pps, "ban"|"unban".
// Empty when the alert has no host or the event is not an open or a resolve.
std::vector<std::string> exec_args(const Notification& n);

}  // namespace securenet::control
