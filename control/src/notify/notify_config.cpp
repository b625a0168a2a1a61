// The notify file: parsed with simdjson, every key known, every value in range.
#include "notify/notify_config.h"

#include <arpa/inet.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "util/json_keys.h"

namespace securenet::control {

const char* to_string(ChannelType t) {
  switch (t) {
    case ChannelType::kWebhook:
      return "webhook";
    case ChannelType::kSyslog:
      return "syslog";
    case ChannelType::kExec:
      return "exec";
  }
  return "webhook";
}

bool NotifyConfig::matches(const ChannelConfig& c, const Alert& a) const {
  if (a.severity < c.min_severity) return false;
  if (c.kinds.empty()) return true;
  for (AlertKind k : c.kinds)
    if (k == a.kind) return true;
  return false;
}

namespace {

bool plain_text(std::string_view s) {
  for (unsigned char ch : s)
    if (ch <= 0x20 || ch == 0x7f) return false;
  return true;
}

bool valid_port(std::string_view p) {
  if (p.empty() || p.size() > 5) return false;
  unsigned v = 0;
  for (char ch : p) {
    if (ch < '0' || ch > '9') return false;
    v = v * 10 + static_cast<unsigned>(ch - '0');
  }
  return v >= 1 && v <= 65535;
}

// host or [v6], then an optional :port; fills host (brackets removed) and port.
bool split_authority(std::string_view a, std::string& host, std::string& port, std::string* why) {
  if (a.empty()) return (*why = "missing host", false);
  std::string_view h = a, p;
  if (a.front() == '[') {
    auto close = a.find(']');
    if (close == std::string_view::npos) return (*why = "unclosed '[' in the host", false);
    h = a.substr(1, close - 1);
    std::string_view rest = a.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return (*why = "junk after ']'", false);
      p = rest.substr(1);
      if (p.empty()) return (*why = "empty port", false);
    }
  } else if (auto colon = a.find(':'); colon != std::string_view::npos) {
    h = a.substr(0, colon);
    p = a.substr(colon + 1);
    if (p.empty()) return (*why = "empty port", false);
  }
  if (h.empty() || h.size() > 253) return (*why = "bad host", false);
  for (char ch : h) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == ':';
    if (!ok) return (*why = "bad character in the host", false);
  }
  if (!p.empty() && !valid_port(p)) return (*why = "port must be 1..65535", false);
  host = std::string(h);
  port = std::string(p);
  return true;
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string* why) {
  std::string ignore;
  if (!why) why = &ignore;
  if (url.size() > kMaxUrlLength) return (*why = "longer than 2048 characters", std::nullopt);
  if (!plain_text(url)) return (*why = "spaces or control characters", std::nullopt);
  HttpUrl u;
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    u.tls = true;
    rest = url.substr(8);
  } else {
    return (*why = "must start with http:// or https://", std::nullopt);
  }
  if (url.find('#') != std::string_view::npos) return (*why = "no fragment (#)", std::nullopt);
  auto slash = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, slash);
  if (authority.find('@') != std::string_view::npos)
    return (*why = "no user:password@ in the URL (use the secret)", std::nullopt);
  if (!split_authority(authority, u.host, u.port, why)) return std::nullopt;
  if (u.port.empty()) u.port = u.tls ? "443" : "80";
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (u.target.front() == '?') u.target.insert(0, "/");
  return u;
}

