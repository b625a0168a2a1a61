// The notification channels (README "Responding to attacks", API.md "Notifications"): webhooks,
// syslog (RFC 5424 with CEF) and a FastNetMon-style exec hook, each with its own severity
// threshold and kinds. Read from its own file (--notify-config, default <state-dir>/notify.json),
// never from the API: a channel holds secrets and a program to run, so only whoever can write
// the sensor's files configures them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/alert.h"
#include "securenet/result.h"

namespace securenet::control {

enum class ChannelType : uint8_t { kWebhook, kSyslog, kExec };
const char* to_string(ChannelType t);

// http[s]://host[:port]/path, split (host without brackets for IPv6).
struct HttpUrl {
  bool tls = false;
  std::string host;
  std::string port;    // "80" / "443" when not given
  std::string target;  // "/path?query", "/" when empty
};
// nullopt with `why` for anything but a plain http(s) URL (no userinfo, fragment, spaces,
// control characters; at most kMaxUrlLength).
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string* why);

struct ChannelConfig {
  ChannelType type = ChannelType::kWebhook;
  std::string name;  // [A-Za-z0-9_.-]{1,64}, unique; what the delivery records show
  Severity min_severity = Severity::kLow;
  std::vector<AlertKind> kinds;  // empty: every kind
  uint32_t timeout_ms = 5000;    // one attempt (connect + send + answer; the whole script run)
  uint32_t retries = 3;          // attempts after the first (exec: default 0)
  uint32_t backoff_ms = 500;     // before retry n: backoff_ms * 2^(n-1)
  // webhook
  std::string url;  // as given
  HttpUrl http;
  std::string secret;   // HMAC-SHA256 key of X-SecureNet-Signature; empty: no header
  std::string ca_file;  // https, syslog tls: trust these CAs (PEM) instead of the system's
  // syslog
  bool tcp = false;  // "transport": "udp" (default) | "tcp" (RFC 6587 octet counting) | "tls"
  bool tls = false;  // "tls": RFC 5425 (TCP + TLS, octet counting; port 6514 by default)
  std::string host, port;
  uint32_t facility = 16;  // local0
  // exec
  std::string program;  // absolute path, run without a shell
};

struct NotifyConfig {
  std::string sensor;              // the sensor's name in messages; default: the host name
  uint32_t queue_capacity = 1000;  // per channel; a full queue drops (counted)
  std::vector<ChannelConfig> channels;
  bool matches(const ChannelConfig& c, const Alert& a) const;
};

inline constexpr size_t kMaxChannels = 32;
inline constexpr size_t kMaxUrlLength = 2048;
inline constexpr size_t kMaxSecretLength = 1024;
inline constexpr uint32_t kMaxTimeoutMs = 120000;
inline constexpr uint32_t kMaxRetries = 10;
inline constexpr uint32_t kMaxBackoffMs = 600000;
inline constexpr uint32_t kMaxQueueCapacity = 100000;

// Parses and validates the whole file text (all or nothing; unknown keys are errors).
Result<NotifyConfig> parse_notify_config(std::string_view json);
// A missing file: no channels. `required`: a missing file is an error (given on the command line).
Result<NotifyConfig> load_notify_config(const std::string& path, bool required);

}  // namespace securenet::control
