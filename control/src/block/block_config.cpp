// The --block-config file: every field checked, unknown or repeated ones refused, nothing
// half applied (one error that names the field).
#include "block/block_config.h"

#include <simdjson.h>
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

#include "securenet/ip_text.h"
#include "util/json_keys.h"

namespace securenet::control {

const char* to_string(BlockMode m) {
  return m == BlockMode::kFlowspec ? "flowspec" : m == BlockMode::kXdp ? "xdp" : "blackhole";
}

bool parse_block_mode(std::string_view s, BlockMode& out) {
  if (s == "blackhole")
    out = BlockMode::kBlackhole;
  else if (s == "flowspec")
    out = BlockMode::kFlowspec;
  else if (s == "xdp")
    out = BlockMode::kXdp;
  else
    return false;
  return true;
}

bool BlockConfig::wants(const Alert& a) const {
  if (a.host.empty() || !a.open || a.severity < min_severity) return false;
  for (AlertKind k : kinds)
    if (k == a.kind) return true;
  return false;
}

bool parse_community(std::string_view s, uint32_t& out) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos || s.size() > 11) return false;
  auto num = [](std::string_view t, uint32_t& v) {
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    return !t.empty() && r.ec == std::errc() && r.ptr == t.data() + t.size() && v <= 65535;
  };
  uint32_t hi = 0, lo = 0;
  if (!num(s.substr(0, colon), hi) || !num(s.substr(colon + 1), lo)) return false;
  out = hi << 16 | lo;
  return true;
}

std::string community_text(uint32_t c) {
  return std::to_string(c >> 16) + ":" + std::to_string(c & 0xffff);
}

namespace {

using simdjson::dom::element;

Error field_error(std::string_view f, std::string_view what) {
  return make_error("block config: " + std::string(f) + ": " + std::string(what));
}

bool get_int(element v, int64_t lo, int64_t hi, int64_t& out) {
  int64_t n = 0;
  if (v.get_int64().get(n) != simdjson::SUCCESS || n < lo || n > hi) return false;
  out = n;
  return true;
}

bool string_list(element v, size_t max, std::vector<std::string_view>& out) {
  simdjson::dom::array arr;
  if (v.get_array().get(arr) != simdjson::SUCCESS || arr.size() > max) return false;
  for (element e : arr) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return false;
    out.push_back(s);
  }
  return true;
}

bool parse_kind(std::string_view s, AlertKind& out) {
  for (AlertKind k : kAllAlertKinds) {
    if (s == to_string(k) && k != AlertKind::kSensorHealth &&
        k != AlertKind::kConnectionRateGlobal) {
      out = k;
      return true;
    }
  }
  return false;
}

bool is_ip(std::string_view s, bool v4) {
  auto k = parse_ip_text(s);
  return k && is_v4_mapped(*k) == v4;
}