namespace {

using simdjson::dom::element;

struct Parser {
  std::string err;
  bool fail(std::string msg) {
    if (err.empty()) err = std::move(msg);
    return false;
  }
  bool str(const std::string& at, element v, size_t max, std::string& out) {
    std::string_view sv;
    if (v.get_string().get(sv) != simdjson::SUCCESS) return fail(at + ": must be a string");
    if (sv.size() > max) return fail(at + ": longer than " + std::to_string(max) + " characters");
    out = std::string(sv);
    return true;
  }
  bool num(const std::string& at, element v, uint32_t lo, uint32_t hi, uint32_t& out) {
    int64_t n = 0;
    if (v.get_int64().get(n) != simdjson::SUCCESS) return fail(at + ": must be a whole number");
    if (n < static_cast<int64_t>(lo) || n > static_cast<int64_t>(hi))
      return fail(at + ": " + std::to_string(n) + " is not in " + std::to_string(lo) + ".." +
                  std::to_string(hi));
    out = static_cast<uint32_t>(n);
    return true;
  }
};

std::optional<AlertKind> parse_kind(std::string_view s) {
  for (AlertKind k : kAllAlertKinds)
    if (s == to_string(k)) return k;
  if (s == "traffic_threshold") return AlertKind::kTrafficThreshold;  // the old name
  return std::nullopt;
}

bool common_key(Parser& p, const std::string& at, std::string_view k, element v, ChannelConfig& c) {
  std::string f = at + "." + std::string(k);
  if (k == "name") {
    if (!p.str(f, v, 64, c.name)) return false;
    for (char ch : c.name) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-' && ch != '.')
        return p.fail(f + ": use letters, digits, '_', '-' and '.' only");
    }
    return c.name.empty() ? p.fail(f + ": empty") : true;
  }
  if (k == "min_severity") {
    std::string s;
    if (!p.str(f, v, 16, s)) return false;
    auto sev = parse_severity(s);
    if (!sev) return p.fail(f + ": must be LOW, MEDIUM, HIGH or CRITICAL");
    c.min_severity = *sev;
    return true;
  }
  if (k == "kinds") {
    simdjson::dom::array arr;
    if (v.get_array().get(arr) != simdjson::SUCCESS) return p.fail(f + ": must be an array");
    c.kinds.clear();
    for (element item : arr) {
      std::string s;
      if (!p.str(f + "[]", item, 64, s)) return false;
      auto kind = parse_kind(s);
      if (!kind) return p.fail(f + ": unknown alert kind '" + s + "'");
      c.kinds.push_back(*kind);
    }
    return c.kinds.empty() ? p.fail(f + ": empty (leave it out for every kind)") : true;
  }
  if (k == "timeout_ms") return p.num(f, v, 1, kMaxTimeoutMs, c.timeout_ms);
  if (k == "retries") return p.num(f, v, 0, kMaxRetries, c.retries);
  if (k == "backoff_ms") return p.num(f, v, 1, kMaxBackoffMs, c.backoff_ms);
  return p.fail(at + ": unknown field '" + std::string(k) + "'");
}

bool parse_ca_file(Parser& p, const std::string& f, element v, ChannelConfig& c) {
  if (!p.str(f, v, 4096, c.ca_file)) return false;
  if (c.ca_file.empty() || c.ca_file.front() != '/')
    return p.fail(f + ": must be an absolute path");
  return true;
}

bool type_key(Parser& p, const std::string& at, std::string_view k, element v, ChannelConfig& c) {
  std::string f = at + "." + std::string(k);
  switch (c.type) {
    case ChannelType::kWebhook:
      if (k == "url") {
        if (!p.str(f, v, kMaxUrlLength, c.url)) return false;
        std::string why;
        auto u = parse_http_url(c.url, &why);
        if (!u) return p.fail(f + ": " + why);
        c.http = *u;
        return true;
      }
      if (k == "secret") return p.str(f, v, kMaxSecretLength, c.secret);
      if (k == "ca_file") return parse_ca_file(p, f, v, c);
      break;
    case ChannelType::kSyslog:
      if (k == "transport") {
        std::string t;
        if (!p.str(f, v, 8, t)) return false;
        if (t != "udp" && t != "tcp" && t != "tls") return p.fail(f + ": must be udp, tcp or tls");
        c.tcp = t != "udp";
        c.tls = t == "tls";
        return true;
      }
      if (k == "ca_file") return parse_ca_file(p, f, v, c);
      if (k == "host") {
        std::string h, port, why;
        if (!p.str(f, v, 255, h)) return false;
        if (h.find(':') != std::string::npos) {  // only a bare IPv6 address has a ':'
          in6_addr a6{};
          if (::inet_pton(AF_INET6, h.c_str(), &a6) != 1)
            return p.fail(f + ": an IPv6 address or a host name (the port goes in \"port\")");
          h = "[" + h + "]";
        }
        if (!split_authority(h, c.host, port, &why)) return p.fail(f + ": " + why);
        if (!port.empty()) return p.fail(f + ": give the port in \"port\"");
        return true;
      }
      if (k == "port") {
        uint32_t port = 0;
        if (!p.num(f, v, 1, 65535, port)) return false;
        c.port = std::to_string(port);
        return true;
      }
      if (k == "facility") return p.num(f, v, 0, 23, c.facility);
      break;
    case ChannelType::kExec:
      if (k == "notify_script") {
        if (!p.str(f, v, 4096, c.program)) return false;
        if (c.program.empty() || c.program.front() != '/')
          return p.fail(f + ": must be an absolute path (run without a shell)");
        if (!plain_text(c.program)) return p.fail(f + ": spaces or control characters");
        return true;
      }
      break;
  }
  return common_key(p, at, k, v, c);
}

