// POST /api/config and the config file: parse with simdjson, validate every field against
// a copy of the current config, and hand back either the whole new config or one error.
#include <simdjson.h>

#include <cmath>
#include <optional>

#include "config/security_config.h"
#include "util/json_keys.h"

namespace securenet::control {

namespace {

using simdjson::dom::element;

struct Ctx {
  ConfigError err;
  bool failed = false;
  bool sent_given = false;  // traffic_sent_pps or its old name traffic_threshold_pps
  bool fail(std::string field, std::string detail) {
    if (!failed) err = {std::move(field), std::move(detail)};
    failed = true;
    return false;
  }
};

bool get_number(Ctx& c, const std::string& field, element v, double lo, double hi, bool lo_open,
                double& out) {
  double d = 0;
  if (!v.is_number() || v.get_double().get(d) != simdjson::SUCCESS) {
    return c.fail(field, field + ": must be a number");
  }
  if (!std::isfinite(d) || d > hi || (lo_open ? d <= lo : d < lo)) {
    return c.fail(field, field + ": " + std::to_string(d) + " is out of range (" +
                             (lo_open ? "> " : ">= ") + std::to_string(lo) +
                             " and <= " + std::to_string(hi) + ")");
  }
  out = d;
  return true;
}

bool get_array(Ctx& c, const std::string& field, element v, simdjson::dom::array& out) {
  if (v.get_array().get(out) != simdjson::SUCCESS)
    return c.fail(field, field + ": must be an array");
  if (out.size() > kMaxListEntries) {
    return c.fail(field, field + ": more than " + std::to_string(kMaxListEntries) + " entries");
  }
  return true;
}

bool parse_blacklist(Ctx& c, element v, std::vector<BlacklistEntry>& out) {
  const std::string f = "protocol_blacklist";
  simdjson::dom::array arr;
  if (!get_array(c, f, v, arr)) return false;
  out.clear();
  size_t i = 0;
  for (element item : arr) {
    std::string at = f + "[" + std::to_string(i++) + "]";
    std::string text, why;
    std::string_view sv;
    int64_t n = 0;
    if (item.get_string().get(sv) == simdjson::SUCCESS) {
      text = std::string(sv);
    } else if (item.get_int64().get(n) == simdjson::SUCCESS) {
      if (n < 0 || n > 255)
        return c.fail(f, at + ": protocol number " + std::to_string(n) + " is not in 0..255");
      text = std::to_string(n);
    } else {
      return c.fail(f, at + ": must be a protocol name, number or service (tcp/PORT)");
    }
    auto e = parse_blacklist_entry(text, &why);
    if (!e) return c.fail(f, at + ": " + why);
    bool dup = false;
    for (const auto& o : out) dup = dup || o.label == e->label;
    if (!dup) out.push_back(std::move(*e));
  }
  return true;
}

bool parse_cidr_list(Ctx& c, const std::string& f, element v, std::vector<Cidr>& out) {
  simdjson::dom::array arr;
  if (!get_array(c, f, v, arr)) return false;
  out.clear();
  size_t i = 0;
  for (element item : arr) {
    std::string at = f + "[" + std::to_string(i++) + "]";
    std::string_view sv;
    if (item.get_string().get(sv) != simdjson::SUCCESS)
      return c.fail(f, at + ": must be a CIDR string");
    std::string why;
    auto cidr = parse_cidr(sv, &why);
    if (!cidr) return c.fail(f, at + ": '" + std::string(sv) + "': " + why);
    out.push_back(*cidr);
  }
  return true;
}

// One optional threshold of a subnet entry, within the same limits as its global.
bool get_subnet_number(Ctx& c, const std::string& f, const std::string& at, std::string_view key,
                       const SubnetField& field, element v, std::optional<double>& out) {
  Ctx inner;
  double d = 0;
  if (!get_number(inner, at + "." + std::string(key), v, 0, field.hi, field.lo_open, d))
    return c.fail(f, inner.err.detail);
  out = d;
  return true;
}

constexpr const char* kGiveOne =
    ": give at least one threshold (traffic_sent_pps, traffic_received_pps, "
    "connection_rate_per_min, traffic_sent_mbps, traffic_received_mbps, reflection_pps, "
    "syn_flood_per_s, syn_flood_answered_ratio or fan_in_sources)";

bool parse_subnet_cidr(Ctx& c, const std::string& f, const std::string& at, element val,
                       SubnetThreshold& s) {
  std::string_view sv;
  if (val.get_string().get(sv) != simdjson::SUCCESS)
    return c.fail(f, at + ".cidr: must be a CIDR string");
  std::string why;
  auto cidr = parse_cidr(sv, &why);
  if (!cidr) return c.fail(f, at + ".cidr: '" + std::string(sv) + "': " + why);
  s.cidr = *cidr;
  return true;
}

bool parse_subnet(Ctx& c, const std::string& f, const std::string& at, element item,
                  SubnetThreshold& s) {
  simdjson::dom::object obj;
  if (item.get_object().get(obj) != simdjson::SUCCESS)
    return c.fail(f, at + ": must be an object {\"cidr\", one or more thresholds}");
  bool have_cidr = false;
  for (auto [k, val] : obj) {
    if (k == "cidr") {
      if (!parse_subnet_cidr(c, f, at, val, s)) return false;
      have_cidr = true;
      continue;
    }
    const bool old_name = k == "traffic_threshold_pps";  // the old name of traffic_sent_pps
    const SubnetField* field = nullptr;
    for (const auto& x : kSubnetFields) {
      if (k == x.key || (old_name && x.member == &SubnetThreshold::traffic_threshold_pps))
        field = &x;
    }
    if (!field) return c.fail(f, at + ": unknown field '" + std::string(k) + "'");
    if ((s.*field->member).has_value())  // only the alias can repeat (duplicate keys are refused)
      return c.fail(f, at + ": give traffic_sent_pps once (traffic_threshold_pps is its old name)");
    if (!get_subnet_number(c, f, at, k, *field, val, s.*field->member)) return false;
  }
  if (!have_cidr) return c.fail(f, at + ": missing cidr");
  bool any = false;
  for (const auto& x : kSubnetFields) any = any || (s.*x.member).has_value();
  if (!any) return c.fail(f, at + kGiveOne);
  return true;
}

bool parse_subnets(Ctx& c, element v, std::vector<SubnetThreshold>& out) {
  const std::string f = "subnet_thresholds";
  simdjson::dom::array arr;
  if (!get_array(c, f, v, arr)) return false;
  out.clear();
  size_t i = 0;
  for (element item : arr) {
    SubnetThreshold s;
    if (!parse_subnet(c, f, f + "[" + std::to_string(i++) + "]", item, s)) return false;
    out.push_back(s);
  }
  return true;
}

bool get_bool(Ctx& c, const std::string& k, element v, bool& out) {
  if (v.get_bool().get(out) != simdjson::SUCCESS) return c.fail(k, k + ": must be true or false");
  return true;
}

bool apply_field(Ctx& c, SecurityConfig& cfg, std::string_view key, element v) {
  std::string k(key);
  if (k == "traffic_sent_pps" || k == "traffic_threshold_pps") {  // the old name: an alias
    if (c.sent_given)
      return c.fail(k, k + ": give traffic_sent_pps once (traffic_threshold_pps is its old name)");
    c.sent_given = true;
    return get_number(c, k, v, 0, kMaxThreshold, true, cfg.traffic_threshold_pps);
  }
  if (k == "traffic_received_pps")
    return get_number(c, k, v, 0, kMaxThreshold, true, cfg.traffic_received_pps);
  if (k == "traffic_sent_mbps")
    return get_number(c, k, v, 0, kMaxThreshold, false, cfg.traffic_sent_mbps);
  if (k == "traffic_received_mbps")
    return get_number(c, k, v, 0, kMaxThreshold, false, cfg.traffic_received_mbps);
  if (k == "traffic_received_external") return get_bool(c, k, v, cfg.traffic_received_external);
  if (k == "port_scan_ports")
    return get_number(c, k, v, 0, kMaxScanFanout, true, cfg.port_scan_ports);
  if (k == "host_scan_hosts")
    return get_number(c, k, v, 0, kMaxScanFanout, true, cfg.host_scan_hosts);
  if (k == "reflection_pps") return get_number(c, k, v, 0, kMaxThreshold, true, cfg.reflection_pps);
  if (k == "syn_flood_per_s")
    return get_number(c, k, v, 0, kMaxThreshold, true, cfg.syn_flood_per_s);
  if (k == "syn_flood_answered_ratio")
    return get_number(c, k, v, 0, 1, true, cfg.syn_flood_answered_ratio);
  if (k == "fan_in_sources") return get_number(c, k, v, 0, kMaxFanIn, true, cfg.fan_in_sources);
  if (k == "connection_rate_per_min")
    return get_number(c, k, v, 0, kMaxThreshold, true, cfg.connection_rate_per_min);
  if (k == "escalation_factor") return get_number(c, k, v, 1, 1e6, true, cfg.escalation_factor);
  if (k == "clear_ratio") return get_number(c, k, v, 0, 1, true, cfg.clear_ratio);
  if (k == "clear_hold_s") return get_number(c, k, v, 0, kMaxClearHoldS, false, cfg.clear_hold_s);
  if (k == "sample_one_in") {
    double d = 0;
    if (!get_number(c, k, v, 0, static_cast<double>(kMaxSampleOneIn), false, d)) return false;
    if (d != std::floor(d)) return c.fail(k, k + ": must be a whole number (0 = sampling off)");
    cfg.sample_one_in = static_cast<uint64_t>(d);
    return true;
  }
  if (k == "baseline_enabled") return get_bool(c, k, v, cfg.baseline_enabled);
  if (k == "baseline_low_sigma")
    return get_number(c, k, v, 1, kMaxBaselineSigma, false, cfg.baseline_low_sigma);
  if (k == "baseline_medium_sigma")
    return get_number(c, k, v, 1, kMaxBaselineSigma, false, cfg.baseline_medium_sigma);
  if (k == "baseline_warmup_s")
    return get_number(c, k, v, 60, kMaxBaselineWarmupS, false, cfg.baseline_warmup_s);
  if (k == "protocol_blacklist") return parse_blacklist(c, v, cfg.protocol_blacklist);
  if (k == "home_networks") return parse_cidr_list(c, k, v, cfg.home_networks);
  if (k == "whitelist") return parse_cidr_list(c, k, v, cfg.whitelist);
  if (k == "subnet_thresholds") return parse_subnets(c, v, cfg.subnet_thresholds);
  if (k == "updated_at_ms") {  // read-only for the API (overwritten on apply); kept from files
    int64_t ms = 0;
    if (v.get_int64().get(ms) == simdjson::SUCCESS) cfg.updated_at_ms = ms;
    return true;
  }
  return c.fail(k, "unknown field '" + k + "'");
}

}  // namespace

ConfigParseResult apply_config_json(const SecurityConfig& base, std::string_view json) {
  ConfigParseResult r;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  element doc;
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS) {
    r.error = {"", std::string("malformed JSON: ") + simdjson::error_message(err)};
    return r;
  }
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) {
    r.error = {"", "the body must be a JSON object"};
    return r;
  }
  // Last-value-wins would let a second "whitelist" hide behind the first one a reader sees.
  if (auto dup = duplicate_json_key(doc)) {
    r.error = {*dup, "the key \"" + *dup + "\" appears twice in one object"};
    return r;
  }
  Ctx c;
  SecurityConfig cfg = base;
  for (auto [key, value] : obj) {
    if (!apply_field(c, cfg, key, value)) {
      r.error = c.err;
      return r;
    }
  }
  if (cfg.baseline_medium_sigma < cfg.baseline_low_sigma) {
    r.error = {"baseline_medium_sigma",
               "baseline_medium_sigma: must be at least baseline_low_sigma (" +
                   std::to_string(cfg.baseline_low_sigma) + ")"};
    return r;
  }
  r.ok = true;
  r.config = std::move(cfg);
  return r;
}

}  // namespace securenet::control