// One field; an empty optional is success.
std::optional<Error> apply(BlockConfig& c, std::string_view k, element v) {
  std::string_view s;
  int64_t n = 0;
  std::vector<std::string_view> list;
  if (k == "enabled") {
    if (v.get_bool().get(c.enabled) != simdjson::SUCCESS)
      return field_error(k, "must be true or false");
  } else if (k == "mode") {
    if (v.get_string().get(s) != simdjson::SUCCESS || !parse_block_mode(s, c.mode))
      return field_error(k, "must be \"blackhole\", \"flowspec\" or \"xdp\"");
  } else if (k == "min_severity") {
    std::optional<Severity> sev;
    if (v.get_string().get(s) == simdjson::SUCCESS) sev = parse_severity(s);
    if (!sev) return field_error(k, "must be LOW, MEDIUM, HIGH or CRITICAL");
    c.min_severity = *sev;
  } else if (k == "kinds") {
    if (!string_list(v, 16, list)) return field_error(k, "must be an array of alert kinds");
    c.kinds.clear();
    for (auto item : list) {
      AlertKind kind{};
      if (!parse_kind(item, kind))
        return field_error(k, "'" + std::string(item).substr(0, 64) + "' is not a host alert kind");
      c.kinds.push_back(kind);
    }
  } else if (k == "ban_time_s") {
    if (!get_int(v, 0, kMaxBanTimeS, c.ban_time_s))
      return field_error(k,
                         "must be a whole number of seconds, 0.." + std::to_string(kMaxBanTimeS));
  } else if (k == "communities") {
    if (!string_list(v, kMaxBlockCommunities, list))
      return field_error(k, "must be an array of at most 32 \"ASN:VALUE\" strings");
    c.communities.clear();
    for (auto item : list) {
      uint32_t com = 0;
      if (!parse_community(item, com))
        return field_error(
            k, "'" + std::string(item).substr(0, 64) + "' is not ASN:VALUE (0..65535 each)");
      c.communities.push_back(com);
    }
  } else if (k == "protected_prefixes") {
    if (!string_list(v, kMaxProtectedPrefixes, list))
      return field_error(k, "must be an array of at most 1024 CIDR strings");
    c.protected_prefixes.clear();
    for (auto item : list) {
      std::string why;
      auto cidr = parse_cidr(item, &why);
      if (!cidr) return field_error(k, "'" + std::string(item).substr(0, 64) + "': " + why);
      c.protected_prefixes.push_back(*cidr);
    }
  } else if (k == "max_announcements_per_hour") {
    if (!get_int(v, 1, kMaxAnnouncementsPerHour, n))
      return field_error(k,
                         "must be a whole number, 1.." + std::to_string(kMaxAnnouncementsPerHour));
    c.max_announcements_per_hour = static_cast<unsigned>(n);
  } else if (k == "gobgp") {
    if (v.get_string().get(s) != simdjson::SUCCESS || s.empty() || s.front() != '/' ||
        s.size() > 4096 || s.find('\0') != std::string_view::npos)
      return field_error(k, "must be an absolute path");
    c.gobgp = std::string(s);
  } else if (k == "grpc_address") {
    auto colon = v.get_string().get(s) == simdjson::SUCCESS ? s.rfind(':') : std::string_view::npos;
    std::string host = colon == std::string_view::npos ? "" : std::string(s.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    std::string_view p = colon == std::string_view::npos ? "" : s.substr(colon + 1);
    auto r = std::from_chars(p.data(), p.data() + p.size(), port);
    if (!parse_ip_text(host) || p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() ||
        port == 0 || port > 65535)
      return field_error(k, "must be IP:PORT (e.g. 127.0.0.1:50051)");
    c.grpc_host = host;
    c.grpc_port = static_cast<uint16_t>(port);
  } else if (k == "next_hop_v4" || k == "next_hop_v6") {
    const bool v4 = k == "next_hop_v4";
    if (v.get_string().get(s) != simdjson::SUCCESS || !is_ip(s, v4))
      return field_error(k, v4 ? "must be an IPv4 address" : "must be an IPv6 address");
    (v4 ? c.next_hop_v4 : c.next_hop_v6) = std::string(s);
  } else if (k == "flowspec_rate_bytes") {
    double d = -1;
    if (v.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d) || d < 0 || d > 1e12)
      return field_error(k, "must be a number of bytes/s, 0 (discard) .. 1e12");
    c.flowspec_rate_bytes = d;
  } else if (k == "min_prefix_v4" || k == "min_prefix_v6") {
    const bool v4 = k == "min_prefix_v4";
    const int64_t lo = v4 ? kMinPrefixFloorV4 : kMinPrefixFloorV6, hi = v4 ? 32 : 128;
    if (!get_int(v, lo, hi, n))
      return field_error(k, "must be " + std::to_string(lo) + ".." + std::to_string(hi));
    (v4 ? c.min_prefix_v4 : c.min_prefix_v6) = static_cast<unsigned>(n);
  } else if (k == "xdp_sources_per_alert") {
    if (!get_int(v, 0, kMaxXdpSourcesPerAlert, n))
      return field_error(k, "must be 0.." + std::to_string(kMaxXdpSourcesPerAlert));
    c.xdp_sources_per_alert = static_cast<unsigned>(n);
  } else if (k == "command_timeout_ms") {
    if (!get_int(v, 100, 60000, n)) return field_error(k, "must be 100..60000");
    c.command_timeout_ms = static_cast<unsigned>(n);
  } else {
    return field_error(std::string(k).substr(0, 64), "unknown field");
  }
  return std::nullopt;
}

}  // namespace

Result<BlockConfig> parse_block_config(std::string_view json) {
  if (json.size() > kMaxBlockConfigBytes) return make_error("block config: larger than 256 KiB");
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS)
    return make_error(std::string("block config: malformed JSON: ") + simdjson::error_message(err));
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS)
    return make_error("block config: must be a JSON object");
  if (auto dup = duplicate_json_key(doc))
    return make_error("block config: \"" + dup->substr(0, 64) + "\" appears twice");
  BlockConfig c;
  for (auto [key, value] : obj) {
    if (auto e = apply(c, key, value)) return *e;
  }
  return c;
}

Result<BlockConfig> load_block_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("--block-config: cannot read " + path);
  std::string text(kMaxBlockConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  auto c = parse_block_config(text);
  if (!c) return make_error("--block-config " + path + ": " + c.error().message);
  if (c->enabled && c->mode != BlockMode::kXdp && ::access(c->gobgp.c_str(), X_OK) != 0)
    return make_error("--block-config " + path + ": gobgp '" + c->gobgp +
                      "' is not executable (apt-get install gobgpd)");
  return c;
}

}  // namespace securenet::control