bool parse_channel(Parser& p, const std::string& at, element item, ChannelConfig& c) {
  simdjson::dom::object obj;
  if (item.get_object().get(obj) != simdjson::SUCCESS) return p.fail(at + ": must be an object");
  if (c.type == ChannelType::kExec) c.retries = 0;  // a ban script is not always idempotent
  if (c.type == ChannelType::kSyslog) c.port.clear();
  for (auto [k, v] : obj)
    if (!type_key(p, at, k, v, c)) return false;
  if (c.type == ChannelType::kSyslog && c.port.empty()) c.port = c.tls ? "6514" : "514";
  if (c.name.empty()) return p.fail(at + ": missing name");
  if (c.type == ChannelType::kWebhook && c.url.empty()) return p.fail(at + ": missing url");
  if (c.type == ChannelType::kSyslog && c.host.empty()) return p.fail(at + ": missing host");
  if (c.type == ChannelType::kExec && c.program.empty())
    return p.fail(at + ": missing notify_script");
  return true;
}

bool parse_list(Parser& p, std::string_view key, ChannelType type, element v, NotifyConfig& cfg) {
  simdjson::dom::array arr;
  std::string f(key);
  if (v.get_array().get(arr) != simdjson::SUCCESS) return p.fail(f + ": must be an array");
  size_t i = 0;
  for (element item : arr) {
    if (cfg.channels.size() >= kMaxChannels)
      return p.fail(f + ": more than " + std::to_string(kMaxChannels) + " channels in all");
    ChannelConfig c;
    c.type = type;
    if (!parse_channel(p, f + "[" + std::to_string(i++) + "]", item, c)) return false;
    cfg.channels.push_back(std::move(c));
  }
  return true;
}

}  // namespace

Result<NotifyConfig> parse_notify_config(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  if (auto e = parser.parse(padded).get(doc); e != simdjson::SUCCESS)
    return make_error(std::string("malformed JSON: ") + simdjson::error_message(e));
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return make_error("must be a JSON object");
  if (auto dup = duplicate_json_key(doc))
    return make_error("the key \"" + *dup + "\" appears twice in one object");
  Parser p;
  NotifyConfig cfg;
  for (auto [k, v] : obj) {
    bool ok = k == "webhooks" ? parse_list(p, k, ChannelType::kWebhook, v, cfg)
              : k == "syslog" ? parse_list(p, k, ChannelType::kSyslog, v, cfg)
              : k == "exec"   ? parse_list(p, k, ChannelType::kExec, v, cfg)
              : k == "sensor" ? p.str("sensor", v, 255, cfg.sensor)
              : k == "queue_capacity"
                  ? p.num("queue_capacity", v, 1, kMaxQueueCapacity, cfg.queue_capacity)
                  : p.fail("unknown field '" + std::string(k) + "'");
    if (!ok) return make_error(p.err);
  }
  std::set<std::string> names;
  for (const auto& c : cfg.channels)
    if (!names.insert(c.name).second) return make_error("channel name '" + c.name + "' twice");
  if (cfg.sensor.empty()) {
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0) cfg.sensor = host;
  }
  return cfg;
}

Result<NotifyConfig> load_notify_config(const std::string& path, bool required) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!required) return NotifyConfig{};
    return make_error("notify config " + path + ": cannot open", errno);
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (ss.str().size() > (1u << 20)) return make_error("notify config " + path + ": over 1 MiB");
  auto cfg = parse_notify_config(ss.str());
  if (!cfg) return make_error("notify config " + path + ": " + cfg.error().message);
  struct stat st {};
  bool secrets = false;
  for (const auto& c : cfg->channels) secrets = secrets || !c.secret.empty();
  if (secrets && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    std::fprintf(stderr,
                 "securenet-control: warning: %s holds webhook secrets and is readable by "
                 "others (chmod 600 it)\n",
                 path.c_str());
  }
  for (const auto& c : cfg->channels) {
    if (!c.ca_file.empty() && ::access(c.ca_file.c_str(), R_OK) != 0)
      return make_error(
          "notify config " + path + ": " + c.name + ": ca_file " + c.ca_file + " cannot be read",
          errno);
    if (c.type == ChannelType::kExec && ::access(c.program.c_str(), X_OK) != 0)
      return make_error(
          "notify config " + path + ": " + c.name + ": " + c.program + " is not an executable file",
          errno);
  }
  return cfg;
}

}  // namespace securenet::control
